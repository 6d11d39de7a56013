// Next.js 14 reads next.config.js or next.config.mjs (not .ts). No `output: 'standalone'` here:
// this app is served by `next start` with its node_modules.

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
