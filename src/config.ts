import path from 'node:path';

/** Everything the server reads from its environment; see the README's configuration table. */
export interface Config {
  /** Unset: a local Neo4j is provisioned and started by the server itself. */
  neo4jUri: string | undefined;
  neo4jUser: string;
  neo4jPassword: string;
  neo4jDatabase: string;
  host: string;
  port: number;
  /** Unset: mutations are refused. */
  adminToken: string | undefined;
  production: boolean;
  /** Where the local Neo4j of `npm start` keeps its data. */
  localDataDir: string;
  /** Timeout of ordinary reads, in ms; path and cycle queries have their own. */
  queryTimeoutMs: number;
  logLevel: string;
}

export const LOCAL_NEO4J_DEFAULT_PASSWORD = 'local-neo4j-password';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got '${env.PORT}'.`);
  }
  const queryTimeoutMs = Number(env.QUERY_TIMEOUT_MS ?? 10_000);
  if (!Number.isFinite(queryTimeoutMs) || queryTimeoutMs <= 0) {
    throw new Error(`QUERY_TIMEOUT_MS must be a positive number, got '${env.QUERY_TIMEOUT_MS}'.`);
  }
  const adminToken = env.ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new Error('ADMIN_TOKEN must be at least 16 characters long.');
  }
  return {
    neo4jUri: env.NEO4J_URI?.trim() || undefined,
    neo4jUser: env.NEO4J_USER ?? 'neo4j',
    neo4jPassword: env.NEO4J_PASSWORD ?? LOCAL_NEO4J_DEFAULT_PASSWORD,
    neo4jDatabase: env.NEO4J_DATABASE ?? 'neo4j',
    host: env.HOST ?? '127.0.0.1',
    port,
    adminToken,
    production: env.NODE_ENV === 'production',
    localDataDir: path.resolve(env.LOCAL_NEO4J_DATA_DIR ?? '.data/neo4j'),
    queryTimeoutMs,
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
