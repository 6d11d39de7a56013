// Liveness: answers 200 whenever the server is up.

export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" });
}
