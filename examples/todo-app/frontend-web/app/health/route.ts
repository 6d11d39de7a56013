// Liveness: answers 200 whenever the server is up.

export function GET(): Response {
  return Response.json({ status: "ok" });
}
