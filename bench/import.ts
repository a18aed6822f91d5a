/**
 * `npm run bench:import`: how fast `npm run import` loads the seeded, industry-shaped synthetic
 * datasets (bench/syntheticIndustry.ts), as a JSON file and as CSV files, into an empty database:
 * wall time from spawning the CLI to its exit (reading, checks, writes and the flow graph),
 * records per second, and the CLI's peak RSS. Starts the project's own Neo4j in a temporary
 * folder; checks after each run that every deal and every flow pair is there.
 *
 * Env: BENCH_SIZES (default "1000x10000,10000x100000"), BENCH_IMPORT_FORMATS ("json,csv"),
 * NEO4J_HEAP_MB (2048), BENCH_IMPORT_VERBOSE (show the CLI's progress), BENCH_IMPORT_NODE_OPTIONS
 * (the CLI's NODE_OPTIONS, e.g. `--max-old-space-size=128`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalNeo4j } from '../src/localNeo4j/provision.js';
import { Database } from '../src/neo4j/database.js';
import { migrate } from '../src/neo4j/migrations.js';
import { buildFlowGraph } from './inProcessCycles.js';
import {
  formatImportFigure,
  timedImport,
  type ImportFigure,
  type ImportFormat,
} from './importRun.js';
import { numberSetting } from './processes.js';
import { syntheticIndustry } from './syntheticIndustry.js';

const sizes = (process.env.BENCH_SIZES ?? '1000x10000,10000x100000')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number]);
const formats = (process.env.BENCH_IMPORT_FORMATS ?? 'json,csv').split(',') as ImportFormat[];

const home = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-bench-import-'));
const password = 'bench-neo4j-password';
const neo4j = await startLocalNeo4j({
  homeDir: path.join(home, 'neo4j'),
  password,
  heapMb: numberSetting('NEO4J_HEAP_MB', 2048, 256),
});
const db = new Database({
  uri: neo4j.uri,
  user: 'neo4j',
  password,
  database: 'neo4j',
  queryTimeoutMs: 600_000,
});

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').trim();

try {
  // A Neo4j that just started on a busy machine can take longer than the driver's watchdog to
  // answer its first statements (index creation): try again a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(db);
      break;
    } catch (error) {
      if (attempt === 5) throw error;
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
  console.log(
    `Neo4j ${neo4j.version}; Node ${process.version}; ${os.cpus().length} cores; load average ${loadavg()}\n`,
  );
  const figures: ImportFigure[] = [];
  for (const [companies, deals] of sizes) {
    const data = syntheticIndustry({ seed: 7, companies, deals });
    const graph = buildFlowGraph(data);
    const flowPairs = graph.out.reduce((n, edges) => n + edges.length, 0);
    for (const format of formats) {
      const session = db.driver.session();
      await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
      await session.close();
      const figure = await timedImport(
        neo4j.uri,
        password,
        data,
        format,
        path.join(home, `${companies}x${deals}-${format}`),
      );
      const [stored] = await db.read<{ deals: number; flows: number }>({
        name: 'bench:importedCounts',
        cypher: `
          CALL () { MATCH (d:Deal) RETURN count(d) AS deals }
          CALL () { MATCH ()-[f:FLOWS_TO]->() RETURN count(f) AS flows }
          RETURN deals, flows`,
      });
      if (stored?.deals !== deals || stored.flows !== flowPairs) {
        throw new Error(
          `imported ${stored?.deals} deals and ${stored?.flows} flow pairs; expected ${deals} and ${flowPairs}`,
        );
      }
      figures.push(figure);
      console.log(`${formatImportFigure(figure)}  (load average ${loadavg()})`);
    }
  }
  console.log('\n| dataset | format | time | records/s | peak RSS |');
  console.log('|---|---|---:|---:|---:|');
  for (const f of figures) {
    console.log(
      `| ${f.companies.toLocaleString('en-US')} / ${f.deals.toLocaleString('en-US')} | ${f.format.toUpperCase()} | ${f.seconds.toFixed(1)} s | ${Math.round(f.rate).toLocaleString('en-US')} | ${f.peakMb} MB |`,
    );
  }
} finally {
  await db.close();
  await neo4j.stop();
  rmSync(home, { recursive: true, force: true });
}
