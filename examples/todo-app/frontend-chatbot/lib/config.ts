// The configuration this app reads from the environment, in one place. Only server code (the
// route handlers) imports it, so the API key never reaches the browser.

/** Base URL of the backend API, e.g. `http://localhost:8000`. */
export function apiUrl(): string | undefined {
  return process.env.NEXT_PUBLIC_API_URL || undefined;
}

/** Key for the OpenAI API. */
export function openaiApiKey(): string | undefined {
  return process.env.OPENAI_API_KEY || undefined;
}

/** Base URL of an OpenAI-compatible API (default: OpenAI's). */
export function openaiBaseUrl(): string {
  return process.env.OPENAI_BASE_URL || "https://api.openai.com/v1";
}

/** The chat model to ask. */
export function openaiModel(): string {
  return process.env.OPENAI_MODEL || "gpt-4o-mini";
}

/** Names of the settings the app needs that are not set; empty when it is ready. */
export function missingConfig(): string[] {
  const missing: string[] = [];
  if (!apiUrl()) missing.push("NEXT_PUBLIC_API_URL");
  if (!openaiApiKey()) missing.push("OPENAI_API_KEY");
  return missing;
}
