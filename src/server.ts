/**
 * HTTP and Apollo setup: express serves /graphql, /healthz and /readyz; Apollo builds a context
 * per request (stores, fresh loaders, caller) and hands it to the resolvers.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { callerFrom } from './http/auth.js';
import { createFormatError } from './http/formatError.js';
import { createLoaders } from './loaders.js';
import type { Logger } from './logger.js';
import { resolvers } from './resolvers/index.js';
import { loadTypeDefs } from './schema.js';
import type { Stores } from './stores/index.js';

/** Largest request body accepted; a GraphQL document with variables is far smaller. */
export const MAX_BODY_BYTES = 100 * 1024;

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  /** Stops accepting connections, finishes in-flight requests, stops Apollo. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  config: Pick<Config, 'adminToken' | 'production' | 'host' | 'port'>;
  stores: Stores;
  logger: Logger;
}

export async function startServer({
  config,
  stores,
  logger,
}: ServerOptions): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const apollo = new ApolloServer<Context>({
    typeDefs: loadTypeDefs(),
    resolvers,
    formatError: createFormatError(logger),
    includeStacktraceInErrorResponses: !config.production,
    introspection: true,
    // main.ts owns signal handling: it stops the server, then the driver and the local Neo4j.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      config.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await stores.db.ping();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', neo4j: ready });
  });

  app.use(
    '/graphql',
    cors(),
    express.json({ limit: MAX_BODY_BYTES }),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({
        stores,
        loaders: createLoaders(stores),
        caller: callerFrom(req.headers.authorization, config.adminToken),
        requestId: req.header('x-request-id') ?? randomUUID(),
      }),
    }),
  );

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    httpServer,
    stop: () => apollo.stop(),
  };
}
