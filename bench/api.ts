/**
 * `npm run bench:api`: throughput and latency of the API under load, and a comparison with
 * @neo4j/graphql serving the same data from the same Neo4j.
 *
 * 1. Starts the project's own Neo4j in a temporary folder and imports a seeded synthetic,
 *    industry-shaped dataset through the importer (bench/syntheticIndustry.ts).
 * 2. Starts our server (src/main.ts, production mode) and bench/neo4jGraphqlServer.ts, each in its
 *    own process on loopback.
 * 3. Checks each scenario's answer once, then loads it from a third process (bench/load.ts,
 *    autocannon) for a fixed time, every response compared with that answer; meanwhile samples the
 *    server's resident memory.
 * 4. Prints requests per second, p50 and p99 latency and peak RSS per scenario, and the nested
 *    query's throughput ratio ours / @neo4j/graphql.
 *
 * Settings (environment): BENCH_DURATION_S (10), BENCH_WARMUP_S (3), BENCH_CONNECTIONS (10),
 * BENCH_ROUNDS (2: rounds of the nested comparison, the servers taking turns),
 * BENCH_COMPANIES (300), BENCH_DEALS (3000), BENCH_SEED (42), BENCH_LOG_LEVEL (warn: our server's
 * log level; @neo4j/graphql logs nothing per request), NEO4J_HEAP_MB (1024).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importDataset } from '../src/importer/importDataset.js';
import { startLocalNeo4j, type LocalNeo4j } from '../src/localNeo4j/provision.js';
import { Database } from '../src/neo4j/database.js';
import { migrate } from '../src/neo4j/migrations.js';
import { createStores } from '../src/stores/index.js';
import type { LoadResult } from './load.js';
import { loadServer, post, startServer, stopProcess, type Server } from './processes.js';
import { graphQuery, OURS_NESTED, typicalCompany } from './queries.js';
import { syntheticIndustry } from './syntheticIndustry.js';

const PASSWORD = 'bench-neo4j-password';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0.`);
  return value;
}
const DURATION_S = setting('BENCH_DURATION_S', 10);
const WARMUP_S = setting('BENCH_WARMUP_S', 3);
const CONNECTIONS = setting('BENCH_CONNECTIONS', 10);
const COMPANIES = setting('BENCH_COMPANIES', 300);
const DEALS = setting('BENCH_DEALS', 3000);
const SEED = setting('BENCH_SEED', 42);
const ROUNDS = Math.max(1, Math.round(setting('BENCH_ROUNDS', 2)));

const log = (line: string): void => void process.stderr.write(`${line}\n`);

// --- The queries -------------------------------------------------------------------------------

/** The same logical query on @neo4j/graphql, in its Relay connection form (as ours). */
const THEIRS_NESTED_CONNECTIONS = `query Nested {
  companiesConnection(first: 50, sort: [{ id: ASC }]) {
    totalCount
    edges { node {
      id name sectors
      parent { id }
      subsidiaries { id }
      investedUsd
      investmentsMadeConnection(first: 5, sort: [{ node: { announcedKey: DESC } }]) {
        totalCount
        edges { node { id amountUsd announcedKey investee { id name } sources { publisher } } }
      }
      commitmentsMadeConnection(first: 5, sort: [{ node: { announcedKey: DESC } }]) {
        totalCount
        edges { node { id amountUsd kind provider { id name } sources { publisher } } }
      }
    } }
  }
}`;

/** And in its plain list form (no total counts), which is less work for it. */
const THEIRS_NESTED_LISTS = `query Nested {
  companies(limit: 50, sort: [{ id: ASC }]) {
    id name sectors
    parent { id }
    subsidiaries { id }
    investedUsd
    investmentsMade(limit: 5, sort: [{ announcedKey: DESC }]) {
      id amountUsd announcedKey investee { id name } sources { publisher }
    }
    commitmentsMade(limit: 5, sort: [{ announcedKey: DESC }]) {
      id amountUsd kind provider { id name } sources { publisher }
    }
  }
}`;

// --- Processes (bench/processes.ts) ------------------------------------------------------------

// --- Checks ------------------------------------------------------------------------------------

interface Answer {
  text: string;
  data: Record<string, unknown>;
}

/**
 * One request, which must succeed without errors; its body is what every loaded one must equal.
 * The first request of a kind can time out on a cold database (query planning, empty caches) on
 * a busy machine: that one is tried again, twice at most.
 */
async function answer(server: Server, query: string): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    const { status, text } = await post(server.url, query);
    const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
    if (status === 200 && !body.errors && body.data) return { text, data: body.data };
    if (attempt < 3 && text.includes('QUERY_TIMEOUT')) {
      log(`  ${server.name}: a cold query timed out; trying again.`);
      continue;
    }
    throw new Error(`${server.name} answered ${status}: ${text.slice(0, 1000)}`);
  }
}

interface CompanySummary {
  id: string;
  invested: number;
}

function oursSummary(data: Record<string, unknown>): CompanySummary[] {
  const companies = data.companies as {
    edges: { node: { id: string; totals: { investedUsd: number } } }[];
  };
  return companies.edges.map(({ node }) => ({ id: node.id, invested: node.totals.investedUsd }));
}

function theirsSummary(nodes: { id: string; investedUsd: number }[]): CompanySummary[] {
  return nodes.map((n) => ({ id: n.id, invested: n.investedUsd }));
}

/** Both servers must return the same companies with the same totals: the same logical query. */
function sameCompanies(ours: CompanySummary[], theirs: CompanySummary[], form: string): void {
  const a = JSON.stringify(ours);
  const b = JSON.stringify(theirs);
  if (ours.length !== 50 || a !== b) {
    throw new Error(`nested query: @neo4j/graphql (${form}) disagrees with ours:\n${a}\n${b}`);
  }
}

/** The cycle query, when the schema has `circularDeals`, with the fields it has of ours. */
async function cycleQuery(server: Server): Promise<string | null> {
  const { text } = await post(
    server.url,
    `{ query: __type(name: "Query") { fields { name } }
       cycle: __type(name: "DealCycle") { fields { name } }
       filter: __type(name: "CycleFilter") { inputFields { name } } }`,
  );
  const data = (
    JSON.parse(text) as {
      data?: {
        query: { fields: { name: string }[] } | null;
        cycle: { fields: { name: string }[] } | null;
        filter: { inputFields: { name: string }[] } | null;
      };
    }
  ).data;
  if (!data?.query?.fields.some((f) => f.name === 'circularDeals')) return null;
  const has = new Set(data.cycle?.fields.map((f) => f.name) ?? []);
  const fields = ['id', 'length', 'investedUsd', 'committedUsd'].filter((f) => has.has(f));
  const where = data.filter?.inputFields.some((f) => f.name === 'maxLength')
    ? ', where: { maxLength: 3 }'
    : '';
  return `query Cycles {
  circularDeals(first: 20${where}) {
    totalCount
    edges { node { ${fields.join(' ') || '__typename'} } }
  }
}`;
}

// --- The run -----------------------------------------------------------------------------------

interface Row {
  scenario: string;
  server: string;
  result: LoadResult & { peakRssMb: number };
}

function printTable(rows: Row[]): void {
  const header = [
    'scenario',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'requests',
    'failed',
    'RSS MB',
  ];
  const lines = rows.map(({ scenario, server, result: r }) => [
    scenario,
    server,
    r.requestsPerSecond.toFixed(1),
    r.p50Ms.toFixed(1),
    r.p99Ms.toFixed(1),
    String(r.requests),
    String(r.non2xx + r.errors + r.timeouts + r.mismatches),
    r.peakRssMb.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-bench-'));
  let neo4j: LocalNeo4j | undefined;
  const servers: Server[] = [];
  try {
    log(`Starting the local Neo4j in ${home}...`);
    neo4j = await startLocalNeo4j({ homeDir: path.join(home, 'neo4j'), password: PASSWORD, log });

    const dataset = syntheticIndustry({ seed: SEED, companies: COMPANIES, deals: DEALS });
    const db = new Database({
      uri: neo4j.uri,
      user: 'neo4j',
      password: PASSWORD,
      database: 'neo4j',
      queryTimeoutMs: 120_000,
    });
    try {
      await migrate(db);
      const started = performance.now();
      const report = await importDataset(createStores(db), dataset, { strict: true });
      if (report.rejections.length) throw new Error('the synthetic dataset has rejected records');
      log(
        `Imported ${report.accepted.companies} companies, ${report.accepted.investments} investments ` +
          `and ${report.accepted.commitments} commitments in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
      );
    } finally {
      await db.close();
    }

    const env = { NEO4J_URI: neo4j.uri, NEO4J_PASSWORD: PASSWORD, NODE_ENV: 'production' };
    const [ours, theirs] = await Promise.all([
      startServer('ours', 'src/main.ts', {
        ...env,
        SEED: 'false',
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        // Introspection tells the benchmark whether the cycle query exists.
        GRAPHQL_INTROSPECTION: 'true',
        // One load generator is one client: the per-client limits would measure themselves.
        RATE_LIMIT: 'false',
      }),
      startServer('@neo4j/graphql', 'bench/neo4jGraphqlServer.ts', env),
    ]);
    servers.push(ours, theirs);

    // Each scenario's answer is checked once; under load every response must equal it.
    const nested = await answer(ours, OURS_NESTED);
    const theirsConnections = await answer(theirs, THEIRS_NESTED_CONNECTIONS);
    const theirsLists = await answer(theirs, THEIRS_NESTED_LISTS);
    sameCompanies(
      oursSummary(nested.data),
      theirsSummary(
        (
          theirsConnections.data.companiesConnection as {
            edges: { node: { id: string; investedUsd: number } }[];
          }
        ).edges.map((e) => e.node),
      ),
      'connections',
    );
    sameCompanies(
      oursSummary(nested.data),
      theirsSummary(theirsLists.data.companies as { id: string; investedUsd: number }[]),
      'lists',
    );

    const center = typicalCompany(dataset);
    let graph = graphQuery(center, 2);
    const graphAnswer = await answer(ours, graph).catch(async (error: Error) => {
      if (!error.message.includes('RESULT_LIMIT_EXCEEDED')) throw error;
      log(`relationshipGraph: depth 2 around ${center} is past a cap; using depth 1.`);
      graph = graphQuery(center, 1);
      return answer(ours, graph);
    });
    const drawn = graphAnswer.data.relationshipGraph as { nodes: unknown[]; edges: unknown[] };
    const graphLabel = `relationshipGraph ${drawn.nodes.length}n/${drawn.edges.length}e`;

    const cycles = await cycleQuery(ours);
    const cycleAnswer = cycles ? await answer(ours, cycles) : null;
    if (!cycles) log('No `circularDeals` field in the schema yet: the cycle scenario is skipped.');

    log(
      `Load: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per scenario, ` +
        'from a separate process on loopback.',
    );
    const rows: Row[] = [];
    const measure = async (
      scenario: string,
      server: Server,
      query: string,
      expected: Answer,
    ): Promise<LoadResult> => {
      log(`  ${scenario} on ${server.name}...`);
      const result = await loadServer(server, {
        body: JSON.stringify({ query }),
        expectBody: expected.text,
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_S,
        durationSeconds: DURATION_S,
      });
      rows.push({ scenario, server: server.name, result });
      return result;
    };
    // The nested comparison runs in rounds, the servers taking turns: Neo4j's JIT compiler keeps
    // working for a while after start-up (tens of seconds of CPU on a small machine), so a single
    // pass would favour whichever server goes second. The ratio is read from the last round.
    const ratios: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const label = (name: string): string => (ROUNDS > 1 ? `${name}, round ${round}` : name);
      const oursNested = await measure(label('nested'), ours, OURS_NESTED, nested);
      const theirsNestedConnections = await measure(
        label('nested (connections)'),
        theirs,
        THEIRS_NESTED_CONNECTIONS,
        theirsConnections,
      );
      const theirsNestedLists = await measure(
        label('nested (lists)'),
        theirs,
        THEIRS_NESTED_LISTS,
        theirsLists,
      );
      const ratio = (theirsRps: number): string =>
        (oursNested.requestsPerSecond / theirsRps).toFixed(2);
      ratios.push(
        `${ratio(theirsNestedConnections.requestsPerSecond)} (same connection shape), ` +
          `${ratio(theirsNestedLists.requestsPerSecond)} (their plain lists)`,
      );
    }
    await measure(graphLabel, ours, graph, graphAnswer);
    if (cycles && cycleAnswer) {
      const total = (cycleAnswer.data.circularDeals as { totalCount: number }).totalCount;
      await measure(`circularDeals (${total} cycles)`, ours, cycles, cycleAnswer);
    }

    const loadAverage = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    console.log(
      `\nbench:api: ${os.cpus().length} CPUs (load average ${loadAverage}), Node ${process.version}, ` +
        `Neo4j ${neo4j.version}; ` +
        `${COMPANIES} companies, ${DEALS} deals (seed ${SEED}); ${CONNECTIONS} connections, ` +
        `${DURATION_S} s per scenario after ${WARMUP_S} s warm-up.\n`,
    );
    printTable(rows);
    ratios.forEach((ratio, i) =>
      console.log(
        `${i === 0 ? '\n' : ''}nested query throughput, ours / @neo4j/graphql` +
          `${ratios.length > 1 ? `, round ${i + 1}` : ''}: ${ratio}`,
      ),
    );
    const failed = rows.filter(
      ({ result: r }) => r.non2xx + r.errors + r.timeouts + r.mismatches > 0,
    );
    for (const { scenario, result: r } of failed) {
      console.log(
        `\n${scenario}: ${r.non2xx + r.errors + r.timeouts + r.mismatches} failed or differing ` +
          `responses (status codes ${JSON.stringify(r.statusCodes)}); the first: ${r.firstMismatch}`,
      );
      process.exitCode = 1;
    }
  } finally {
    for (const server of servers) await stopProcess(server.child);
    await neo4j?.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
