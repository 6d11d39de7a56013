// POST /api/chat: the page sends the conversation, the server answers with the model's reply.
// OPENAI_API_KEY and the backend URL are used here, on the server, never in the browser.

import { answer, ChatError, parseMessages } from "@/lib/chat";

export async function POST(request: Request): Promise<Response> {
  try {
    const body: unknown = await request.json().catch(() => {
      throw new ChatError("body is not JSON", 400);
    });
    return Response.json({ reply: await answer(parseMessages(body)) });
  } catch (error) {
    if (!(error instanceof ChatError)) throw error;
    if (error.status >= 500) {
      console.log(JSON.stringify({ level: "warn", message: "chat failed", reason: error.message }));
    }
    return Response.json({ error: error.message }, { status: error.status });
  }
}
