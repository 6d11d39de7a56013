// Readiness: 200 when the configuration the app needs is present, 503 naming what is missing.

import { connection } from "next/server";
import { missingConfig } from "@/lib/config";

export async function GET(): Promise<Response> {
  await connection();
  const missing = missingConfig();
  if (missing.length > 0) {
    return Response.json({ status: "unavailable", missing }, { status: 503 });
  }
  return Response.json({ status: "ready" });
}
