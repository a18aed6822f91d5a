/**
 * The browser pages, built by vite into web/dist and served by the server (src/http/web.ts):
 * explorer/ (the deal graph, at / and /explore) and playground/ (GraphiQL, at GET /graphql).
 * Everything they load is in the bundle; nothing comes from a CDN.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  // The playground shows the README's example queries (imported with ?raw).
  server: { fs: { allow: [here('..')] } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    // GraphiQL's editor (Monaco) is a few MB whatever we do; it loads once and is cached.
    chunkSizeWarningLimit: 5_000,
    rollupOptions: {
      input: {
        explorer: here('explorer/index.html'),
        playground: here('playground/index.html'),
      },
      onwarn(warning, warn) {
        // GraphiQL's dependencies mark modules "use client" (React Server Components); harmless here.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
