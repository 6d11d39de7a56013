"use client";

// The chat page: keeps the conversation in the browser and posts it to /api/chat, whose route
// handler asks the model on the server.

import { type FormEvent, useState } from "react";

type ChatMessage = { role: "user" | "assistant"; content: string };

/** The last messages sent with each request; the server accepts at most 20. */
const HISTORY = 20;

export default function ChatPage() {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState("");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string>();

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const content = draft.trim();
    if (!content || pending) return;
    const conversation = [...messages, { role: "user" as const, content }].slice(-HISTORY);
    setMessages(conversation);
    setDraft("");
    setPending(true);
    setProblem(undefined);
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ messages: conversation }),
      });
      const data = (await response.json()) as { reply?: string; error?: string };
      if (!response.ok || !data.reply) throw new Error(data.error ?? `HTTP ${response.status}`);
      setMessages([...conversation, { role: "assistant", content: data.reply }]);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setPending(false);
    }
  }

  return (
    <main>
      <h1>Todo assistant</h1>
      <ol className="messages">
        {messages.map((message, index) => (
          <li key={index} className={message.role}>
            {message.content}
          </li>
        ))}
        {pending && <li className="assistant pending">…</li>}
      </ol>
      {problem && <p role="alert">The assistant did not answer: {problem}</p>}
      <form onSubmit={send}>
        <input
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder="Ask about your todos"
          maxLength={2000}
          aria-label="Message"
        />
        <button type="submit" disabled={pending || !draft.trim()}>
          Send
        </button>
      </form>
    </main>
  );
}
