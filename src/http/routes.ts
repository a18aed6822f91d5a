/**
 * Small HTTP concerns outside GraphQL: who may scrape /metrics, and the answer to a path the
 * server does not serve. Both answer JSON with a stable code, like every other error.
 */
import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors.js';
import { presents } from './auth.js';

/**
 * With METRICS_TOKEN set, /metrics needs `Authorization: Bearer <METRICS_TOKEN>` (the figures
 * name every operation the server has seen); without it, /metrics is open, for a scraper on a
 * private network.
 */
export function metricsAccess(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (token === undefined || presents(req.headers.authorization, token)) return next();
    res
      .status(401)
      .set('www-authenticate', 'Bearer realm="metrics"')
      .json({
        error: {
          code: ErrorCode.UNAUTHENTICATED,
          message: 'GET /metrics needs the metrics token.',
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
