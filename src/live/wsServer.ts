/**
 * GraphQL over WebSocket (the `graphql-transport-ws` protocol of graphql-ws) on the HTTP server's
 * port and path, `/graphql`, as Apollo Server documents it: one `useServer` beside the HTTP
 * server, sharing the schema, the context and the limits of HTTP requests.
 *
 * Every subscribe message goes through what an HTTP request goes through: the token limit, parse,
 * validation with the depth/alias/directive rules, and the cost and search limits, refused with
 * the same codes. Then the subscription limits: connections per server (the socket is closed with
 * 4029 TOO_MANY_CONNECTIONS) and subscriptions per connection (the operation is refused with
 * TOO_MANY_SUBSCRIPTIONS). Only subscriptions run here: queries and mutations go over HTTP, where
 * the rate limits, the cache headers and the request log are.
 *
 * Auth: subscriptions are reads, and reads need no token over HTTP either. A token given (in the
 * connection_init payload's `authorization`, or the upgrade request's Authorization header) is
 * checked as HTTP checks it, for the caller in the context.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  GraphQLError,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { QueryLimits } from '../config.js';
import type { Context } from '../context.js';
import { ErrorCode, UserError } from '../errors.js';
import { callerFrom } from '../http/auth.js';
import { estimateCost, limitRules } from '../http/queryLimits.js';
import { countTokens } from '../http/requestLimits.js';
import { createLoaders } from '../loaders.js';
import type { Logger } from '../logger.js';
import type { Stores } from '../stores/index.js';
import { CloseCode, type LiveHub } from './hub.js';

export interface LiveServerOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  stores: Stores;
  hub: LiveHub;
  limits: QueryLimits;
  adminToken: string | undefined;
  /** Largest message accepted, in bytes (the HTTP body limit). */
  maxPayload: number;
  /** The HTTP server's error formatting (codes kept, internal errors masked and logged). */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  logger: Logger;
}

export interface LiveServer {
  /** Closes every socket (1001 Going Away) and stops accepting new ones. */
  close(): Promise<void>;
}

function refusal(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  return [new UserError(code, message, extensions)];
}

export function startLiveServer(options: LiveServerOptions): LiveServer {
  const { schema, limits, hub, logger } = options;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    maxPayload: options.maxPayload,
  });
  // Registered before graphql-ws's own listener, so a socket past the limit is closed first.
  wss.on('connection', (socket) => {
    if (!hub.connectionOpened()) {
      socket.close(
        CloseCode.TOO_MANY_CONNECTIONS,
        `TOO_MANY_CONNECTIONS: this server holds its maximum of ${hub.limits.maxConnections}; try again later`,
      );
      return;
    }
    socket.once('close', () => hub.connectionClosed());
  });
  const rules = [...specifiedRules, ...limitRules(limits)];

  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((e) => {
      const json = e.toJSON();
      const code = json.extensions?.code;
      // What Apollo would call these over HTTP.
      const fallback = e.message.startsWith('Syntax Error')
        ? 'GRAPHQL_PARSE_FAILED'
        : e.originalError || e.path
          ? undefined
          : 'GRAPHQL_VALIDATION_FAILED';
      const withCode =
        code === undefined && fallback
          ? { ...json, extensions: { ...json.extensions, code: fallback } }
          : json;
      return options.formatError(withCode, e);
    });

  const disposable = useServer<Record<string, unknown>>(
    {
      schema,
      onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const active = Object.keys(ctx.subscriptions).length; // this one included
        const max = hub.limits.maxSubscriptionsPerConnection;
        if (active > max)
          return refusal(
            ErrorCode.TOO_MANY_SUBSCRIPTIONS,
            `This connection holds its maximum of ${max} subscriptions; complete one first, or ` +
              'open another connection.',
            { max },
          );
        if (countTokens(payload.query, limits.maxTokens) > limits.maxTokens)
          return refusal(
            ErrorCode.TOO_MANY_TOKENS,
            `Query token limit of ${limits.maxTokens} exceeded. Send a shorter document.`,
            { max: limits.maxTokens },
          );
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const invalid = validate(schema, document, rules);
        if (invalid.length) return invalid;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation)
          return refusal(ErrorCode.BAD_USER_INPUT, 'Name the operation to run (operationName).');
        if (operation.operation !== 'subscription')
          return [
            new GraphQLError(
              `Only subscriptions run over WebSocket; send the ${operation.operation} over HTTP (POST /graphql).`,
              { extensions: { code: 'BAD_REQUEST' } },
            ),
          ];
        const variables = getVariableValues(
          schema,
          operation.variableDefinitions ?? [],
          payload.variables ?? {},
        );
        if (variables.errors) return variables.errors;
        const cost = estimateCost(schema, document, operation, variables.coerced);
        if (cost.fields > limits.maxCost)
          return refusal(
            ErrorCode.QUERY_TOO_COMPLEX,
            `Query cost limit of ${limits.maxCost} exceeded, estimated ${cost.fields}. Ask for fewer fields.`,
            { max: limits.maxCost, found: cost.fields },
          );
        if (cost.searches > limits.maxSearches)
          return refusal(
            ErrorCode.TOO_MANY_SEARCHES,
            `Search limit of ${limits.maxSearches} exceeded, estimated ${cost.searches}.`,
            { max: limits.maxSearches, found: cost.searches },
          );
        const params = ctx.connectionParams ?? {};
        const authorization =
          typeof params.authorization === 'string'
            ? params.authorization
            : typeof params.Authorization === 'string'
              ? params.Authorization
              : ctx.extra.request.headers.authorization;
        const contextValue: Context = {
          stores: options.stores,
          loaders: createLoaders(options.stores),
          caller: callerFrom(authorization, options.adminToken),
          requestId: randomUUID(),
          client: ctx.extra.request.socket.remoteAddress ?? 'unknown',
          cost: { estimate: Number.isFinite(cost.fields) ? cost.fields : 0 },
          live: { hub, connection: { socket: ctx.extra.socket } },
        };
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? {},
          contextValue,
        };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: format(result.errors) } : undefined,
    },
    wss,
  );
  wss.on('error', (error) => logger.error({ err: error }, 'WebSocket server error'));

  return {
    async close() {
      await disposable.dispose();
    },
  };
}
