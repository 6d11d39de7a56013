// The assistant behind /api/chat: answers a conversation about the user's todos with an
// OpenAI-compatible chat model, after reading the current todo list from the backend.

import { apiUrl, openaiApiKey, openaiBaseUrl, openaiModel } from "./config";

/** One turn of the conversation, as the page sends it. */
export type ChatMessage = { role: "user" | "assistant"; content: string };

type Todo = { id: number; title: string; done: boolean };

/** Why a chat request failed, with the HTTP status to answer. */
export class ChatError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const MAX_MESSAGES = 20;
const MAX_LENGTH = 2000;
const BACKEND_TIMEOUT_MS = 5000;
const MODEL_TIMEOUT_MS = 30000;
const SYSTEM_PROMPT =
  "You are the assistant of a Todo app. Help the user plan and finish their todos. " +
  "Answer briefly. The current list follows.";

/** Checks a request body of the form `{messages: [{role, content}, ...]}`. */
export function parseMessages(body: unknown): ChatMessage[] {
  const messages = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ChatError("body needs a non-empty `messages` array", 400);
  }
  if (messages.length > MAX_MESSAGES) {
    throw new ChatError(`at most ${MAX_MESSAGES} messages`, 400);
  }
  return messages.map((message, index) => {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    if (role !== "user" && role !== "assistant") {
      throw new ChatError(`message ${index}: role must be "user" or "assistant"`, 400);
    }
    if (typeof content !== "string" || !content.trim() || content.length > MAX_LENGTH) {
      throw new ChatError(`message ${index}: content must be 1 to ${MAX_LENGTH} characters`, 400);
    }
    return { role, content };
  });
}

/** The todo list as text for the model, or a line saying why it could not be read. */
async function todoContext(): Promise<string> {
  const base = apiUrl();
  if (!base) return "(The todo list is unavailable: NEXT_PUBLIC_API_URL is not set.)";
  try {
    const response = await fetch(`${base.replace(/\/+$/, "")}/api/todos`, {
      cache: "no-store",
      signal: AbortSignal.timeout(BACKEND_TIMEOUT_MS),
    });
    if (!response.ok) return `(The todo list is unavailable: the API answered ${response.status}.)`;
    const todos = (await response.json()) as Todo[];
    if (todos.length === 0) return "(The todo list is empty.)";
    return todos.map((todo) => `- [${todo.done ? "x" : " "}] ${todo.title}`).join("\n");
  } catch {
    return "(The todo list is unavailable: the API could not be reached.)";
  }
}

/** Why a fetch failed: the system error code (ECONNREFUSED, ...) when there is one. */
function failureReason(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.message : String(error);
}

function messageContent(data: unknown): string | undefined {
  const choices = (data as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return undefined;
  const content = (choices[0] as { message?: { content?: unknown } } | undefined)?.message?.content;
  return typeof content === "string" && content.trim() ? content.trim() : undefined;
}

/** The model's reply to the conversation; 503 when no key is set, 502 when the model fails. */
export async function answer(messages: ChatMessage[]): Promise<string> {
  const key = openaiApiKey();
  if (!key) throw new ChatError("chat needs OPENAI_API_KEY", 503);
  const system = `${SYSTEM_PROMPT}\n\n${await todoContext()}`;
  let response: Response;
  try {
    response = await fetch(`${openaiBaseUrl().replace(/\/+$/, "")}/chat/completions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        model: openaiModel(),
        messages: [{ role: "system", content: system }, ...messages],
      }),
      cache: "no-store",
      signal: AbortSignal.timeout(MODEL_TIMEOUT_MS),
    });
  } catch (error) {
    throw new ChatError(`model request failed: ${failureReason(error)}`, 502);
  }
  if (!response.ok) throw new ChatError(`model answered HTTP ${response.status}`, 502);
  const content = messageContent(await response.json().catch(() => undefined));
  if (!content) throw new ChatError("model answer has no message content", 502);
  return content;
}
