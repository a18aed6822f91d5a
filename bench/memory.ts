/**
 * `npm run bench:memory`: the server's resident memory, idle and under the load of `bench:api`
 * (the nested page of 50 companies, then a drawn relationship graph), for several ways of running
 * it, so that what holds the memory can be told apart:
 *
 * - `tsx`: `node --import tsx src/main.ts`, what `npm run dev` and the tests run;
 * - `compiled`: `node dist/src/main.js`, what `npm start` runs (built by `npm run build`);
 * - `compiled, small young generation`: the same with `--max-semi-space-size=SEMI_MB`;
 * - and with the old generation capped too (`--max-old-space-size=OLD_MB`): whether the peak is
 *   live data or garbage V8 had not yet collected.
 *
 * Settings: BENCH_DURATION_S (15), BENCH_CONNECTIONS (10), BENCH_COMPANIES (300),
 * BENCH_DEALS (3000), BENCH_SEED (42), SEMI_MB (4), OLD_MB (96).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalNeo4j } from '../src/localNeo4j/provision.js';
import {
  importInto,
  loadServer,
  numberSetting,
  post,
  ROOT,
  rssMb,
  startServer,
  stopProcess,
} from './processes.js';
import { graphQuery, OURS_NESTED, typicalCompany } from './queries.js';
import { syntheticIndustry } from './syntheticIndustry.js';

const setting = (name: string, fallback: number): number => numberSetting(name, fallback, 1);
const DURATION_S = setting('BENCH_DURATION_S', 15);
const CONNECTIONS = setting('BENCH_CONNECTIONS', 10);
const SEMI_MB = setting('SEMI_MB', 4);
const OLD_MB = setting('OLD_MB', 96);
const PASSWORD = 'memory-bench-password';
const METRICS_TOKEN = 'memory-bench-metrics-token';
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const COMPILED = path.join(ROOT, 'dist/src/main.js');
const VARIANTS: { name: string; script: string; nodeArgs: string[] }[] = [
  { name: 'tsx', script: 'src/main.ts', nodeArgs: [] },
  ...(existsSync(COMPILED)
    ? [
        { name: 'compiled', script: COMPILED, nodeArgs: [] },
        {
          name: `compiled, --max-semi-space-size=${SEMI_MB}`,
          script: COMPILED,
          nodeArgs: [`--max-semi-space-size=${SEMI_MB}`],
        },
        // Whether the peak is live data or garbage not yet collected: with the old generation
        // capped, V8 collects sooner; a live set past the cap would crash the server instead.
        {
          name: `compiled, semi ${SEMI_MB}, --max-old-space-size=${OLD_MB}`,
          script: COMPILED,
          nodeArgs: [`--max-semi-space-size=${SEMI_MB}`, `--max-old-space-size=${OLD_MB}`],
        },
      ]
    : []),
];
if (VARIANTS.length === 1)
  log('No dist/ build: run `npm run build` to measure the compiled server.');

interface Breakdown {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** The server's own memory figures (MB), from its Prometheus metrics. */
async function breakdown(graphqlUrl: string): Promise<Breakdown | undefined> {
  try {
    const response = await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'), {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await response.text();
    const mb = (name: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line ? Number(line.split(' ')[1]) / 1024 / 1024 : NaN;
    };
    return {
      rss: mb('process_resident_memory_bytes'),
      heapUsed: mb('nodejs_heap_size_used_bytes'),
      heapTotal: mb('nodejs_heap_size_total_bytes'),
      external: mb('nodejs_external_memory_bytes'),
    };
  } catch {
    return undefined;
  }
}

const home = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-memory-'));
const neo4j = await startLocalNeo4j({ homeDir: home, password: PASSWORD, log });
try {
  const dataset = syntheticIndustry({
    seed: setting('BENCH_SEED', 42),
    companies: setting('BENCH_COMPANIES', 300),
    deals: setting('BENCH_DEALS', 3000),
  });
  await importInto(neo4j.uri, PASSWORD, dataset);
  const scenarios = [
    { name: 'nested page', query: OURS_NESTED },
    { name: 'graph depth 1', query: graphQuery(typicalCompany(dataset), 1) },
  ];

  const rows: string[] = [];
  for (const variant of VARIANTS) {
    const server = await startServer(
      variant.name,
      variant.script,
      {
        NEO4J_URI: neo4j.uri,
        NEO4J_PASSWORD: PASSWORD,
        NODE_ENV: 'production',
        SEED: 'false',
        LOG_LEVEL: 'warn',
        RATE_LIMIT: 'false',
        METRICS_TOKEN,
      },
      variant.nodeArgs,
    );
    try {
      await new Promise((r) => setTimeout(r, 3_000));
      const idle = rssMb(server.child.pid);
      const figures: string[] = [];
      for (const scenario of scenarios) {
        const expected = await post(server.url, scenario.query);
        // Where the memory is at its peak: V8's heap (used of allocated) and memory outside it.
        let peak: Breakdown | undefined;
        const sampler = setInterval(() => {
          void breakdown(server.url).then((b) => {
            if (b && (!peak || b.rss > peak.rss)) peak = b;
          });
        }, 500);
        const result = await loadServer(server, {
          body: JSON.stringify({ query: scenario.query }),
          expectBody: expected.text,
          connections: CONNECTIONS,
          warmupSeconds: 2,
          durationSeconds: DURATION_S,
        });
        clearInterval(sampler);
        figures.push(
          `${scenario.name}: ${result.requestsPerSecond.toFixed(1)} req/s, peak ${result.peakRssMb.toFixed(0)} MB` +
            (peak
              ? ` (at a peak sample: heap ${peak.heapUsed.toFixed(0)} used of ${peak.heapTotal.toFixed(0)}, external ${peak.external.toFixed(0)}, RSS ${peak.rss.toFixed(0)})`
              : '') +
            (result.mismatches + result.non2xx
              ? `, ${result.mismatches + result.non2xx} failed`
              : ''),
        );
      }
      await new Promise((r) => setTimeout(r, 3_000));
      rows.push(
        `${variant.name.padEnd(36)} | idle ${idle.toFixed(0)} MB | ${figures.join(' | ')} | ` +
          (server.child.exitCode === null && server.child.signalCode === null
            ? `after ${rssMb(server.child.pid).toFixed(0)} MB`
            : `CRASHED (${server.child.exitCode ?? server.child.signalCode}): ${server.output.join('').slice(-300)}`),
      );
    } finally {
      await stopProcess(server.child);
    }
  }
  console.log(`\nServer RSS, ${CONNECTIONS} connections, ${DURATION_S} s per scenario:`);
  for (const row of rows) console.log(row);
} finally {
  await neo4j.stop();
  rmSync(home, { recursive: true, force: true });
}
