/**
 * Limits enforced on the HTTP request before Apollo sees it: the body size (express.json's
 * `limit`), and the number of tokens in the document, counted before it is parsed so that a huge
 * document never reaches the parser and the validators, whose cost grows with it.
 *
 * Refusals are answered in the GraphQL response shape (`{ errors: [{ message, extensions: { code
 * } }] }`) so that clients read every error the same way.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { Lexer, Source, TokenKind } from 'graphql';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** Called with the code of every refusal sent from here (metrics count them). */
export type OnRefusal = (code: string) => void;

export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
): void {
  res.status(status).json({ errors: [{ message, extensions: { ...extensions, code } }] });
}

/**
 * Tokens in `query` (comments left out, as the parser counts them), counting no further than
 * one past `max`. A document that does not lex counts as far as it got: the parser reports it.
 */
export function countTokens(query: string, max: number): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (count <= max && lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch {
    // A syntax error; Apollo answers it with GRAPHQL_PARSE_FAILED.
  }
  return count;
}

export function tokenLimit(maxTokens: number, onRefusal: OnRefusal): RequestHandler {
  return (req, res, next) => {
    const body: unknown = req.body;
    const query =
      req.method === 'GET'
        ? req.query.query
        : body && typeof body === 'object' && !Array.isArray(body)
          ? (body as { query?: unknown }).query
          : undefined;
    if (typeof query === 'string' && countTokens(query, maxTokens) > maxTokens) {
      onRefusal(ErrorCode.TOO_MANY_TOKENS);
      sendError(
        res,
        400,
        ErrorCode.TOO_MANY_TOKENS,
        `Query token limit of ${maxTokens} exceeded. Send a shorter document: fewer fields, ` +
          'or split it over several requests.',
        { max: maxTokens },
      );
      return;
    }
    next();
  };
}

/**
 * Turns body-parser's failures into JSON errors instead of express's HTML page: 413
 * REQUEST_TOO_LARGE past `maxBytes`, 400 BAD_REQUEST for a body that is not JSON.
 */
export function bodyErrors(
  maxBytes: number,
  logger: Logger,
  onRefusal: OnRefusal,
): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { type, status, expose, message } = (error ?? {}) as {
      type?: string;
      status?: number;
      expose?: boolean;
      message?: string;
    };
    if (type === 'entity.too.large') {
      onRefusal(ErrorCode.REQUEST_TOO_LARGE);
      sendError(
        res,
        413,
        ErrorCode.REQUEST_TOO_LARGE,
        `Request body limit of ${maxBytes} bytes exceeded. Send a shorter document or fewer ` +
          'variables.',
        { max: maxBytes },
      );
    } else if (typeof status === 'number' && status >= 400 && status < 500) {
      onRefusal('BAD_REQUEST');
      const reason =
        type === 'entity.parse.failed'
          ? 'The request body is not valid JSON.'
          : expose && message
            ? message
            : 'The request body could not be read.';
      sendError(res, status, 'BAD_REQUEST', reason);
    } else {
      logger.error({ err: error }, 'request failed before reaching GraphQL');
      onRefusal(ErrorCode.INTERNAL_SERVER_ERROR);
      sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
    }
  };
}
