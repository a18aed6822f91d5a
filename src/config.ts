import path from 'node:path';

/**
 * Limits on what one GraphQL document may ask for; a document past one is refused with a code
 * naming the limit (see src/http/queryLimits.ts). The defaults let connection queries two hops
 * deep through full pages pass and stop documents built to multiply work.
 */
export interface QueryLimits {
  /** Nesting of fields (fragments do not add a level). */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens in the document, counted before it is parsed. */
  maxTokens: number;
  /** Estimated fields in the response, counting each requested page as full. */
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxAliases: 20,
  maxDirectives: 20,
  maxTokens: 2_000,
  maxCost: 100_000,
};

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
  /** Set: GET /metrics needs `Authorization: Bearer <token>`; unset: /metrics is open. */
  metricsToken: string | undefined;
  production: boolean;
  /** Schema introspection; default: on in development, off in production. */
  introspection: boolean;
  /** The Apollo Sandbox landing page on GET /graphql; default: on in development, off in production. */
  playground: boolean;
  limits: QueryLimits;
  /** Where the local Neo4j of `npm start` keeps its data. */
  localDataDir: string;
  /** Timeout of ordinary reads, in ms; path and cycle queries have their own. */
  queryTimeoutMs: number;
  /** At most this many cycle, path and graph queries run at once; the others wait their turn. */
  heavyQueryConcurrency: number;
  logLevel: string;
}

export const LOCAL_NEO4J_DEFAULT_PASSWORD = 'local-neo4j-password';

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got '${env[name]}'.`);
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got '${env[name]}'.`);
  }
  return value;
}

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
  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new Error('METRICS_TOKEN must be at least 16 characters long.');
  }
  const production = env.NODE_ENV === 'production';
  const introspection = flag(env, 'GRAPHQL_INTROSPECTION', !production);
  return {
    neo4jUri: env.NEO4J_URI?.trim() || undefined,
    neo4jUser: env.NEO4J_USER ?? 'neo4j',
    neo4jPassword: env.NEO4J_PASSWORD ?? LOCAL_NEO4J_DEFAULT_PASSWORD,
    neo4jDatabase: env.NEO4J_DATABASE ?? 'neo4j',
    host: env.HOST ?? '127.0.0.1',
    port,
    adminToken,
    metricsToken,
    production,
    introspection,
    playground: flag(env, 'GRAPHQL_PLAYGROUND', !production),
    limits: {
      maxDepth: positiveInt(env, 'GRAPHQL_MAX_DEPTH', DEFAULT_QUERY_LIMITS.maxDepth),
      maxAliases: positiveInt(env, 'GRAPHQL_MAX_ALIASES', DEFAULT_QUERY_LIMITS.maxAliases),
      maxDirectives: positiveInt(env, 'GRAPHQL_MAX_DIRECTIVES', DEFAULT_QUERY_LIMITS.maxDirectives),
      maxTokens: positiveInt(env, 'GRAPHQL_MAX_TOKENS', DEFAULT_QUERY_LIMITS.maxTokens),
      maxCost: positiveInt(env, 'GRAPHQL_MAX_COST', DEFAULT_QUERY_LIMITS.maxCost),
    },
    localDataDir: path.resolve(env.LOCAL_NEO4J_DATA_DIR ?? '.data/neo4j'),
    queryTimeoutMs,
    heavyQueryConcurrency: positiveInt(env, 'HEAVY_QUERY_CONCURRENCY', 4),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
