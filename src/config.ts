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
  /**
   * Cycle, path and graph searches one request may run, each counted once per item of the pages
   * it sits in (Company.cycles under a page of 20 companies is 20).
   */
  maxSearches: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxAliases: 20,
  maxDirectives: 20,
  maxTokens: 2_000,
  maxCost: 100_000,
  maxSearches: 10,
};

/** The local Neo4j that `npm start`, the tests and the benchmarks provision and run. */
export interface LocalNeo4jSettings {
  /** Where the Neo4j jars are installed (LOCAL_NEO4J_HOME; default .neo4j in the project). */
  home: string | undefined;
  /** JDK homes to try before /usr/lib/jvm, in order (NEO4J_JAVA_HOME, then JAVA_HOME). */
  javaHomes: string[];
  /** Heap of the local Neo4j in MB (NEO4J_HEAP_MB). */
  heapMb: number;
}

/** Limits of cycle and path searches (src/stores/cycleStore.ts). */
export interface CycleLimits {
  /** Time limit of one cycle or path query, in ms (CYCLE_QUERY_TIMEOUT_MS). */
  timeoutMs: number;
  /** Most cycles or paths one query may find (CYCLE_RESULT_CAP). */
  resultCap: number;
  /**
   * Time limit of one cycle count (`totalCount` of a cycle page), in ms (CYCLE_COUNT_TIMEOUT_MS;
   * default: CYCLE_QUERY_TIMEOUT_MS). Past it only `totalCount` fails; the page still comes.
   */
  countTimeoutMs?: number;
  /**
   * Concurrent transactions a whole-graph count is split into (CYCLE_COUNT_PARTS, default 2:
   * one per core of a small Neo4j host); each takes a heavy-query slot.
   */
  countParts?: number;
}

export const DEFAULT_CYCLE_LIMITS: CycleLimits = { timeoutMs: 20_000, resultCap: 5_000 };

/**
 * Per-client rate limits (src/http/rateLimit.ts): each client (its bearer token, else its address)
 * has `points` per `windowSeconds`; a request costs 1 point plus one per `costUnit` of its
 * estimated cost, so cycle searches and large pages cost more than a lookup.
 */
export interface RateLimits {
  points: number;
  windowSeconds: number;
  costUnit: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { points: 600, windowSeconds: 60, costUnit: 1_000 };

/**
 * Live events (subscriptions over WebSocket, src/live/): how the change log is tailed and kept,
 * and the limits on who listens. See the README's "Live events".
 */
export interface LiveSettings {
  /** How often every server reads new changes from the log, in ms (LIVE_POLL_MS). */
  pollMs: number;
  /** Changes are kept this long for clients resuming with a cursor (LIVE_RETENTION_HOURS). */
  retentionHours: number;
  /** Open WebSocket connections one server accepts (LIVE_MAX_CONNECTIONS). */
  maxConnections: number;
  /** Subscriptions one connection may hold at once (LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  maxSubscriptionsPerConnection: number;
  /**
   * Events one subscription may have waiting to be sent; past it (or past
   * LIVE_MAX_BUFFERED_BYTES unsent on the socket) the client is a slow consumer and is
   * disconnected (LIVE_MAX_QUEUED_EVENTS).
   */
  maxQueuedEvents: number;
  maxBufferedBytes: number;
  /**
   * How long a cycle filter's events stay resumable on this server after its last subscriber
   * left, in seconds (LIVE_RESUME_SECONDS).
   */
  resumeSeconds: number;
}

export const DEFAULT_LIVE_SETTINGS: LiveSettings = {
  pollMs: 150,
  retentionHours: 24,
  maxConnections: 1_000,
  maxSubscriptionsPerConnection: 20,
  maxQueuedEvents: 1_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  resumeSeconds: 300,
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
  /** Set: GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** METRICS_PUBLIC=true: GET /metrics is open to anyone. Neither: /metrics is closed. */
  metricsPublic: boolean;
  /** Browser origins answered with credentials (CORS_ORIGINS); unset: any origin, no credentials. */
  corsOrigins: string[] | undefined;
  /** Access-Control-Max-Age of preflight answers, in seconds. */
  corsMaxAgeSeconds: number;
  /** max-age of public GET query answers, in seconds; 0: never cacheable. */
  cacheMaxAgeSeconds: number;
  production: boolean;
  /** Schema introspection; default: on in development, off in production. */
  introspection: boolean;
  /** The Apollo Sandbox landing page on GET /graphql; default: on in development, off in production. */
  playground: boolean;
  limits: QueryLimits;
  /** Where the local Neo4j of `npm start` keeps its data. */
  localDataDir: string;
  /** How the local Neo4j is installed and run. */
  localNeo4j: LocalNeo4jSettings;
  /**
   * Timeout of ordinary reads, in ms; path and cycle queries have their own. A Neo4j that does
   * not answer at all is noticed sooner, within about 4 s (src/neo4j/database.ts).
   */
  queryTimeoutMs: number;
  /** Deadline of a whole GraphQL request, in ms: no unit of work of it outlives it. */
  requestTimeoutMs: number;
  /** Unset (RATE_LIMIT=false): no rate limits. */
  rateLimits: RateLimits | undefined;
  cycleLimits: CycleLimits;
  /** At most this many cycle, path and graph queries run at once; the others wait their turn. */
  heavyQueryConcurrency: number;
  live: LiveSettings;
  /** Load the seed dataset into an empty database (SEED; default true). */
  seed: boolean;
  logLevel: LogLevel;
}

export const LOCAL_NEO4J_DEFAULT_PASSWORD = 'local-neo4j-password';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Longest time limit a setting may give (one hour): past it a limit no longer limits. */
const MAX_TIMEOUT_MS = 3_600_000;

/** A setting that cannot be used: the server refuses to start and says which one, and why. */
export class ConfigError extends Error {
  constructor(readonly problems: { setting: string; message: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.setting} ${p.message}`).join('; ')}.`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads settings from the environment, collecting every problem so that one start-up error lists
 * them all. An empty value counts as unset (compose files pass `${X:-}`).
 */
class Settings {
  readonly problems: { setting: string; message: string }[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  private problem(name: string, message: string): void {
    this.problems.push({ setting: name, message: `${message}, got '${this.env[name]}'` });
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  flag(name: string, fallback: boolean): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    this.problem(name, 'must be true or false');
    return fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = /^[+]?\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.problem(name, `must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  positiveInt(name: string, fallback: number): number {
    return this.int(name, fallback, 1, Number.MAX_SAFE_INTEGER);
  }

  token(name: string): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && value.length < 16) {
      this.problems.push({ setting: name, message: 'must be at least 16 characters long' });
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.problem(name, `must be one of ${values.join(', ')}`);
    return fallback;
  }
}

/**
 * CORS_ORIGINS: a comma-separated list of origins (`https://app.example.com,http://localhost:5173`),
 * each a scheme, host and optional port, nothing more (an origin is compared as a whole string).
 */
function corsOrigins(settings: Settings): string[] | undefined {
  const raw = settings.optional('CORS_ORIGINS');
  if (raw === undefined) return undefined;
  const origins = raw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  const bad = origins.filter((o) => !/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(o));
  if (bad.length || origins.length === 0) {
    settings.problems.push({
      setting: 'CORS_ORIGINS',
      message: `must be origins such as https://app.example.com, comma-separated (no path, no '*'), got '${raw}'`,
    });
    return undefined;
  }
  return origins.map((o) => o.toLowerCase());
}

const NEO4J_SCHEMES = /^(bolt|neo4j)(\+s|\+ssc)?:\/\/[^/\s]+/;

function readLocalNeo4j(settings: Settings): LocalNeo4jSettings {
  const home = settings.optional('LOCAL_NEO4J_HOME');
  return {
    home: home === undefined ? undefined : path.resolve(home),
    javaHomes: [settings.optional('NEO4J_JAVA_HOME'), settings.optional('JAVA_HOME')].filter(
      (h): h is string => h !== undefined,
    ),
    heapMb: settings.int('NEO4J_HEAP_MB', 1024, 256, 1_048_576),
  };
}

function check<T>(settings: Settings, value: T): T {
  if (settings.problems.length) throw new ConfigError(settings.problems);
  return value;
}

/**
 * The settings of the local Neo4j alone: what the test suite and the benchmarks need, which
 * provision Neo4j without serving anything. Throws a ConfigError naming each bad setting.
 */
export function loadLocalNeo4jSettings(env: NodeJS.ProcessEnv = process.env): LocalNeo4jSettings {
  const settings = new Settings(env);
  return check(settings, readLocalNeo4j(settings));
}

/** Every setting, parsed and checked. Throws a ConfigError naming each bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const settings = new Settings(env);
  const neo4jUri = settings.optional('NEO4J_URI');
  if (neo4jUri !== undefined && !NEO4J_SCHEMES.test(neo4jUri)) {
    settings.problems.push({
      setting: 'NEO4J_URI',
      message: `must be a bolt://, bolt+s://, neo4j:// or neo4j+s:// address, got '${neo4jUri}'`,
    });
  }
  const production = settings.string('NODE_ENV', '') === 'production';
  const config: Config = {
    neo4jUri,
    neo4jUser: settings.string('NEO4J_USER', 'neo4j'),
    neo4jPassword: settings.string('NEO4J_PASSWORD', LOCAL_NEO4J_DEFAULT_PASSWORD),
    neo4jDatabase: settings.string('NEO4J_DATABASE', 'neo4j'),
    host: settings.string('HOST', '127.0.0.1'),
    port: settings.int('PORT', 4000, 0, 65_535),
    adminToken: settings.token('ADMIN_TOKEN'),
    metricsToken: settings.token('METRICS_TOKEN'),
    metricsPublic: settings.flag('METRICS_PUBLIC', false),
    corsOrigins: corsOrigins(settings),
    corsMaxAgeSeconds: settings.int('CORS_MAX_AGE_SECONDS', 600, 0, 86_400),
    cacheMaxAgeSeconds: settings.int('CACHE_MAX_AGE_SECONDS', 30, 0, 86_400),
    production,
    introspection: settings.flag('GRAPHQL_INTROSPECTION', !production),
    playground: settings.flag('GRAPHQL_PLAYGROUND', !production),
    limits: {
      maxDepth: settings.positiveInt('GRAPHQL_MAX_DEPTH', DEFAULT_QUERY_LIMITS.maxDepth),
      maxAliases: settings.positiveInt('GRAPHQL_MAX_ALIASES', DEFAULT_QUERY_LIMITS.maxAliases),
      maxDirectives: settings.positiveInt(
        'GRAPHQL_MAX_DIRECTIVES',
        DEFAULT_QUERY_LIMITS.maxDirectives,
      ),
      maxTokens: settings.positiveInt('GRAPHQL_MAX_TOKENS', DEFAULT_QUERY_LIMITS.maxTokens),
      maxCost: settings.positiveInt('GRAPHQL_MAX_COST', DEFAULT_QUERY_LIMITS.maxCost),
      maxSearches: settings.positiveInt('GRAPHQL_MAX_SEARCHES', DEFAULT_QUERY_LIMITS.maxSearches),
    },
    localDataDir: path.resolve(settings.string('LOCAL_NEO4J_DATA_DIR', '.data/neo4j')),
    localNeo4j: readLocalNeo4j(settings),
    queryTimeoutMs: settings.int('QUERY_TIMEOUT_MS', 10_000, 1, MAX_TIMEOUT_MS),
    requestTimeoutMs: settings.int('REQUEST_TIMEOUT_MS', 30_000, 100, MAX_TIMEOUT_MS),
    rateLimits: settings.flag('RATE_LIMIT', true)
      ? {
          points: settings.positiveInt('RATE_LIMIT_POINTS', DEFAULT_RATE_LIMITS.points),
          windowSeconds: settings.int(
            'RATE_LIMIT_WINDOW_SECONDS',
            DEFAULT_RATE_LIMITS.windowSeconds,
            1,
            86_400,
          ),
          costUnit: settings.positiveInt('RATE_LIMIT_COST_UNIT', DEFAULT_RATE_LIMITS.costUnit),
        }
      : undefined,
    cycleLimits: {
      timeoutMs: settings.int(
        'CYCLE_QUERY_TIMEOUT_MS',
        DEFAULT_CYCLE_LIMITS.timeoutMs,
        1,
        MAX_TIMEOUT_MS,
      ),
      resultCap: settings.positiveInt('CYCLE_RESULT_CAP', DEFAULT_CYCLE_LIMITS.resultCap),
      // Unset: counts have the cycle time limit, and 2 parts (src/stores/cycleCounts.ts).
      ...(settings.optional('CYCLE_COUNT_TIMEOUT_MS') !== undefined && {
        countTimeoutMs: settings.int('CYCLE_COUNT_TIMEOUT_MS', 0, 1, MAX_TIMEOUT_MS),
      }),
      ...(settings.optional('CYCLE_COUNT_PARTS') !== undefined && {
        countParts: settings.int('CYCLE_COUNT_PARTS', 2, 1, 16),
      }),
    },
    heavyQueryConcurrency: settings.int('HEAVY_QUERY_CONCURRENCY', 4, 1, 1_000),
    live: {
      pollMs: settings.int('LIVE_POLL_MS', DEFAULT_LIVE_SETTINGS.pollMs, 10, 60_000),
      retentionHours: settings.int(
        'LIVE_RETENTION_HOURS',
        DEFAULT_LIVE_SETTINGS.retentionHours,
        1,
        24 * 90,
      ),
      maxConnections: settings.int(
        'LIVE_MAX_CONNECTIONS',
        DEFAULT_LIVE_SETTINGS.maxConnections,
        0,
        1_000_000,
      ),
      maxSubscriptionsPerConnection: settings.int(
        'LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION',
        DEFAULT_LIVE_SETTINGS.maxSubscriptionsPerConnection,
        1,
        10_000,
      ),
      maxQueuedEvents: settings.int(
        'LIVE_MAX_QUEUED_EVENTS',
        DEFAULT_LIVE_SETTINGS.maxQueuedEvents,
        1,
        1_000_000,
      ),
      maxBufferedBytes: settings.int(
        'LIVE_MAX_BUFFERED_BYTES',
        DEFAULT_LIVE_SETTINGS.maxBufferedBytes,
        1_024,
        1_073_741_824,
      ),
      resumeSeconds: settings.int(
        'LIVE_RESUME_SECONDS',
        DEFAULT_LIVE_SETTINGS.resumeSeconds,
        0,
        86_400,
      ),
    },
    seed: settings.flag('SEED', true),
    logLevel: settings.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  return check(settings, config);
}
