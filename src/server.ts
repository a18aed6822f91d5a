/**
 * HTTP and Apollo setup. Express serves /graphql, the probes (/healthz, /readyz) and /metrics;
 * Apollo builds a context per request (stores, fresh loaders, caller) and hands it to the
 * resolvers.
 *
 * The way of a GraphQL request: request id -> compression -> CORS -> JSON body (size limit) ->
 * token limit -> log scope -> Apollo (CSRF check, parse, validation with the depth/alias/directive
 * limits, cost limit, execution) -> formatError (codes, masking) -> Cache-Control -> one log line
 * and the metrics.
 *
 * Subscriptions go over WebSocket on the same port and path (src/live/wsServer.ts), with the same
 * schema, context and limits; the live hub (src/live/hub.ts) tails the change log for them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { makeExecutableSchema } from '@graphql-tools/schema';
import express, { type RequestHandler } from 'express';
import { DEFAULT_LIVE_SETTINGS, DEFAULT_QUERY_LIMITS, type Config } from './config.js';
import type { Context } from './context.js';
import { callerFrom } from './http/auth.js';
import {
  DEFAULT_CACHE_MAX_AGE_SECONDS,
  cacheControlPlugin,
  compressResponses,
  corsFor,
} from './http/clientHeaders.js';
import { createFormatError } from './http/formatError.js';
import { healthRoutes } from './http/health.js';
import { metricsAccess, notFound } from './http/routes.js';
import { webPages } from './http/web.js';
import { createMetrics } from './http/metrics.js';
import { costLimitPlugin, limitRules } from './http/queryLimits.js';
import { clientKey, rateLimitPlugin } from './http/rateLimit.js';
import { withDeadline } from './neo4j/deadline.js';
import {
  assignRequestId,
  enterRequestScope,
  requestIdOf,
  requestLoggingPlugin,
} from './http/requestLogging.js';
import { bodyErrors, tokenLimit } from './http/requestLimits.js';
import { LiveHub } from './live/hub.js';
import { startLiveServer } from './live/wsServer.js';
import { createLoaders } from './loaders.js';
import type { Logger } from './logger.js';
import { resolvers } from './resolvers/index.js';
import { loadTypeDefs } from './schema.js';
import type { Stores } from './stores/index.js';

/** Largest request body accepted; a GraphQL document with variables is far smaller. */
export const MAX_BODY_BYTES = 100 * 1024;

/** The deadline of a GraphQL request when the config gives none (REQUEST_TIMEOUT_MS). */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** How long shutdown waits for in-flight requests before closing their connections. */
const DRAIN_GRACE_MS = 10_000;

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  /** Live events: the change-log tail and the subscriptions it feeds. */
  live: LiveHub;
  /**
   * Stops accepting connections, closes WebSocket connections (1001), finishes in-flight
   * requests, stops Apollo and the change-log tail.
   */
  stop(): Promise<void>;
}

export interface ServerOptions {
  /**
   * introspection and playground default to on outside production and off in it; limits to
   * DEFAULT_QUERY_LIMITS.
   */
  config: Pick<Config, 'adminToken' | 'production' | 'host' | 'port'> &
    Partial<
      Pick<
        Config,
        | 'introspection'
        | 'playground'
        | 'limits'
        | 'metricsToken'
        | 'metricsPublic'
        | 'requestTimeoutMs'
        | 'rateLimits'
        | 'corsOrigins'
        | 'corsMaxAgeSeconds'
        | 'cacheMaxAgeSeconds'
        | 'live'
      >
    >;
  stores: Stores;
  logger: Logger;
}

export async function startServer({
  config,
  stores,
  logger,
}: ServerOptions): Promise<RunningServer> {
  const introspection = config.introspection ?? !config.production;
  const playground = config.playground ?? !config.production;
  const limits = config.limits ?? DEFAULT_QUERY_LIMITS;
  const requestTimeoutMs = config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // The rest of the request runs under its deadline, which the database enforces.
  const enterDeadline: RequestHandler = (_req, _res, next) => withDeadline(requestTimeoutMs, next);

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const metrics = createMetrics(stores.db);
  // One executable schema for HTTP and WebSocket.
  const schema = makeExecutableSchema<Context>({ typeDefs: loadTypeDefs(), resolvers });
  const formatError = createFormatError(logger, {
    suggestFields: introspection,
    onError: metrics.countError,
  });
  const live = new LiveHub(stores, config.live ?? DEFAULT_LIVE_SETTINGS, logger, metrics.live);
  live.start();
  const liveServer = startLiveServer({
    httpServer,
    schema,
    stores,
    hub: live,
    limits,
    adminToken: config.adminToken,
    maxPayload: MAX_BODY_BYTES,
    formatError,
    logger,
  });

  const apollo = new ApolloServer<Context>({
    schema,
    logger,
    formatError,
    includeStacktraceInErrorResponses: !config.production,
    introspection,
    // On by default in Apollo Server 5; stated because the server relies on it: a GET or a POST
    // with a "simple" content type must carry a header no browser form can set.
    csrfPrevention: true,
    validationRules: limitRules(limits),
    // main.ts owns signal handling: it stops the server, then the driver and the local Neo4j.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: DRAIN_GRACE_MS }),
      // WebSocket connections are closed first (1001 Going Away): clients reconnect elsewhere and
      // resume with `after`. The HTTP drain would otherwise wait for them.
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await liveServer.close();
              await live.stop();
            },
          };
        },
      },
      // No field has cache hints; the plugin would otherwise run a hook for every field resolved.
      ApolloServerPluginCacheControlDisabled(),
      // The playground is our own GraphiQL build (src/http/web.ts), not Apollo's CDN page.
      ApolloServerPluginLandingPageDisabled(),
      costLimitPlugin<Context>(limits.maxCost, limits.maxSearches),
      ...(config.rateLimits ? [rateLimitPlugin<Context>(config.rateLimits)] : []),
      cacheControlPlugin<Context>(config.cacheMaxAgeSeconds ?? DEFAULT_CACHE_MAX_AGE_SECONDS),
      requestLoggingPlugin(logger),
      metrics.plugin,
    ],
  });
  await apollo.start();

  app.use(assignRequestId);
  app.use(compressResponses());
  app.use(healthRoutes(stores.db));
  const web = webPages({ playground, logger });
  app.use(web.pages);
  app.get('/metrics', metricsAccess(config.metricsToken, config.metricsPublic), metrics.handler);
  app.get('/graphql', web.playground);
  app.use(
    '/graphql',
    corsFor(config.corsOrigins, config.corsMaxAgeSeconds),
    express.json({ limit: MAX_BODY_BYTES }),
    bodyErrors(MAX_BODY_BYTES, logger, metrics.countError),
    tokenLimit(limits.maxTokens, metrics.countError),
    enterRequestScope,
    enterDeadline,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => ({
        stores,
        loaders: createLoaders(stores),
        caller: callerFrom(req.headers.authorization, config.adminToken),
        requestId: requestIdOf(res),
        client: clientKey(req),
        cost: { estimate: 0 },
      }),
    }),
  );
  app.use(notFound);

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    httpServer,
    live,
    async stop() {
      await apollo.stop();
      metrics.close();
    },
  };
}
