// The configuration this app reads from the environment, in one place. Values are read on each
// call, at request time on the server, so one build runs with any deployment's settings.

/** Base URL of the backend API, e.g. `http://localhost:8000`. */
export function apiUrl(): string | undefined {
  return process.env.NEXT_PUBLIC_API_URL || undefined;
}

/** Secret shared with the backend; calls to the API are signed with it. */
export function authSecret(): string | undefined {
  return process.env.BETTER_AUTH_SECRET || undefined;
}

/** This app's public URL: the issuer named in the tokens it signs. */
export function authUrl(): string | undefined {
  return process.env.BETTER_AUTH_URL || undefined;
}

/** Names of the settings the app needs that are not set; empty when it is ready. */
export function missingConfig(): string[] {
  const missing: string[] = [];
  if (!apiUrl()) missing.push("NEXT_PUBLIC_API_URL");
  if (!authSecret()) missing.push("BETTER_AUTH_SECRET");
  if (!authUrl()) missing.push("BETTER_AUTH_URL");
  return missing;
}
