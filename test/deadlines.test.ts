/**
 * Deadlines the server enforces itself, on the shared test Neo4j: the wait for a heavy-query
 * slot counts against the request's deadline, no work starts past it, and Neo4j's memory errors
 * get codes that say what to do (busy: retry; too large: ask for less).
 */
import { Neo4jError } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/neo4j/database.js';
import { translateDriverError } from '../src/neo4j/database.js';
import { withDeadline } from '../src/neo4j/deadline.js';
import { testDatabase } from './support/harness.js';

let db: Database;
beforeAll(() => {
  db = testDatabase({ heavyReadConcurrency: 1 });
});
afterAll(() => db.close());

const RETURN_1 = { name: 'test:return-1', cypher: 'RETURN 1 AS one' };

function codeOf(error: unknown): unknown {
  return (error as { extensions?: { code?: unknown } }).extensions?.code;
}

describe('request deadlines', () => {
  it('a request waiting for a heavy-query slot gives up at its deadline with DATABASE_BUSY', async () => {
    // The only slot is held (a heavy read that takes 3 s on our side of the transaction).
    let release!: () => void;
    const held = db.readOnceTx(
      () => new Promise<void>((resolve) => (release = resolve)),
      20_000,
      'test:hold-slot',
    );
    const started = performance.now();
    const waiting = withDeadline(1_500, () => db.readOnce(RETURN_1, {}, 20_000));
    const error = await waiting.then(
      () => undefined,
      (e: unknown) => e,
    );
    const waitedMs = performance.now() - started;
    expect(codeOf(error)).toBe('DATABASE_BUSY');
    expect((error as { extensions: { retryable: boolean } }).extensions.retryable).toBe(true);
    expect(waitedMs).toBeLessThan(1_500 + 1_000);
    release();
    await held;
    // The slot it gave up is passed on: the next heavy read runs.
    expect(await withDeadline(5_000, () => db.readOnce(RETURN_1, {}, 20_000))).toEqual([
      { one: 1 },
    ]);
  });

  it('work past its bound on a Neo4j that still answers is QUERY_TIMEOUT; the circuit stays closed', async () => {
    // The transaction is open but our side never finishes it: nothing comes back in time.
    const started = performance.now();
    const error = await db
      .readTx(() => new Promise((resolve) => setTimeout(resolve, 3_000)), 300, 'test:stalled')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(codeOf(error)).toBe('QUERY_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(db.unavailable).toBe(false);
    expect(await db.read(RETURN_1)).toEqual([{ one: 1 }]);
  });

  it('work that is slow on a Neo4j that answers runs to its own timeout', async () => {
    // Longer than the first silence check (3 s): Neo4j answers the probe, so the work goes on.
    const result = await db.readTx(
      async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, 3_500));
        return (await tx.run('RETURN 2 AS two')).records[0]!.get('two') as number;
      },
      10_000,
      'test:slow',
    );
    expect(result).toBe(2);
    expect(db.unavailable).toBe(false);
  });

  it('no work starts once the deadline has passed', async () => {
    const error = await withDeadline(100, async () => {
      await new Promise((r) => setTimeout(r, 200));
      return db.read(RETURN_1);
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(codeOf(error)).toBe('QUERY_TIMEOUT');
  });

  it('a unit of work within its deadline runs as usual', async () => {
    expect(await withDeadline(5_000, () => db.read(RETURN_1))).toEqual([{ one: 1 }]);
  });
});

describe('memory errors', () => {
  it('the shared pool running out is DATABASE_BUSY; one query over its own limit is QUERY_TOO_LARGE', () => {
    const pool = new Neo4jError(
      'The allocation of an extra 2.0 MiB would use more than the limit 716.8 MiB. Currently using 715.0 MiB. dbms.memory.transaction.total.max threshold reached',
      'Neo.TransientError.General.MemoryPoolOutOfMemoryError',
      '51N72',
      'memory pool out of memory',
    );
    const single = new Neo4jError(
      'The transaction used more memory than was allowed.',
      'Neo.ClientError.General.TransactionOutOfMemoryError',
      '51N73',
      'transaction memory limit reached',
    );
    expect(codeOf(translateDriverError(pool))).toBe('DATABASE_BUSY');
    expect(codeOf(translateDriverError(single))).toBe('QUERY_TOO_LARGE');
  });
});

describe('conflicting writes', () => {
  it('a deadlock left after the driver retried is DATABASE_BUSY, not applied, safe to retry', () => {
    const deadlock = new Neo4jError(
      'ForsetiClient[transactionId=42] can not acquire EXCLUSIVE_LOCK(NODE_RELATIONSHIP_GROUP_DELETE(7)), because holders of that lock are waiting for ForsetiClient[transactionId=42]. Wait list: ...',
      'Neo.TransientError.Transaction.DeadlockDetected',
      '50N05',
      'deadlock detected',
    );
    const error = translateDriverError(deadlock) as { extensions?: Record<string, unknown> };
    expect(error.extensions).toMatchObject({
      code: 'DATABASE_BUSY',
      retryable: true,
      writeOutcome: 'NOT_APPLIED',
    });
  });
});
