/**
 * `npm run bench:cycles`: cycle-query figures on seeded, industry-shaped synthetic graphs.
 *
 * Starts the project's own Neo4j in a temporary folder, and for each graph size loads the
 * synthetic dataset through the real importer (which keeps the flow graph in step), then for
 * maximum lengths 3..6 prints the number of cycles, median and p95 latency of the whole-graph
 * query and of through-one-company queries, and the ratio to an in-process enumerator run on
 * the same graph in the same process. It asserts that both find the same number of cycles.
 *
 * Up to BENCH_LIST_MAX companies the whole-graph query is the one `circularDeals` runs: find,
 * evaluate every cycle (steps, deals, figures) and sort them, against the enumerator listing them.
 * Longer cycles number in the millions (14.8M of length <= 6 on 1k / 10k), past any result cap
 * and past what either side could hold in memory, so there both sides count: the server's
 * `countCycles` (what `circularDeals { totalCount }` runs) against the enumerator counting.
 * Every timed query follows one untimed run of the same statement, so that latencies are those
 * of a planned query (the first run of each length plans it, 1-4 s).
 *
 * Env: BENCH_SIZES (default "1000x10000,10000x100000"), BENCH_REPEAT (whole-graph runs, 3),
 * BENCH_THROUGH (companies sampled for through-queries, 20), BENCH_MAX_LENGTHS (all sizes;
 * default "3,4,5,6" up to 1k companies, "3,4" above), BENCH_MAX_LENGTHS_<companies> (one size,
 * e.g. BENCH_MAX_LENGTHS_10000=3,4,5), BENCH_LIST_MAX (4), BENCH_SECTIONS (which sections, in
 * order: "listing,ranked,hubs,counts"; each section is a function, and a new one is a line here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalNeo4j } from '../src/localNeo4j/provision.js';
import { Database } from '../src/neo4j/database.js';
import { migrate } from '../src/neo4j/migrations.js';
import { createStores } from '../src/stores/index.js';
import { NO_FLOW_FILTER, type CycleQuery } from '../src/stores/cycleStore.js';
import { buildFlowGraph, countCycles, enumerateCycles, type FlowGraph } from './inProcessCycles.js';
import { hubSection, rankedSection } from './cyclePages.js';
import { formatImportFigure, timedImport } from './importRun.js';
import { countsSection } from './cycleCounts.js';
import { prng, syntheticIndustry } from './syntheticIndustry.js';

const sizes = (process.env.BENCH_SIZES ?? '1000x10000,10000x100000')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number]);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const throughSamples = Number(process.env.BENCH_THROUGH ?? 20);
// Lengths 5 and 6 on 10k / 100k take hours: 91M cycles of length <= 5 are counted in ~5 min,
// and the in-process enumerator has not finished length 5 in 20 min. Ask for them explicitly.
const lengthsFor = (companies: number): number[] =>
  (
    process.env[`BENCH_MAX_LENGTHS_${companies}`] ??
    process.env.BENCH_MAX_LENGTHS ??
    (companies > 1000 ? '3,4' : '3,4,5,6')
  )
    .split(',')
    .map(Number);
const listMax = Number(process.env.BENCH_LIST_MAX ?? 4);
// Sections, in this order: listing (whole graph and through sampled companies vs in-process),
// ranked (first pages per ordering: bench/cyclePages.ts), hubs (through the companies of highest
// degree), counts (bench/cycleCounts.ts).
const sections = new Set((process.env.BENCH_SECTIONS ?? 'listing,ranked,hubs,counts').split(','));

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(0));

async function time<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const started = performance.now();
  const result = await fn();
  return [performance.now() - started, result];
}

const home = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-bench-'));
const password = 'bench-neo4j-password';
const neo4j = await startLocalNeo4j({
  homeDir: home,
  password,
  heapMb: Number(process.env.NEO4J_HEAP_MB ?? 4096),
});
const db = new Database({
  uri: neo4j.uri,
  user: 'neo4j',
  password,
  database: 'neo4j',
  queryTimeoutMs: 600_000,
});
const stores = createStores(db, { timeoutMs: 600_000, resultCap: 50_000_000 });

try {
  await migrate(db);
  console.log(`Neo4j ${neo4j.version}; Node ${process.version}; ${os.cpus().length} cores\n`);
  for (const [companyCount, dealCount] of sizes) {
    // Empty the database in batches: one transaction for 100k deals would be needlessly large.
    const session = db.driver.session();
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
    await session.close();

    const data = syntheticIndustry({ seed: 7, companies: companyCount, deals: dealCount });
    // Loaded by `npm run import` itself (bench/importRun.ts): its time and rate are figures too.
    const files = path.join(home, 'bench-import-files');
    const load = await timedImport(neo4j.uri, password, data, 'json', files);
    console.log(formatImportFigure(load));
    const graph = buildFlowGraph(data);
    const flows = graph.out.reduce((n, edges) => n + edges.length, 0);
    console.log(
      `== ${companyCount} companies / ${dealCount} deals: loaded in ${load.seconds.toFixed(1)} s; ${graph.ids.length} top-level companies, ${flows} flow pairs`,
    );
    if (sections.has('listing')) await listingSection(companyCount, graph);
    if (sections.has('ranked')) await rankedSection(db, companyCount);
    if (sections.has('hubs')) await hubSection(db, graph, companyCount);
    if (sections.has('counts')) await countsSection(db, graph, companyCount);
    console.log();
  }
} finally {
  await db.close();
  await neo4j.stop();
  rmSync(home, { recursive: true, force: true });
}

/**
 * The whole graph and through sampled companies, listed (or counted, past BENCH_LIST_MAX) by the
 * server against the in-process enumerator.
 */
async function listingSection(companyCount: number, graph: FlowGraph): Promise<void> {
  console.log(
    'maxLength | whole-graph query | cycles | whole graph p50 / p95 ms | in-process p50 ms | ratio | through-company p50 / p95 ms | through cycles (avg)',
  );

  const random = prng(11);
  const through = Array.from(
    { length: throughSamples },
    () => graph.ids[Math.floor(random() * graph.ids.length)] as string,
  );

  for (const maxLength of lengthsFor(companyCount)) {
    const listing = maxLength <= listMax;
    const query: CycleQuery = {
      through: [],
      minLength: 2,
      maxLength,
      filter: NO_FLOW_FILTER,
      mix: 'INVESTMENT_AND_COMMITMENT',
      timeRespecting: false,
      maxSpanDays: null,
      order: { field: 'TOTAL_AMOUNT', direction: 'DESC' },
    };
    const server = async (): Promise<number> =>
      listing ? (await stores.cycles.cycles(query)).length : stores.cycles.countCycles(query);
    const inProcess = (): number =>
      listing ? enumerateCycles(graph, maxLength).length : countCycles(graph, maxLength);
    await server(); // plans the statements
    const whole: number[] = [];
    let found = 0;
    for (let i = 0; i < repeat; i++) {
      const [t, n] = await time(server);
      whole.push(t);
      found = n;
    }
    const local: number[] = [];
    let expected = 0;
    for (let i = 0; i < repeat; i++) {
      const [t, n] = await time(inProcess);
      local.push(t);
      expected = n;
    }
    if (found !== expected)
      throw new Error(
        `maxLength ${maxLength}: Neo4j found ${found} cycles, in-process ${expected}`,
      );
    // Through one company: listed up to BENCH_LIST_MAX as well, counted beyond (a hub has
    // millions of cycles of length 6 through it).
    const throughOne = async (id: string): Promise<number> =>
      listing
        ? (await stores.cycles.cycles({ ...query, through: [id] })).length
        : stores.cycles.countCycles({ ...query, through: [id] });
    await throughOne(graph.ids[0] as string); // plans it
    const perCompany: number[] = [];
    let throughFound = 0;
    for (const id of through) {
      const [t, n] = await time(() => throughOne(id));
      perCompany.push(t);
      throughFound += n;
    }
    console.log(
      `${maxLength} | ${listing ? 'list, evaluate, sort' : 'count'} | ${found} | ${ms(quantile(whole, 0.5))} / ${ms(quantile(whole, 0.95))} | ${ms(quantile(local, 0.5))} | ${(quantile(whole, 0.5) / quantile(local, 0.5)).toFixed(1)}x | ${ms(quantile(perCompany, 0.5))} / ${ms(quantile(perCompany, 0.95))} | ${(throughFound / through.length).toFixed(1)}`,
    );
  }
}
