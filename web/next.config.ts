import type { NextConfig } from "next";

// The API that `npm run dev` talks to; the built UI is served by that API itself.
const api = process.env.TUTOR_API_URL ?? "http://localhost:8000";
const dev = process.env.NODE_ENV === "development";

const config: NextConfig = {
  // A static export: `make web` writes out/, which `tutor serve` serves at `/`.
  output: dev ? undefined : "export",
  // learn/index.html rather than learn.html, so a static server finds /learn/.
  trailingSlash: true,
  images: { unoptimized: true },
  // In development the pages come from `next dev` and the API is proxied to the server,
  // whose paths have no trailing slash.
  ...(dev
    ? {
        skipTrailingSlashRedirect: true,
        rewrites: async () => [{ source: "/api/:path*", destination: `${api}/api/:path*` }],
      }
    : {}),
};

export default config;
