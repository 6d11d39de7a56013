import type { NextConfig } from "next";

// `standalone` makes `next build` write .next/standalone/server.js with only the files the
// server needs, so a container image can run `node server.js` without node_modules.
const nextConfig: NextConfig = {
  output: "standalone",
  poweredByHeader: false,
};

export default nextConfig;
