/**
 * Request ids and the one log line per GraphQL request.
 *
 * Every response carries `x-request-id`: the caller's own when it sent a sensible one (so a
 * request can be followed through a proxy that set it), else a fresh UUID. Every log line written
 * while the request is served carries it too (see requestScope in logger.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler, Response } from 'express';
import { requestScope, type Logger } from '../logger.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids taken from the caller as they are; anything else (log injection, huge values) is replaced. */
const ACCEPTED_REQUEST_ID = /^[\w.:@-]{1,128}$/;

export function requestIdOf(res: Response): string {
  return res.locals.requestId as string;
}

/** Gives the request its id and echoes it in the response header. */
export const assignRequestId: RequestHandler = (req, res, next) => {
  const offered = req.header(REQUEST_ID_HEADER);
  const requestId = offered && ACCEPTED_REQUEST_ID.test(offered) ? offered : randomUUID();
  res.locals.requestId = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  next();
};

/**
 * Serves the rest of the request inside its log scope. Mounted after the body parser: stream
 * callbacks would otherwise run outside the scope.
 */
export const enterRequestScope: RequestHandler = (_req, res, next) => {
  requestScope.run({ requestId: requestIdOf(res) }, next);
};

const MAX_LOGGED_NAME_LENGTH = 100;

/** One `graphql request` line per request: operation, duration and the codes of any errors. */
export function requestLoggingPlugin(logger: Logger): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didResolveOperation({ operationName }) {
          const scope = requestScope.getStore();
          if (scope) scope.operationName = operationName?.slice(0, MAX_LOGGED_NAME_LENGTH) ?? null;
        },
        async willSendResponse({ request, operationName, operation, response }) {
          const errors =
            response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
          logger.info(
            {
              operationName:
                (operation ? operationName : request.operationName)?.slice(
                  0,
                  MAX_LOGGED_NAME_LENGTH,
                ) ?? null,
              operationType: operation?.operation ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              httpStatus: response.http.status ?? 200,
              ...(codes.length ? { errorCodes: codes } : {}),
            },
            'graphql request',
          );
        },
      };
    },
  };
}
