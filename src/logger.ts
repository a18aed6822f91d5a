import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** What every log line written while serving a request carries. */
export interface RequestScope {
  requestId: string;
  /** Set once Apollo has resolved the operation; null for an anonymous one. */
  operationName?: string | null;
}

/**
 * The request being served, if any. The HTTP layer enters it for each GraphQL request, so that a
 * line logged anywhere below (an internal error in formatError, a store) names its request.
 */
export const requestScope = new AsyncLocalStorage<RequestScope>();

/**
 * Structured JSON logs on stdout (or `destination`); one line per event. The level is the
 * configuration's LOG_LEVEL (checked in config.ts).
 */
export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'ai-deal-graph' },
    mixin: () => ({ ...requestScope.getStore() }),
  };
  return destination ? pino(options, destination) : pino(options);
}
