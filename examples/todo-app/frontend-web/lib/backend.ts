// The backend API client, used on the server only (by the page and its server actions). Every
// call carries a token signed with BETTER_AUTH_SECRET when that secret is set.

import { apiUrl, authSecret, authUrl } from "./config";
import { signToken } from "./token";

/** A todo as the backend returns it. */
export type Todo = { id: number; title: string; done: boolean; created_at: string };

/** The example has no sign-in page, so every call is made for this one user. */
const USER = "demo-user";
const TIMEOUT_MS = 5000;

/** The backend could not be reached or refused a call; the message says which. */
export class BackendError extends Error {}

/** Why a fetch failed: the system error code (ECONNREFUSED, ...) when there is one. */
function failureReason(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.message : String(error);
}

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const base = apiUrl();
  if (!base) throw new BackendError("NEXT_PUBLIC_API_URL is not set");
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const secret = authSecret();
  if (secret) {
    headers.Authorization = `Bearer ${signToken(secret, authUrl() ?? "todo-web", USER)}`;
  }
  let response: Response;
  try {
    response = await fetch(`${base.replace(/\/+$/, "")}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new BackendError(`${method} ${path} failed: ${failureReason(error)}`);
  }
  if (!response.ok) throw new BackendError(`${method} ${path} answered ${response.status}`);
  return response;
}

/** All todos, oldest first. */
export async function listTodos(): Promise<Todo[]> {
  return (await call("GET", "/api/todos")).json();
}

/** Adds an open todo. */
export async function createTodo(title: string): Promise<void> {
  await call("POST", "/api/todos", { title });
}

/** Marks a todo done or open. */
export async function setDone(id: number, done: boolean): Promise<void> {
  await call("PATCH", `/api/todos/${id}`, { done });
}

/** Removes a todo. */
export async function deleteTodo(id: number): Promise<void> {
  await call("DELETE", `/api/todos/${id}`);
}
