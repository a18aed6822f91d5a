import neo4j, {
  type Driver,
  type ManagedTransaction,
  type QueryResult,
  type RecordShape,
  type Session,
} from 'neo4j-driver';
import pLimit, { type LimitFunction } from 'p-limit';
import { ErrorCode, UserError } from '../errors.js';

export interface DatabaseOptions {
  uri: string;
  user: string;
  password: string;
  database: string;
  /** Default timeout of reads and writes, in ms. */
  queryTimeoutMs: number;
  /**
   * At most this many reads of `readOnceTx` (cycle, path and graph queries) run at once; the
   * others wait their turn (default 4).
   */
  heavyReadConcurrency?: number;
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

const builtStatements = new Map<string, Statement>();

/**
 * A statement whose text is assembled in code from closed lists (an order clause, a literal
 * quantifier bound): built once per name and reused, so the driver and the planner see the same
 * text every time. Never build one from input.
 */
export function builtStatement(name: string, build: () => string): Statement {
  let statement = builtStatements.get(name);
  if (!statement) {
    statement = { name, cypher: build() };
    builtStatements.set(name, statement);
  }
  return statement;
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
 *   (DATABASE_UNAVAILABLE) instead of queueing them. Once work has failed that way, each later
 *   unit of work first runs one probe without retries (milliseconds when the port is closed), and
 *   fails at once if Neo4j still does not answer, instead of sitting in the managed
 *   transaction's retry loop for maxTransactionRetryTime; the first success closes the circuit.
 */
export class Database {
  readonly driver: Driver;
  readonly name: string;
  private readonly queryTimeoutMs: number;
  private observers: QueryObserver[] = [];
  /** Set when work failed because Neo4j could not be reached; cleared by the next success. */
  private unreachable = false;
  /** The probe in flight, shared by every request that waits on it. */
  private probing: Promise<boolean> | undefined;
  /**
   * Admission of heavy reads. Each can hold tens of MB of Neo4j's transaction memory pool, which
   * all queries share (70% of the heap by default): ten drawn graphs at once on a 1 GB heap
   * exhausted it and some failed with QUERY_TOO_LARGE. Waiting for a turn costs no throughput,
   * as these queries are CPU-bound anyway.
   */
  private readonly heavyReads: LimitFunction;

  constructor(options: DatabaseOptions) {
    this.name = options.database;
    this.queryTimeoutMs = options.queryTimeoutMs;
    this.heavyReads = pLimit(options.heavyReadConcurrency ?? 4);
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
   * Reads that are never retried: for path and cycle queries whose cost grows with the graph.
   * Managed transactions retry memory-pool errors for up to `maxTransactionRetryTime`; re-running
   * a query that just exhausted the memory pool only makes things worse, so these run in one
   * explicit read transaction, once, under their own timeout.
   */
  async readOnceTx<T>(
    work: (tx: QueryRunner) => Promise<T>,
    timeoutMs: number,
    name: string,
  ): Promise<T> {
    return this.heavyReads(() => this.onceTx(work, timeoutMs, name));
  }

  private onceTx<T>(
    work: (tx: QueryRunner) => Promise<T>,
    timeoutMs: number,
    name: string,
  ): Promise<T> {
    return this.withSession('READ', name, async (session) => {
      const tx = session.beginTransaction({
        timeout: timeoutMs,
        metadata: { app: 'ai-deal-graph', query: name },
      });
      try {
        const result = await work(tx);
        await tx.commit();
        return result;
      } finally {
        if (tx.isOpen()) await tx.rollback();
      }
    });
  }

  /** One statement of readOnceTx. */
  async readOnce<T extends Row = Row>(
    statement: Statement,
    params: Params,
    timeoutMs: number,
  ): Promise<T[]> {
    return this.readOnceTx((tx) => runIn<T>(tx, statement, params), timeoutMs, statement.name);
  }

  /**
   * True when Neo4j answers a trivial query within `timeoutMs`: one attempt, no retries, so the
   * answer comes within the bound even while Neo4j is down or hanging.
   */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    const ok = await this.probe(timeoutMs);
    if (ok) this.unreachable = false;
    return ok;
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
    try {
      if (this.unreachable && !(await this.sharedProbe())) throw unavailable();
      const session = this.driver.session({
        database: this.name,
        defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      });
      try {
        const result = await work(session);
        this.unreachable = false;
        return result;
      } finally {
        await session.close();
      }
    } catch (error) {
      failed = true;
      const translated = translateDriverError(error);
      if (isUnavailable(translated)) this.unreachable = true;
      throw translated;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      for (const observer of this.observers) observer(name, seconds, failed);
    }
  }

  private sharedProbe(): Promise<boolean> {
    this.probing ??= this.probe(PROBE_TIMEOUT_MS)
      .then((ok) => {
        if (ok) this.unreachable = false;
        return ok;
      })
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }

  /** One auto-commit `RETURN 1`, bounded by `timeoutMs` however the connection behaves. */
  private async probe(timeoutMs: number): Promise<boolean> {
    const session = this.driver.session({
      database: this.name,
      defaultAccessMode: neo4j.session.READ,
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      const answered = session
        .run(
          'RETURN 1 AS ok',
          {},
          { timeout: timeoutMs, metadata: { app: 'ai-deal-graph', query: 'ping' } },
        )
        .then(
          () => true,
          () => false,
        );
      return await Promise.race([answered, deadline]);
    } finally {
      clearTimeout(timer);
      // Not awaited: after a deadline the session may still be waiting on the dead connection.
      session.close().catch(() => undefined);
    }
  }
}

/**
 * How long a unit of work waits, while Neo4j is known to be down, for the probe to answer. A
 * closed port answers in milliseconds; this bounds a hanging server, and leaves room for the
 * first connection to a Neo4j that just came back (TLS-less Bolt handshake and login: seconds on
 * a busy machine).
 */
const PROBE_TIMEOUT_MS = 5_000;

function unavailable(): UserError {
  return new UserError(
    ErrorCode.DATABASE_UNAVAILABLE,
    'The database is unavailable right now; try again shortly.',
  );
}

function isUnavailable(error: unknown): boolean {
  return error instanceof UserError && error.extensions.code === ErrorCode.DATABASE_UNAVAILABLE;
}

/** Runs a statement inside a transaction the caller owns; rows as plain objects. */
/** A transaction, managed or explicit: what runIn needs. */
export type QueryRunner = Pick<ManagedTransaction, 'run'>;

export async function runIn<T extends Row = Row>(
  tx: QueryRunner,
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
    return unavailable();
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
