/**
 * `npm run bench:planning`: what a request pays for Neo4j's planner on a fresh server.
 *
 * Starts a local Neo4j in a fresh temporary folder and `npm start`'s server (src/main.ts) on it,
 * which loads the seed, answers its warm-up request (src/warmUp.ts) and plans every cycle and path
 * statement (its log says how many, and how long that took in the background); the bench waits for
 * both. Then, with Neo4j's query statistics collecting (db.stats), it times:
 *
 * 1. one request of six cycle and path fields of maxLength 5 to 7, within every limit;
 * 2. 20 requests, each a new selection shape of a company page (which scalars, which parts
 *    nested how), p50 / p95; then the same 20 again (read ahead by then);
 *
 * and prints how many distinct statements Neo4j ran during them, and which of them Neo4j compiled
 * for more than 100 ms meanwhile (a cache hit compiles in milliseconds), the cycle and path
 * statements by name.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { startLocalNeo4j } from '../src/localNeo4j/provision.js';
import { allStatements } from '../src/stores/cycleStore.js';
import { post, startServer, stopProcess } from './processes.js';

const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-planning-'));
const logLines: string[] = [];

const SIX_SEARCHES = `{
  a: circularDeals(where: { maxLength: 5 }) { totalCount edges { node { key steps { amountUsd } } } }
  b: circularDeals(where: { maxLength: 6, mix: ANY }) { totalCount }
  c: circularDeals(where: { maxLength: 7, through: ["nvidia"] }) { edges { node { key } } }
  d: company(id: "openai") { cycles(where: { maxLength: 6 }) { totalCount edges { node { key } } } }
  e: moneyPaths(from: "nvidia", to: "oracle", maxLength: 5) { totalCount }
  f: moneyPaths(from: "microsoft", to: "nvidia", maxLength: 7) { edges { node { key } } }
}`;

const COMPANY_SCALARS = ['name', 'aliases', 'sectors', 'country', 'website'];
const PARTS = [
  'parent { id name }',
  'ultimateParent { id }',
  'subsidiaries { id name }',
  'totals { investedUsd raisedUsd }',
  'investmentsMade(first: 5) { totalCount edges { node { id amountUsd investee { id name } } } }',
  'investmentsReceived(first: 5) { edges { node { id announcedOn investor { id } sources { publisher } } } }',
  'commitmentsMade(first: 5) { edges { node { id kind provider { id parent { id } } } } }',
  'commitmentsReceived(first: 5) { totalCount }',
];

/** The i-th of 20 distinct selection shapes: scalars and parts picked by the bits of i. */
function shape(i: number): string {
  const n = i + 1;
  const scalars = COMPANY_SCALARS.filter((_, k) => (n >> k) & 1);
  const parts = PARTS.filter((_, k) => ((n * 37) >> k) & 1);
  return `{ companies(first: 10) { edges { node { id ${scalars.join(' ')} ${parts.join(' ')} } } } }`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(url: string, query: string): Promise<number> {
  const started = performance.now();
  const { status, text } = await post(url, query);
  const ms = performance.now() - started;
  const body = JSON.parse(text) as { errors?: unknown[] };
  if (status !== 200 || body.errors)
    throw new Error(`request failed: ${status} ${text.slice(0, 500)}`);
  return ms;
}

const PASSWORD = 'bench-planning-password';
const db = await startLocalNeo4j({ homeDir: dataDir, password: PASSWORD });
const server = await startServer('server', 'src/main.ts', {
  NEO4J_URI: db.uri,
  NEO4J_PASSWORD: PASSWORD,
  LOG_LEVEL: 'info',
  NODE_ENV: 'development',
  // Time limits out of the way: the bench measures the time a request takes, not whether it fits
  // them, on a machine that may be busy (the seed import too). One client: no rate limit.
  QUERY_TIMEOUT_MS: '120000',
  CYCLE_QUERY_TIMEOUT_MS: '300000',
  REQUEST_TIMEOUT_MS: '600000',
  RATE_LIMIT: 'false',
});
server.child.stdout!.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().split('\n')));
try {
  console.log(`server up at ${server.url}; waiting for the start-up planning...`);
  let planned: { statements: number; seconds: number } | undefined;
  let warm: { ms: number } | undefined;
  while (!planned) {
    for (const line of logLines) {
      if (line.includes('planned every cycle and path search statement'))
        planned = JSON.parse(line) as { statements: number; seconds: number };
      if (line.includes('answered the warm-up request')) warm = JSON.parse(line) as { ms: number };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(
    `start-up: warm-up request ${warm?.ms ?? '?'} ms, then ${planned.statements} cycle/path statements planned, ${planned.seconds} s in all (background; load ${loadAverage()})`,
  );

  const driver = neo4j.driver(db.uri, neo4j.auth.basic('neo4j', PASSWORD), {
    disableLosslessIntegers: true,
  });
  const cypher = async (q: string) =>
    (await driver.executeQuery(q)).records.map((r) => r.toObject());
  await cypher(`CALL db.stats.clear('QUERIES')`);
  await cypher(`CALL db.stats.collect('QUERIES')`);
  const measuring = Date.now();

  const six = await timed(server.url, SIX_SEARCHES);
  console.log(
    `six cycle/path fields, maxLength 5-7, fresh server: ${Math.round(six)} ms (load ${loadAverage()})`,
  );
  const again = await timed(server.url, SIX_SEARCHES);
  console.log(`  the same request again: ${Math.round(again)} ms`);

  // Every length, each kind of search, first time asked (cycle lengths 2..8, paths 1..8).
  console.log(
    'first request per length (ms): length | circularDeals | Company.cycles | moneyPaths',
  );
  for (let k = 1; k <= 8; k++) {
    const cycles =
      k < 2
        ? '-'
        : Math.round(
            await timed(
              server.url,
              `{ circularDeals(where: { minLength: ${k}, maxLength: ${k} }, first: 5) { edges { node { key } } } }`,
            ),
          );
    const through =
      k < 2
        ? '-'
        : Math.round(
            await timed(
              server.url,
              `{ company(id: "nvidia") { cycles(where: { minLength: ${k}, maxLength: ${k} }, first: 5) { edges { node { key } } } } }`,
            ),
          );
    const paths = Math.round(
      await timed(
        server.url,
        `{ moneyPaths(from: "microsoft", to: "nvidia", maxLength: ${k}, first: 5) { edges { node { key } } } }`,
      ),
    );
    console.log(`  ${k} | ${cycles} | ${through} | ${paths}`);
  }

  const summary = (times: number[]): string =>
    `p50 ${Math.round(percentile(times, 50))} ms, p95 ${Math.round(percentile(times, 95))} ms (max ${Math.round(Math.max(...times))} ms)`;
  const shapes: number[] = [];
  for (let i = 0; i < 20; i++) shapes.push(await timed(server.url, shape(i)));
  console.log(`20 new selection shapes: ${summary(shapes)}`);
  // Their read-ahead statements are planned in the background meanwhile.
  await new Promise((r) => setTimeout(r, 5_000));
  const shapesAgain: number[] = [];
  for (let i = 0; i < 20; i++) shapesAgain.push(await timed(server.url, shape(i)));
  console.log(`  the same 20 shapes again: ${summary(shapesAgain)}`);

  const stats = await cypher(`CALL db.stats.retrieve('QUERIES') YIELD data RETURN data`);
  await cypher(`CALL db.stats.stop('QUERIES')`);
  // Per invocation: the summary's figures also count runs from before collection started.
  type Invocation = { elapsedCompileTimeInUs: number; startTimestampMillis: number };
  const queries = stats
    .map((r) => r.data as { query: string; invocations: Invocation[] })
    .filter((q) => !q.query.includes('db.stats'))
    .map((q) => ({
      query: q.query,
      compileMs: Math.max(
        0,
        ...q.invocations
          .filter((inv) => inv.startTimestampMillis >= measuring)
          .map((inv) => inv.elapsedCompileTimeInUs / 1000),
      ),
    }));
  const slow = queries.filter((q) => q.compileMs > 100).sort((a, b) => b.compileMs - a.compileMs);
  console.log(
    `during these requests Neo4j ran ${queries.length} distinct statements; ${slow.length} were compiled for more than 100 ms (the read-ahead statements of new shapes among them, planned in the background):`,
  );
  const names = new Map(allStatements().map((st) => [st.cypher.trim(), st.name]));
  const nameOf = (text: string): string =>
    names.get(text.replace(/^CYPHER 25\s*/, '').trim()) ?? text.replace(/\s+/g, ' ').slice(0, 110);
  for (const q of slow) console.log(`  ${Math.round(q.compileMs)} ms: ${nameOf(q.query)}`);
  await driver.close();
} finally {
  await stopProcess(server.child);
  await db.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
