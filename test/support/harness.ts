/**
 * What a test file needs: the server running in-process on a free port against the test Neo4j,
 * real HTTP requests to it, and a way to reset the database to a known graph.
 */
import { inject } from 'vitest';
import { Database } from '../../src/neo4j/database.js';
import { migrate } from '../../src/neo4j/migrations.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js';
import { createStores, type Stores } from '../../src/stores/index.js';
import type { CycleStoreOptions } from '../../src/stores/cycleStore.js';
import { importDataset, type ImportReport } from '../../src/importer/importDataset.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestServer {
  url: string;
  baseUrl: string;
  db: Database;
  stores: Stores;
  server: RunningServer;
  /** POSTs a GraphQL request; `token` null sends no Authorization header. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  /** Empties the database. */
  reset(): Promise<void>;
  /** Empties the database and imports `dataset` (the documented import format). */
  load(dataset: unknown): Promise<ImportReport>;
  /** Runs a Cypher read for assertions about what is stored. */
  cypher(query: string, params?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * POSTs a GraphQL request with the admin token to `url` and says how long the answer took: for
 * the tests of a server whose Neo4j stops and comes back (each runs its own).
 */
export async function timedGql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse & { elapsedMs: number }> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
  return { status: response.status, ...body, elapsedMs: performance.now() - started };
}

export function testDatabase(options: { heavyReadConcurrency?: number } = {}): Database {
  return new Database({
    uri: inject('neo4jUri'),
    user: 'neo4j',
    password: inject('neo4jPassword'),
    database: 'neo4j',
    queryTimeoutMs: 20_000,
    ...options,
  });
}

export interface TestServerOptions {
  adminToken?: string | undefined;
  production?: boolean;
  /** Further server settings (introspection, playground, limits). */
  config?: Partial<ServerOptions['config']>;
  /** Default: silent, or TEST_LOG_LEVEL. */
  logger?: Logger;
  /** Time limit and result cap of cycle and path queries. */
  cycleLimits?: CycleStoreOptions;
}

export async function startTestServer(
  options: TestServerOptions = { adminToken: ADMIN_TOKEN },
): Promise<TestServer> {
  const db = testDatabase();
  await migrate(db);
  const stores = createStores(db, options.cycleLimits);
  const logger = options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const server = await startServer({
    config: {
      adminToken: options.adminToken,
      production: options.production ?? false,
      host: '127.0.0.1',
      port: 0,
      ...options.config,
    },
    stores,
    logger,
  });
  const url = `http://127.0.0.1:${server.port}/graphql`;
  const reset = async (): Promise<void> => {
    await db.write({ name: 'test:reset', cypher: 'MATCH (n) DETACH DELETE n' });
  };
  return {
    url,
    baseUrl: `http://127.0.0.1:${server.port}`,
    db,
    stores,
    server,
    async gql(query, variables, { token = ADMIN_TOKEN, headers = {} } = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<never>;
    },
    reset,
    async load(dataset) {
      await reset();
      const report = await importDataset(stores, dataset);
      if (report.rejections.length) {
        throw new Error(`fixture rejected: ${JSON.stringify(report.rejections, null, 2)}`);
      }
      return report;
    },
    cypher: (query, params = {}) => db.read({ name: 'test:cypher', cypher: query }, params),
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
