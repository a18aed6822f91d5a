/**
 * The server's own pages: the explorer at / and /explore, and the GraphiQL playground at
 * GET /graphql for a browser (Accept: text/html). Both are built by vite from web/ into web/dist
 * (`npm run build:web`, run by `npm install`'s prepare step) and served from here, scripts,
 * styles, fonts and editor workers alike: nothing is fetched from another host.
 *
 * The pages carry a Content-Security-Policy that allows scripts from this origin only (no inline
 * scripts); styles may be inline and fonts data: URLs because GraphiQL's editor (Monaco) sets
 * both at run time.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from '../logger.js';
import { PROJECT_ROOT } from '../paths.js';

/** Where `vite build` (web/vite.config.ts) writes the pages. */
export const WEB_DIST_DIR = path.join(PROJECT_ROOT, 'web/dist');

export interface WebPagesOptions {
  /** Serve GraphiQL at GET /graphql (Accept: text/html). */
  playground: boolean;
  logger: Logger;
  /** Default: WEB_DIST_DIR. */
  distDir?: string;
}

export interface WebPages {
  /** /, /explore and the built assets; mount before the GraphQL route. */
  pages: Router;
  /** GET /graphql for a browser; passes everything else on to Apollo. */
  playground: RequestHandler;
}

/**
 * What the pages may load: everything from this origin, nothing from anywhere else. Helmet's
 * defaults are kept (object-src 'none', frame-ancestors 'self', ...) except
 * upgrade-insecure-requests, which would send a plain-HTTP deployment's assets to https.
 */
export const contentSecurityPolicy = helmet({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'font-src': ["'self'", 'data:'],
      'img-src': ["'self'", 'data:'],
      // 'self' covers the explorer's live updates too: in CSP Level 3 it matches ws: and wss:
      // on this origin (test/browser/live.test.ts). A bare `ws:` would allow any host.
      'connect-src': ["'self'"],
      'worker-src': ["'self'"],
      'upgrade-insecure-requests': null,
    },
  },
  // The server speaks plain HTTP unless a proxy in front says otherwise; HSTS is the proxy's call.
  strictTransportSecurity: false,
});

function page(distDir: string, name: string): string | undefined {
  const file = path.join(distDir, name, 'index.html');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

const NOT_BUILT = (name: string): string =>
  `<!doctype html><meta charset="utf-8"><title>Not built</title>` +
  `<p>The ${name} page has not been built. Run <code>npm run build:web</code> ` +
  `(npm install does it) and restart the server.</p>`;

export function webPages({
  playground,
  logger,
  distDir = WEB_DIST_DIR,
}: WebPagesOptions): WebPages {
  // Read once: the pages are small and change only with a new build (and a restart).
  const explorerHtml = page(distDir, 'explorer');
  const playgroundHtml = playground ? page(distDir, 'playground') : undefined;
  if (explorerHtml === undefined || (playground && playgroundHtml === undefined)) {
    logger.warn(
      { distDir },
      'the explorer and playground pages are not built (web/dist is missing): run `npm run build:web`',
    );
  }

  const sendPage =
    (html: string | undefined, name: string): RequestHandler =>
    (_req, res) => {
      res.setHeader('cache-control', 'no-cache');
      if (html === undefined) res.status(503).type('html').send(NOT_BUILT(name));
      else res.type('html').send(html);
    };

  const pages = Router();
  pages.use('/assets', contentSecurityPolicy, [
    express.static(path.join(distDir, 'assets'), {
      // File names carry a content hash: a changed file is a new URL.
      immutable: true,
      maxAge: '1y',
      index: false,
      fallthrough: false,
    }),
  ]);
  const explorer = sendPage(explorerHtml, 'explorer');
  pages.get(['/', '/explore'], contentSecurityPolicy, explorer);

  const showPlayground = sendPage(playgroundHtml, 'playground');
  const playgroundHandler: RequestHandler = (req, res, next) => {
    const wantsPage =
      playground &&
      req.method === 'GET' &&
      req.query.query === undefined &&
      req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) ===
        'text/html';
    if (!wantsPage) return next();
    contentSecurityPolicy(req, res, () => showPlayground(req, res, next));
  };

  return { pages, playground: playgroundHandler };
}
