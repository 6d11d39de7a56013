// Readiness: 200 when the configuration the app needs is present, 503 naming what is missing.
// Dynamic, so the environment is read when the probe asks rather than when the app was built.

import { missingConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

export function GET(): Response {
  const missing = missingConfig();
  if (missing.length > 0) {
    return Response.json({ status: "unavailable", missing }, { status: 503 });
  }
  return Response.json({ status: "ready" });
}
