import neo4j, {
  type Driver,
  type ManagedTransaction,
  type QueryResult,
  type RecordShape,
  type Session,
} from 'neo4j-driver';
import pLimit, { type LimitFunction } from 'p-limit';
import { ErrorCode, UserError } from '../errors.js';
import { remainingMs } from './deadline.js';

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
  /**
   * The parameters travel as one map, `$p` (the text reads `$p.minAmount`): see `oneMapStatement`.
   * runIn wraps them.
   */
  oneMap?: boolean;
}

const builtStatements = new Map<string, Statement>();

/**
 * A statement whose text is assembled in code from closed lists (an order clause, a literal
 * quantifier bound): built once per name and reused, so the driver and the planner see the same
 * text every time. Never build one from input. `oneMap`: see `oneMapStatement`.
 */
export function builtStatement(
  name: string,
  build: () => string,
  options: { oneMap?: boolean } = {},
): Statement {
  let statement = builtStatements.get(name);
  if (!statement) {
    statement = options.oneMap ? oneMapStatement(name, build()) : { name, cypher: build() };
    builtStatements.set(name, statement);
  }
  return statement;
}

/**
 * A statement whose parameters are passed as one map `$p`: its text is written with plain
 * parameters (`$minAmount`) and rewritten here to read them from the map (`$p.minAmount`).
 *
 * Why: Neo4j caches a plan by statement text AND the types of its parameters, and a parameter
 * that is null in one request and a list or an integer in the next (a filter given or not) is a
 * new cache entry, planned again: seconds for the long cycle searches. A map parameter has one
 * type whatever it holds, so each text is planned once, and a plan made at start-up with
 * parameters that match nothing serves every request. A key missing from the map reads as null,
 * so the start-up run need not know every parameter. For long statements run with varying
 * filters; short fixed ones plan in milliseconds and need not bother.
 */
export function oneMapStatement(name: string, cypher: string): Statement {
  return { name, cypher: cypher.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, '$$p.$1'), oneMap: true };
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
 * - Deadlines are enforced here, in the server, not only by Neo4j: a transaction timeout is
 *   Neo4j's to enforce, and a Neo4j that stopped answering (a frozen process, a partition
 *   without a reset) enforces nothing. Every unit of work is bounded by its own timeout and by
 *   what is left of the request's deadline (src/neo4j/deadline.ts); Neo4j gets that bound as the
 *   transaction timeout, and the server gives up WATCHDOG_GRACE_MS after it (QUERY_TIMEOUT).
 *   Meanwhile, work waiting on Neo4j checks from 2 s on that Neo4j is not silent (see watch()):
 *   a silent Neo4j fails it with DATABASE_UNAVAILABLE within about 4 s, whatever its timeout.
 * - The circuit breaker: while open, work fails at once with DATABASE_UNAVAILABLE (nothing piles
 *   up behind a dead database) and a probe (`RETURN 1`, no retries, bounded) runs every
 *   PROBE_INTERVAL_MS; the first answer closes it. Connection errors open it too.
 * - A write that was sent and not answered may or may not have committed: its error says so
 *   (`extensions.writeOutcome: UNKNOWN`) and that retrying is safe, as every write is idempotent
 *   by id. A write refused while the circuit is open was never sent (`NOT_APPLIED`).
 */
export class Database {
  readonly driver: Driver;
  readonly name: string;
  private readonly queryTimeoutMs: number;
  private observers: QueryObserver[] = [];
  /** Open while Neo4j is known not to answer: work fails at once and a probe runs periodically. */
  private circuitOpen = false;
  private probeTimer: NodeJS.Timeout | undefined;
  /** The probe in flight, shared by the probe loop and every request that waits on it. */
  private probing: Promise<boolean> | undefined;
  /** When Neo4j last answered a unit of work (performance.now()). */
  private lastAnswerAt = Number.NEGATIVE_INFINITY;
  /** Units of work waiting on Neo4j: each fails at once when the circuit opens. */
  private readonly silenced = new Set<() => void>();
  private closed = false;
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
      // Pooled connections idle this long are checked (a RESET round trip) before reuse, so a
      // connection to a Neo4j that restarted meanwhile is dropped instead of failing a request.
      connectionLivenessCheckTimeout: 5_000,
      // Writes that deadlock (parallel writers of one company; every write also takes the change
      // log's head lock) are retried this long; each try is still bounded by the request deadline.
      maxTransactionRetryTime: 15_000,
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
    return this.withSession('READ', name, timeoutMs, (session, timeout) =>
      session.executeRead(work, { timeout, metadata: { app: 'ai-deal-graph', query: name } }),
    );
  }

  /** One unit of work that writes; retried by the driver on transient errors (deadlocks). */
  async writeTx<T>(work: (tx: ManagedTransaction) => Promise<T>, name = 'writeTx'): Promise<T> {
    return this.withSession('WRITE', name, this.queryTimeoutMs * 3, (session, timeout) =>
      session.executeWrite(work, { timeout, metadata: { app: 'ai-deal-graph', query: name } }),
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
    const left = remainingMs();
    if (left === undefined) return this.heavyReads(() => this.onceTx(work, timeoutMs, name));
    // The wait for a slot counts against the request's deadline: past it, the request gives up
    // its place in the queue (the slot, when its turn comes, is passed on at once).
    let started = false;
    let abandoned = false;
    const turn = this.heavyReads(async () => {
      if (abandoned) return ABANDONED;
      started = true;
      return this.onceTx(work, timeoutMs, name);
    });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          if (started) return;
          abandoned = true;
          reject(slotsBusy(this.heavyReads.activeCount, this.heavyReads.pendingCount));
        },
        Math.max(0, left - WATCHDOG_GRACE_MS),
      );
      turn.then(
        (result) => {
          clearTimeout(timer);
          if (result !== ABANDONED) resolve(result as T);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private onceTx<T>(
    work: (tx: QueryRunner) => Promise<T>,
    timeoutMs: number,
    name: string,
  ): Promise<T> {
    return this.withSession('READ', name, timeoutMs, async (session, timeout) => {
      const tx = session.beginTransaction({
        timeout,
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
    if (ok) this.closeCircuit();
    return ok;
  }

  /** Whether work is being refused because Neo4j stopped answering. */
  get unavailable(): boolean {
    return this.circuitOpen;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    await this.driver.close();
  }

  /**
   * One unit of work in a session, bounded by `timeoutMs` and the request's deadline. `work`
   * receives the bound to pass to Neo4j as the transaction timeout.
   */
  private async withSession<T>(
    mode: 'READ' | 'WRITE',
    name: string,
    timeoutMs: number,
    work: (session: Session, timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    let failed = false;
    let sent = false;
    try {
      if (this.circuitOpen && !(await this.probeWithin(PROBE_WAIT_MS))) {
        throw unavailable(mode === 'WRITE' ? 'NOT_APPLIED' : undefined);
      }
      const timeout = boundedByDeadline(timeoutMs);
      const session = this.driver.session({
        database: this.name,
        defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      });
      sent = true;
      let settled = false;
      const running = work(session, timeout).then(
        (result) => {
          settled = true;
          this.lastAnswerAt = performance.now();
          return result;
        },
        (error: unknown) => {
          settled = true;
          // An error Neo4j sent (a timeout, a constraint) is an answer too; a broken
          // connection is not.
          if (!isUnavailable(translateDriverError(error))) this.lastAnswerAt = performance.now();
          throw error;
        },
      );
      try {
        return await this.watch(running, mode, timeout);
      } finally {
        if (settled) await session.close();
        // Neo4j did not answer: the session is closed once it does, or its connection breaks.
        else void running.then(noop, noop).finally(() => session.close().catch(noop));
      }
    } catch (error) {
      failed = true;
      let translated = translateDriverError(error);
      if (isUnavailable(translated)) {
        this.openCircuit();
        if (mode === 'WRITE' && sent && !hasWriteOutcome(translated))
          translated = unavailable('UNKNOWN');
      }
      throw translated;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      for (const observer of this.observers) observer(name, seconds, failed);
    }
  }

  /**
   * Waits for `running`, watching Neo4j meanwhile. Neo4j may be silent (frozen, partitioned) or
   * merely slow (a statement being planned does not check its timeout). From SILENCE_CHECK_MS on,
   * and every SILENCE_RECHECK_MS after, it checks: Neo4j answered other work in the last
   * RECENT_ANSWER_MS, or answers a quick probe on another connection, means slow, and the work
   * goes on up to its own bound (then QUERY_TIMEOUT); else Neo4j is silent: the circuit opens and
   * this work, with all other work waiting on Neo4j, fails with DATABASE_UNAVAILABLE. So a silent
   * Neo4j is noticed within about 4 s whatever the timeouts, and a slow one keeps them.
   */
  private watch<T>(running: Promise<T>, mode: 'READ' | 'WRITE', timeoutMs: number): Promise<T> {
    const outcome = mode === 'WRITE' ? 'UNKNOWN' : undefined;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let check: NodeJS.Timeout | undefined;
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(check);
        clearTimeout(bound);
        this.silenced.delete(fail);
        settle();
      };
      const fail = (): void => finish(() => reject(unavailable(outcome)));
      this.silenced.add(fail);
      running.then(
        (result) => finish(() => resolve(result)),
        (error: unknown) => finish(() => reject(error)),
      );
      const bound = setTimeout(() => {
        void this.silent().then((silent) => {
          if (silent) {
            this.openCircuit();
            return fail();
          }
          finish(() =>
            reject(
              new UserError(
                ErrorCode.QUERY_TIMEOUT,
                `The database did not finish this within ${timeoutMs} ms; ask for less, or try again.` +
                  (outcome
                    ? ' The write may or may not have been applied. Retrying it is safe: writes are idempotent by id.'
                    : ''),
                {
                  reason: 'DEADLINE',
                  ...(outcome ? { writeOutcome: outcome, retryable: true } : {}),
                },
              ),
            ),
          );
        });
      }, timeoutMs + WATCHDOG_GRACE_MS);
      const scheduleCheck = (delayMs: number): void => {
        check = setTimeout(() => {
          void this.silent().then((silent) => {
            if (done) return;
            if (!silent) return scheduleCheck(SILENCE_RECHECK_MS);
            this.openCircuit();
            fail();
          });
        }, delayMs);
      };
      if (timeoutMs + WATCHDOG_GRACE_MS > SILENCE_CHECK_MS) scheduleCheck(SILENCE_CHECK_MS);
    });
  }

  /** Neo4j has answered nothing lately and does not answer a quick probe now. */
  private async silent(): Promise<boolean> {
    if (this.circuitOpen) return true;
    if (performance.now() - this.lastAnswerAt < RECENT_ANSWER_MS) return false;
    return !(await this.probe(PROBE_DECIDE_MS));
  }

  private openCircuit(): void {
    if (this.circuitOpen || this.closed) return;
    this.circuitOpen = true;
    // Work still waiting on Neo4j will not be answered either: it fails now, not at its own
    // (for a cycle search, much later) deadline.
    for (const fail of this.silenced) fail();
    this.silenced.clear();
    this.scheduleProbe(0);
  }

  private closeCircuit(): void {
    this.circuitOpen = false;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private scheduleProbe(delayMs: number): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      void this.sharedProbe().then((ok) => {
        if (!ok && this.circuitOpen && !this.closed) this.scheduleProbe(PROBE_INTERVAL_MS);
      });
    }, delayMs);
    this.probeTimer.unref();
  }

  private sharedProbe(): Promise<boolean> {
    this.probing ??= this.probe(PROBE_TIMEOUT_MS)
      .then((ok) => {
        if (ok) this.closeCircuit();
        return ok;
      })
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }

  /**
   * While the circuit is open, a unit of work joins the probe in flight (or starts one) and waits
   * for it briefly: a Neo4j that is back is used at once, a silent one costs `waitMs` at most.
   */
  private async probeWithin(waitMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
    });
    try {
      return await Promise.race([this.sharedProbe(), gaveUp]);
    } finally {
      clearTimeout(timer);
    }
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
 * How long a probe of a circuit that is open waits for Neo4j's answer. A closed port answers in
 * milliseconds; this bounds a hanging server, and leaves room for the first connection to a
 * Neo4j that just came back (Bolt handshake and login: a second or two on a busy machine).
 */
const PROBE_TIMEOUT_MS = 3_000;
/** Pause between probes of an open circuit: service resumes within this of Neo4j answering. */
const PROBE_INTERVAL_MS = 500;
/** How long a unit of work waits for the probe of an open circuit before failing. */
const PROBE_WAIT_MS = 1_000;
/**
 * How long the probe that tells a slow Neo4j from a silent one may take. Generous: on a starved
 * machine (two cores, a load of 20) a busy but alive Neo4j took more than a second to answer
 * `RETURN 1` on a new connection, and a false "silent" fails every request for a moment.
 */
const PROBE_DECIDE_MS = 2_000;
/**
 * A Neo4j that answered other work this recently is slow, not silent. Shorter than the ordinary
 * read timeout, so that a Neo4j frozen since then has had time to miss answers.
 */
const RECENT_ANSWER_MS = 2_000;
/** When a unit of work still waiting on Neo4j first checks that Neo4j is not silent. */
const SILENCE_CHECK_MS = 2_000;
/** And how often after that. */
const SILENCE_RECHECK_MS = 2_000;
/**
 * How long past its own timeout a unit of work waits for Neo4j before deciding that Neo4j is not
 * answering. Neo4j ends a transaction at its timeout and says so; this covers the round trip.
 */
export const WATCHDOG_GRACE_MS = 500;

const ABANDONED = Symbol('abandoned');

function noop(): void {}

/**
 * The timeout of a unit of work: its own, or less when the request's deadline is nearer. Past the
 * deadline no work starts.
 */
function boundedByDeadline(timeoutMs: number): number {
  const left = remainingMs();
  if (left === undefined) return timeoutMs;
  const usable = Math.floor(left - WATCHDOG_GRACE_MS);
  if (usable <= 0) {
    throw new UserError(
      ErrorCode.QUERY_TIMEOUT,
      'The request ran out of time before this part could run; ask for less in one request.',
      { reason: 'REQUEST_DEADLINE' },
    );
  }
  return Math.min(timeoutMs, usable);
}

/**
 * DATABASE_UNAVAILABLE. For a write, `writeOutcome` says whether it may have been applied:
 * NOT_APPLIED (never sent) or UNKNOWN (sent, no answer); either way retrying is safe.
 */
function unavailable(writeOutcome?: 'NOT_APPLIED' | 'UNKNOWN', waitedMs?: number): UserError {
  const base =
    waitedMs === undefined
      ? 'The database is unavailable right now; try again shortly.'
      : `The database did not answer within ${waitedMs} ms; try again shortly.`;
  if (!writeOutcome)
    return new UserError(ErrorCode.DATABASE_UNAVAILABLE, base, { retryable: true });
  const outcome =
    writeOutcome === 'UNKNOWN'
      ? ' The write may or may not have been applied. Retrying it is safe: writes are idempotent by id.'
      : ' The write was not applied. Retrying it is safe.';
  return new UserError(ErrorCode.DATABASE_UNAVAILABLE, base + outcome, {
    retryable: true,
    writeOutcome,
  });
}

function isUnavailable(error: unknown): boolean {
  return error instanceof UserError && error.extensions.code === ErrorCode.DATABASE_UNAVAILABLE;
}

function hasWriteOutcome(error: unknown): boolean {
  return error instanceof UserError && error.extensions.writeOutcome !== undefined;
}

/** Every heavy-query slot stayed taken until the request's deadline. */
function slotsBusy(active: number, waiting: number): UserError {
  return new UserError(
    ErrorCode.DATABASE_BUSY,
    'The server is busy with other cycle, path and graph queries and none finished in time for ' +
      'this request; try again shortly.',
    { retryable: true, reason: 'HEAVY_QUERY_SLOTS', activeHeavyQueries: active, waiting },
  );
}

/** Runs a statement inside a transaction the caller owns; rows as plain objects. */
/** A transaction, managed or explicit: what runIn needs. */
export type QueryRunner = Pick<ManagedTransaction, 'run'>;

export async function runIn<T extends Row = Row>(
  tx: QueryRunner,
  statement: Statement,
  params: Params = {},
): Promise<T[]> {
  const result: QueryResult<RecordShape> = await tx.run(
    CYPHER_VERSION + statement.cypher,
    statement.oneMap ? { p: params } : params,
  );
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
  const gqlStatus = (error as { gqlStatus?: string } | null)?.gqlStatus ?? '';
  // The memory pool that all transactions share ran out, or every transaction slot is taken:
  // the server is busy, and the same query may well pass in a moment.
  if (
    code === 'Neo.TransientError.General.MemoryPoolOutOfMemoryError' ||
    gqlStatus === '51N72' ||
    gqlStatus === '51N74'
  ) {
    return new UserError(
      ErrorCode.DATABASE_BUSY,
      'The database is short of memory for queries right now (others are using it); try again shortly.',
      { retryable: true },
    );
  }
  // Another transaction held what this one needed (a deadlock, a lock waited on too long), and
  // the driver's retries ran out: Neo4j rolled this one back, and the same work may pass in a
  // moment. Only writes take locks.
  if (code.startsWith('Neo.TransientError.Transaction.')) {
    return new UserError(
      ErrorCode.DATABASE_BUSY,
      'The database was busy with conflicting writes; this one was not applied. Try again shortly (retrying is safe).',
      { retryable: true, reason: 'CONFLICTING_WRITES', writeOutcome: 'NOT_APPLIED' },
    );
  }
  // This one query needed more than a single query may use: ask for less.
  if (
    code.includes('TransactionOutOfMemoryError') ||
    code.includes('MemoryLimitExceeded') ||
    gqlStatus === '51N73'
  ) {
    return new UserError(
      ErrorCode.QUERY_TOO_LARGE,
      'The query needed more memory than a single query may use; narrow it down.',
    );
  }
  return error;
}
