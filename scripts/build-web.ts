/**
 * Builds the explorer and the playground (web/ -> web/dist) with vite; `npm install` runs it as
 * its prepare step, `npm run build:web` on demand. An install without web/ (a Docker layer that
 * copies package.json first) or without the dev dependencies skips the build and says so: the
 * server then answers its pages with "not built" and logs it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Vite from 'vite';

const configFile = fileURLToPath(new URL('../web/vite.config.ts', import.meta.url));

if (!existsSync(configFile)) {
  console.log('build:web: web/ is not here; the explorer and playground are not built.');
  process.exit(0);
}

let vite: typeof Vite;
try {
  vite = await import('vite');
} catch {
  console.log('build:web: vite is not installed (dev dependencies omitted); pages not built.');
  process.exit(0);
}

const started = performance.now();
await vite.build({
  configFile,
  logLevel: (process.env.BUILD_WEB_LOG as Vite.LogLevel | undefined) ?? 'warn',
});
console.log(
  `build:web: explorer and playground built into web/dist in ${Math.round(
    performance.now() - started,
  )} ms.`,
);
