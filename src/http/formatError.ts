import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, PUBLIC_CODES, UserError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface FormatErrorOptions {
  /**
   * False strips graphql-js's "Did you mean ...?" hints (fields, arguments, types, enum values):
   * with introspection off they would spell out the schema piece by piece.
   */
  suggestFields?: boolean;
  /** Called with the code of every error sent (metrics count them). */
  onError?: (code: string) => void;
}

/**
 * Apollo reports every error raised by a validation rule as GRAPHQL_VALIDATION_FAILED; a rule
 * that refuses a document with a UserError (the query limits) keeps that error's code and
 * details.
 */
function withOwnCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (
    formatted.extensions?.code === ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED &&
    error instanceof GraphQLError &&
    error.originalError instanceof UserError
  ) {
    return {
      ...formatted,
      extensions: { ...formatted.extensions, ...error.originalError.extensions },
    };
  }
  return formatted;
}

/**
 * Errors with a public code reach the client as they are (stack traces only outside production,
 * see includeStacktraceInErrorResponses); anything else is logged in full and reaches the client
 * as a bare INTERNAL_SERVER_ERROR, whatever the environment.
 */
/**
 * Apollo raises a few request errors without a code but with an HTTP status of 400 (a persisted
 * query whose hash does not match its text, an unsupported persisted-query version): the client's
 * fault, so BAD_REQUEST, Apollo's code for a malformed request, instead of a masked internal error.
 */
function withRequestCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const http = error instanceof GraphQLError ? error.extensions?.http : undefined;
  const status = (http as { status?: number } | undefined)?.status;
  if (
    formatted.extensions?.code === ApolloServerErrorCode.INTERNAL_SERVER_ERROR &&
    !formatted.path &&
    status !== undefined &&
    status >= 400 &&
    status < 500
  ) {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
  }
  return formatted;
}

export function createFormatError(
  logger: Logger,
  { suggestFields = true, onError }: FormatErrorOptions = {},
) {
  return (received: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const formatted = withRequestCode(withOwnCode(received, error), error);
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      onError?.(code);
      if (!suggestFields && /Did you mean/.test(formatted.message)) {
        return { ...formatted, message: formatted.message.replace(/\s*Did you mean .*\?$/, '') };
      }
      return formatted;
    }
    logger.error({ err: unwrapResolverError(error), path: formatted.path }, 'internal error');
    onError?.(ErrorCode.INTERNAL_SERVER_ERROR);
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
