import neo4j, {
  type Driver,
  type ManagedTransaction,
  type QueryResult,
  type RecordShape,
  type Session,
} from 'neo4j-driver';
import { ErrorCode, UserError } from '../errors.js';

export interface DatabaseOptions {
  uri: string;
  user: string;
  password: string;
  database: string;
  /** Default timeout of reads and writes, in ms. */
  queryTimeoutMs: number;
}

/**
 * Every statement runs as Cypher 25 (quantified path patterns, path modes, allReduce), whatever
 * the database's default language; the pinned Neo4j and any 2025.06+ server support it.
 */
const CYPHER_VERSION = 'CYPHER 25\n';

/** A named, parameterised Cypher statement. Every query string in the stores is one of these. */
export interface Statement {
  name: string;
  cypher: string;
}

export type Params = Record<string, unknown>;
export type Row = Record<string, unknown>;

/** Observes every query; the metrics module uses it. */
export type QueryObserver = (name: string, seconds: number, failed: boolean) => void;

/**
 * The one driver of the process and the only way the stores reach Neo4j.
 *
 * - Integers come back as JS numbers (`disableLosslessIntegers`): nothing above the stores sees
 *   a driver type. Our integers are counts and ids far below 2^53.
 * - Reads go out as reads (routed to followers on a cluster), writes as writes, each in a managed
 *   transaction with a timeout, sessions closed in `finally`.
 * - Connection and retry timeouts are short so that an outage fails requests fast
 *   (DATABASE_UNAVAILABLE) instead of queueing them.
 */
export class Database {
  readonly driver: Driver;
  readonly name: string;
  private readonly queryTimeoutMs: number;
  private observers: QueryObserver[] = [];

  constructor(options: DatabaseOptions) {
    this.name = options.database;
    this.queryTimeoutMs = options.queryTimeoutMs;
    this.driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, options.password), {
      disableLosslessIntegers: true,
      connectionTimeout: 3_000,
      connectionAcquisitionTimeout: 5_000,
      maxTransactionRetryTime: 5_000,
      maxConnectionPoolSize: 50,
      userAgent: 'ai-deal-graph',
    });
  }

  observe(observer: QueryObserver): void {
    this.observers.push(observer);
  }

  /** Runs one read statement in a managed read transaction and returns its rows. */
  async read<T extends Row = Row>(
    statement: Statement,
    params: Params = {},
    timeoutMs = this.queryTimeoutMs,
  ): Promise<T[]> {
    return this.readTx((tx) => runIn<T>(tx, statement, params), timeoutMs, statement.name);
  }

  /** Runs one write statement in a managed write transaction and returns its rows. */
  async write<T extends Row = Row>(statement: Statement, params: Params = {}): Promise<T[]> {
    return this.writeTx((tx) => runIn<T>(tx, statement, params), statement.name);
  }

  /** Several reads that must see one snapshot. */
  async readTx<T>(
    work: (tx: ManagedTransaction) => Promise<T>,
    timeoutMs = this.queryTimeoutMs,
    name = 'readTx',
  ): Promise<T> {
    return this.withSession('READ', name, (session) =>
      session.executeRead(work, {
        timeout: timeoutMs,
        metadata: { app: 'ai-deal-graph', query: name },
      }),
    );
  }

  /** One unit of work that writes; retried by the driver on transient errors (deadlocks). */
  async writeTx<T>(work: (tx: ManagedTransaction) => Promise<T>, name = 'writeTx'): Promise<T> {
    return this.withSession('WRITE', name, (session) =>
      session.executeWrite(work, {
        timeout: this.queryTimeoutMs * 3,
        metadata: { app: 'ai-deal-graph', query: name },
      }),
    );
  }

  /**
   * A read that is never retried: for path and cycle queries whose cost grows with the graph.
   * Managed transactions retry memory-pool errors for up to `maxTransactionRetryTime`; re-running
   * a query that just exhausted the memory pool only makes things worse, so these run as a single
   * auto-commit query under their own timeout.
   */
  async readOnce<T extends Row = Row>(
    statement: Statement,
    params: Params,
    timeoutMs: number,
  ): Promise<T[]> {
    return this.withSession('READ', statement.name, async (session) => {
      const result = await session.run(CYPHER_VERSION + statement.cypher, params, {
        timeout: timeoutMs,
        metadata: { app: 'ai-deal-graph', query: statement.name },
      });
      return result.records.map((r) => r.toObject() as T);
    });
  }

  /** True when Neo4j answers a trivial query within `timeoutMs`. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    try {
      await this.read({ name: 'ping', cypher: 'RETURN 1 AS ok' }, {}, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private async withSession<T>(
    mode: 'READ' | 'WRITE',
    name: string,
    work: (session: Session) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    let failed = false;
    const session = this.driver.session({
      database: this.name,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    try {
      return await work(session);
    } catch (error) {
      failed = true;
      throw translateDriverError(error);
    } finally {
      await session.close();
      const seconds = (performance.now() - started) / 1000;
      for (const observer of this.observers) observer(name, seconds, failed);
    }
  }
}

/** Runs a statement inside a transaction the caller owns; rows as plain objects. */
export async function runIn<T extends Row = Row>(
  tx: ManagedTransaction,
  statement: Statement,
  params: Params = {},
): Promise<T[]> {
  const result: QueryResult<RecordShape> = await tx.run(CYPHER_VERSION + statement.cypher, params);
  return result.records.map((r) => r.toObject() as T);
}

const UNAVAILABLE_CODES = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'Neo.TransientError.General.DatabaseUnavailable',
  'Neo.ClientError.Database.DatabaseNotFound',
]);

/**
 * Turns driver failures users can meet into stable error codes; anything else is rethrown as it
 * is and masked as an internal error by the server.
 */
export function translateDriverError(error: unknown): unknown {
  if (error instanceof UserError) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  const message = (error as { message?: string } | null)?.message ?? '';
  if (
    UNAVAILABLE_CODES.has(code) ||
    (/connect|ECONNREFUSED|acquisition timed out/i.test(code + ' ' + message) &&
      !code.startsWith('Neo.ClientError'))
  ) {
    return new UserError(
      ErrorCode.DATABASE_UNAVAILABLE,
      'The database is unavailable right now; try again shortly.',
    );
  }
  if (code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut')) {
    return new UserError(
      ErrorCode.QUERY_TIMEOUT,
      'The query took longer than its time limit; narrow it down (fewer companies, a shorter maximum length, stricter filters).',
    );
  }
  if (
    code === 'Neo.TransientError.General.MemoryPoolOutOfMemoryError' ||
    code.includes('MemoryLimitExceeded')
  ) {
    return new UserError(
      ErrorCode.QUERY_TOO_LARGE,
      'The query needed more memory than a single query may use; narrow it down.',
    );
  }
  return error;
}
