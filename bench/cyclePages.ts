/**
 * The ranked sections of `npm run bench:cycles`: first pages of `circularDeals` per ordering and
 * maximum length, and `Company.cycles` through the companies of highest degree, timed through the
 * store call the resolvers make (CycleStore.cyclePage) under the server's default limits (time
 * limit CYCLE_QUERY_TIMEOUT_MS, 20 s), so a figure past it reads "timeout".
 *
 * Env: BENCH_RANKED_LENGTHS_<companies> (default "4,5,6" up to 1k companies, "4,5" above),
 * BENCH_RANKED_ORDERS (default every field, DESC and ASC: "BOTTLENECK:DESC,LENGTH:ASC,..."),
 * BENCH_PAGE (first, 100), BENCH_REPEAT (timed runs after one that plans, 3), BENCH_HUBS (20).
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { DEFAULT_CYCLE_LIMITS } from '../src/config.js';
import type { Database } from '../src/neo4j/database.js';
import { CycleStore, NO_FLOW_FILTER, type CycleQuery } from '../src/stores/cycleStore.js';
import type { FlowGraph } from './inProcessCycles.js';

type Order = CycleQuery['order'];

const FIELDS: Order['field'][] = [
  'BOTTLENECK',
  'LENGTH',
  'TOTAL_AMOUNT',
  'RECENCY',
  'ROUND_TRIP_RATIO',
];
const orders: Order[] = process.env.BENCH_RANKED_ORDERS
  ? process.env.BENCH_RANKED_ORDERS.split(',').map((o) => {
      const [field, direction] = o.split(':') as [Order['field'], Order['direction']];
      return { field, direction: direction ?? 'DESC' };
    })
  : FIELDS.flatMap((field) => [
      { field, direction: 'DESC' as const },
      { field, direction: 'ASC' as const },
    ]);
const pageSize = Number(process.env.BENCH_PAGE ?? 100);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const hubCount = Number(process.env.BENCH_HUBS ?? 20);
const lengthsFor = (companies: number): number[] =>
  (process.env[`BENCH_RANKED_LENGTHS_${companies}`] ?? (companies > 1000 ? '4,5' : '4,5,6'))
    .split(',')
    .map(Number);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** The load average now: the machine is shared, so every figure is printed beside it. */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  }
}

const query = (maxLength: number, order: Order, through: string[] = []): CycleQuery => ({
  through,
  minLength: 2,
  maxLength,
  filter: NO_FLOW_FILTER,
  mix: 'INVESTMENT_AND_COMMITMENT',
  timeRespecting: false,
  maxSpanDays: null,
  order,
});

/** Milliseconds of one page, or the error code that ended it. */
async function timedPage(
  store: CycleStore,
  q: CycleQuery,
  first = pageSize,
): Promise<number | string> {
  const started = performance.now();
  try {
    await store.cyclePage(q, null, first);
    return performance.now() - started;
  } catch (error) {
    const code = (error as { extensions?: { code?: string } }).extensions?.code;
    if (code) return code === 'QUERY_TIMEOUT' ? 'timeout' : code;
    throw error;
  }
}

const show = (v: number | string): string =>
  typeof v === 'string' ? v : v < 10 ? v.toFixed(1) : v.toFixed(0);

/** p50 of the timed runs; an error code when any run failed. */
function p50(runs: (number | string)[]): number | string {
  const failed = runs.find((r) => typeof r === 'string');
  return failed ?? quantile(runs as number[], 0.5);
}

/**
 * A store with a far longer time limit, for the run that has Neo4j plan a request's statements
 * first: the server plans them all at start-up (CycleStore.plan), so no timed request waits for
 * the planner, and on a loaded machine planning alone can take seconds per statement.
 */
const planner = (db: Database, timeoutMs = 600_000): CycleStore =>
  new CycleStore(db, { ...DEFAULT_CYCLE_LIMITS, timeoutMs });

/**
 * First pages of the whole graph's ranking, per ordering and maximum length: one run that plans
 * the statements, then BENCH_REPEAT timed under the default time limit.
 */
export async function rankedSection(db: Database, companyCount: number): Promise<void> {
  const store = new CycleStore(db, DEFAULT_CYCLE_LIMITS);
  const lengths = lengthsFor(companyCount);
  console.log(
    `ranked first pages (first: ${pageSize}, whole graph, p50 of ${repeat} ms, time limit ${DEFAULT_CYCLE_LIMITS.timeoutMs / 1000} s; load ${loadAverage()})`,
  );
  console.log(`order | ${lengths.map((k) => `maxLength ${k}`).join(' | ')}`);
  for (const order of orders) {
    const cells: string[] = [];
    for (const maxLength of lengths) {
      const q = query(maxLength, order);
      // A page whose planning run alone passes three time limits would pass the limit timed too:
      // it is reported as such, not waited for again.
      const planned = await timedPage(planner(db, 3 * DEFAULT_CYCLE_LIMITS.timeoutMs), q);
      if (typeof planned === 'string') {
        cells.push(
          `${planned} (untimed run past ${(3 * DEFAULT_CYCLE_LIMITS.timeoutMs) / 1000} s)`,
        );
        continue;
      }
      const runs: (number | string)[] = [];
      // A request past the time limit is not repeated: it would be again.
      for (let i = 0; i < repeat && typeof runs.at(-1) !== 'string'; i++)
        runs.push(await timedPage(store, q));
      cells.push(show(p50(runs)));
    }
    console.log(`${order.field} ${order.direction} | ${cells.join(' | ')}`);
  }
  console.log(`(load ${loadAverage()})`);
}

/**
 * `Company.cycles` up to length 4 through the BENCH_HUBS companies of highest degree (flows in and
 * out), in the default order (TOTAL_AMOUNT DESC) and by BOTTLENECK: p50 / p95 over the hubs.
 */
export async function hubSection(
  db: Database,
  graph: FlowGraph,
  companyCount: number,
): Promise<void> {
  const store = new CycleStore(db, DEFAULT_CYCLE_LIMITS);
  const degree = new Map<number, number>();
  graph.out.forEach((edges, from) => {
    degree.set(from, (degree.get(from) ?? 0) + edges.length);
    for (const e of edges) degree.set(e.to, (degree.get(e.to) ?? 0) + 1);
  });
  const hubs = [...degree.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, hubCount)
    .map(([i]) => graph.ids[i] as string);
  console.log(
    `through the ${hubs.length} companies of highest degree (${companyCount} companies; first: 20, maxLength 4; load ${loadAverage()})`,
  );
  console.log('order | p50 ms | p95 ms | max ms | slowest');
  // Every statement a page up to length 4 can run, planned as the server plans them at start:
  // a page that needs a statement the planning run below did not reach would time the planner.
  await planner(db).plan(4);
  for (const order of [
    { field: 'TOTAL_AMOUNT', direction: 'DESC' },
    { field: 'BOTTLENECK', direction: 'DESC' },
    { field: 'LENGTH', direction: 'DESC' },
  ] as Order[]) {
    // The page as a client sees it by default: 20 cycles. The first run plans the statements.
    await planner(db).cyclePage(query(4, order, [hubs[0] as string]), null, 20);
    const times: number[] = [];
    let slowest = '';
    let failed = 0;
    for (const hub of hubs) {
      const t = await timedPage(store, query(4, order, [hub]), 20);
      // A page past the time limit counts as the limit (and is reported).
      const ms = typeof t === 'number' ? t : (failed++, DEFAULT_CYCLE_LIMITS.timeoutMs);
      if (ms > Math.max(0, ...times)) slowest = hub;
      times.push(ms);
    }
    console.log(
      `${order.field} ${order.direction} | ${show(quantile(times, 0.5))} | ${show(quantile(times, 0.95))} | ${show(Math.max(...times))} | ${slowest}${failed ? ` (${failed} past the time limit)` : ''}`,
    );
  }
  console.log(`(load ${loadAverage()})`);
}
