/**
 * The counts section of `npm run bench:cycles`: `circularDeals { totalCount }` (the server's
 * countCycles, src/stores/cycleCounts.ts) against the in-process counter on the same graph, per
 * maximum length, with the start companies split into 2 concurrent transactions (the default)
 * and in 1, and the memory the heaviest count statement needed (PROFILE, its GlobalMemory: the
 * peak of the query's tracked memory) against the per-transaction cap.
 *
 * Env: BENCH_COUNT_LENGTHS_<companies> (default "3,4,5,6" up to 1k companies, "3,4,5" above),
 * BENCH_COUNT_REPEAT (timed runs of the server's count, default 2; the in-process counter runs
 * once: on 10k / 100k its length 5 takes many minutes), BENCH_COUNT_PARTS (the splits timed,
 * default "2,1"), BENCH_COUNT_PROFILE (the lengths profiled, default all).
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { Database } from '../src/neo4j/database.js';
import { countCycles as countInNeo4j, countStatement } from '../src/stores/cycleCounts.js';
import { NO_FLOW_FILTER } from '../src/stores/cycleStore.js';
import { countCycles as countInProcess, type FlowGraph } from './inProcessCycles.js';

const repeat = Number(process.env.BENCH_COUNT_REPEAT ?? 2);
const partsTimed = (process.env.BENCH_COUNT_PARTS ?? '2,1').split(',').map(Number);
const profiled = process.env.BENCH_COUNT_PROFILE?.split(',').map(Number);
const lengthsFor = (companies: number): number[] =>
  (process.env[`BENCH_COUNT_LENGTHS_${companies}`] ?? (companies > 1000 ? '3,4,5' : '3,4,5,6'))
    .split(',')
    .map(Number);

const loadavg = (): string =>
  readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** The whole-graph count with the default mix, as `circularDeals { totalCount }` runs it. */
const PARAMS = { ...NO_FLOW_FILTER, unfiltered: true, start: null, through: [], among: null };

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const started = performance.now();
  const result = await fn();
  return [performance.now() - started, result];
}

/** PROFILE of one count statement over every start: db hits and the query's peak memory. */
async function profile(
  db: Database,
  length: number,
): Promise<{ dbHits: number; memoryBytes: number }> {
  const statement = countStatement('all', length, 'any');
  const session = db.driver.session({ defaultAccessMode: 'READ' });
  try {
    const result = await session.run(`CYPHER 25 PROFILE ${statement.cypher}`, {
      p: { ...PARAMS, parts: 1, part: 0 },
    });
    const root = result.summary.profile;
    let dbHits = 0;
    const walk = (op: typeof root): void => {
      if (!op) return;
      dbHits += Number(op.dbHits);
      op.children.forEach(walk);
    };
    walk(root);
    const memory = root
      ? Number((root.arguments as Record<string, unknown>).GlobalMemory ?? -1)
      : -1;
    return { dbHits, memoryBytes: memory };
  } finally {
    await session.close();
  }
}

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(0));

export async function countsSection(
  db: Database,
  graph: FlowGraph,
  companies: number,
): Promise<void> {
  console.log(
    `counts (default mix; ${os.cpus().length} cores; load ${loadavg()}) | maxLength | cycles | Neo4j ms by parts (best of ${repeat}) | in-process ms | ratio (first parts) / in-process | PROFILE of length maxLength alone, 1 part: db hits, peak memory`,
  );
  for (const maxLength of lengthsFor(companies)) {
    const count = (parts: number): Promise<number> =>
      countInNeo4j(
        db,
        { kind: 'all', params: PARAMS, minLength: 2, maxLength, mix: 'INVESTMENT_AND_COMMITMENT' },
        { timeoutMs: 3_600_000, parts },
      );
    await count(partsTimed[0] ?? 2); // plans the statements
    const times = new Map<number, number[]>(partsTimed.map((parts) => [parts, []]));
    let found = -1;
    for (let i = 0; i < repeat; i++) {
      for (const [parts, t] of times) {
        const [ms, n] = await timed(() => count(parts));
        if (found >= 0 && n !== found)
          throw new Error(`maxLength ${maxLength}: ${n} cycles in ${parts} parts, ${found} before`);
        t.push(ms);
        found = n;
      }
    }
    const [local, expected] = await timed(() => countInProcess(graph, maxLength));
    if (found !== expected)
      throw new Error(
        `maxLength ${maxLength}: Neo4j counted ${found} cycles, in-process ${expected}`,
      );
    const best = (parts: number): number => Math.min(...(times.get(parts) ?? [Number.NaN]));
    const first = best(partsTimed[0] ?? 2);
    const memory =
      profiled && !profiled.includes(maxLength)
        ? 'not profiled'
        : await profile(db, maxLength).then(
            ({ dbHits, memoryBytes }) =>
              `${dbHits} hits, ${(memoryBytes / 2 ** 20).toFixed(1)} MiB`,
          );
    console.log(
      `counts | ${maxLength} | ${found} | ${partsTimed.map((p) => `${p}: ${ms(best(p))}`).join(', ')} | ${ms(local)} | ${(first / local).toFixed(2)}x | ${memory} | load ${loadavg()}`,
    );
  }
}
