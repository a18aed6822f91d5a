/**
 * Small HTTP concerns outside GraphQL: who may scrape /metrics, and the answer to a path the
 * server does not serve. Both answer JSON with a stable code, like every other error.
 */
import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors.js';
import { presents } from './auth.js';

/**
 * /metrics is closed unless configured: with METRICS_TOKEN set it needs
 * `Authorization: Bearer <METRICS_TOKEN>` (the figures name every operation the server has seen,
 * including client-chosen operation names); with METRICS_PUBLIC=true it is open, for a scraper on
 * a private network; with neither it answers 401 saying how to open it.
 */
export function metricsAccess(token: string | undefined, open = false): RequestHandler {
  return (req, res, next) => {
    if (open || (token !== undefined && presents(req.headers.authorization, token))) return next();
    res
      .status(401)
      .set('www-authenticate', 'Bearer realm="metrics"')
      .json({
        error: {
          code: ErrorCode.UNAUTHENTICATED,
          message:
            token === undefined
              ? 'GET /metrics is closed: start the server with METRICS_TOKEN (and scrape with it) or METRICS_PUBLIC=true.'
              : 'GET /metrics needs the metrics token.',
        },
      });
  };
}

/** Any other path: 404 as JSON, naming what is served. */
export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({
    error: {
      code: ErrorCode.NOT_FOUND,
      message: `Nothing at ${req.method} ${req.path}. Served: /, /explore, /graphql, /healthz, /readyz, /metrics.`,
    },
  });
};
