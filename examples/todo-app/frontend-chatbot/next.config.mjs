// Next.js 14 reads next.config.js or next.config.mjs (not .ts). This app keeps the default build
// output (no standalone server): it is served by `next start` with its node_modules.

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
