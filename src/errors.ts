import { GraphQLError } from 'graphql';

/**
 * Stable `extensions.code` values. Clients switch on these; never rename one.
 * Apollo's own codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_REQUEST, ...) pass
 * through unchanged.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  MUTATIONS_DISABLED: 'MUTATIONS_DISABLED',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  QUERY_TIMEOUT: 'QUERY_TIMEOUT',
  RESULT_LIMIT_EXCEEDED: 'RESULT_LIMIT_EXCEEDED',
  QUERY_TOO_LARGE: 'QUERY_TOO_LARGE',
  /** Neo4j's shared query memory or the heavy-query slots are taken: retry shortly. */
  DATABASE_BUSY: 'DATABASE_BUSY',
  /** Too many requests (or too much estimated work) from one client: retry after Retry-After. */
  RATE_LIMITED: 'RATE_LIMITED',
  // Writes (src/stores/versions.ts, CompanyStore.delete).
  CONFLICT: 'CONFLICT',
  COMPANY_IN_USE: 'COMPANY_IN_USE',
  // Limits on the request itself (src/http/queryLimits.ts, src/http/requestLimits.ts).
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** More cycle, path or graph searches than one request may run (GRAPHQL_MAX_SEARCHES). */
  TOO_MANY_SEARCHES: 'TOO_MANY_SEARCHES',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  // Live events (src/live/).
  /** A resume cursor older than the change log's retention, or from a log that was reset. */
  CURSOR_EXPIRED: 'CURSOR_EXPIRED',
  /** More subscriptions on one connection than LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** The subscription could not keep up with the graph and was ended (retry later). */
  SUBSCRIPTION_FAILED: 'SUBSCRIPTION_FAILED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One thing wrong with an input, addressed by its path (`input.sources[0].url`). */
export interface Problem {
  field: string;
  message: string;
}

/** An error the caller caused and can fix; its message and code reach the client as they are. */
export class UserError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'UserError';
  }
}

export function badInput(problems: Problem[]): UserError {
  const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new UserError(ErrorCode.BAD_USER_INPUT, message, { problems });
}

export function notFound(what: string, id: string): UserError {
  return new UserError(ErrorCode.NOT_FOUND, `No ${what} with id '${id}'.`, { id });
}

/** Codes whose message is safe and useful to show the client as it is. */
export const PUBLIC_CODES: ReadonlySet<string> = new Set([
  ...Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR),
  // Apollo Server's own client-error codes.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);
