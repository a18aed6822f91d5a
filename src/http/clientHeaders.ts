/**
 * HTTP as browsers and CDNs meet the API: compressed bodies, CORS, and cache headers.
 *
 * - Compression: gzip or brotli, as `Accept-Encoding` asks (brotli at quality 4: most of its gain
 *   for a fraction of its CPU); a relationship graph's JSON shrinks about eightfold.
 * - CORS: any origin may read the public API without credentials; origins listed in CORS_ORIGINS
 *   are answered with their own origin and `Access-Control-Allow-Credentials`, others get no CORS
 *   headers at all (the browser then refuses). Preflights are cached for CORS_MAX_AGE_SECONDS.
 * - Cache-Control: a GET query without credentials whose answer has no error is public data that
 *   is the same for every caller: `public, max-age=<CACHE_MAX_AGE_SECONDS>`, so a CDN or the
 *   browser can serve it again (persisted queries over GET gain most). Anything else (POST,
 *   mutations, requests with a token, answers with errors) is `no-store`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import compression from 'compression';
import cors, { type CorsOptions } from 'cors';
import type { RequestHandler } from 'express';

export function compressResponses(): RequestHandler {
  return compression({ threshold: 1024 });
}

/** How long a browser may reuse a preflight answer (Chrome caps it at 2 h, Firefox at 24 h). */
export const DEFAULT_CORS_MAX_AGE_SECONDS = 600;

/** Default max-age of public GET answers: short, as writes change the data at any time. */
export const DEFAULT_CACHE_MAX_AGE_SECONDS = 30;

export function corsFor(
  origins: readonly string[] | undefined,
  maxAgeSeconds = DEFAULT_CORS_MAX_AGE_SECONDS,
): RequestHandler {
  const common: CorsOptions = { exposedHeaders: ['x-request-id'], maxAge: maxAgeSeconds };
  if (!origins || origins.length === 0) return cors({ ...common, origin: '*' });
  // The listed origins only, reflected one at a time (with Vary: Origin), with credentials; any
  // other origin gets no CORS header at all.
  const listed = new Set(origins);
  return cors((req, callback) => {
    const origin = req.headers.origin?.toLowerCase();
    callback(
      null,
      origin !== undefined && listed.has(origin)
        ? { ...common, origin: true, credentials: true }
        : { origin: false },
    );
  });
}

/** Sets Cache-Control on every GraphQL response (see the top of this file). */
export function cacheControlPlugin<TContext extends object>(
  maxAgeSeconds = DEFAULT_CACHE_MAX_AGE_SECONDS,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ request }) {
      return {
        async willSendResponse({ response, operation, errors }) {
          const http = request.http;
          const cacheable =
            maxAgeSeconds > 0 &&
            http?.method === 'GET' &&
            operation?.operation === 'query' &&
            !http.headers.get('authorization') &&
            !errors?.length &&
            response.body.kind === 'single' &&
            !response.body.singleResult.errors?.length;
          response.http.headers.set(
            'cache-control',
            cacheable ? `public, max-age=${maxAgeSeconds}` : 'no-store',
          );
        },
      };
    },
  };
}
