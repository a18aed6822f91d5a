/**
 * Connects to Neo4j the way every entry point does (server, import CLI, benchmarks): the one given
 * by NEO4J_URI, or else the project's own local Neo4j, provisioned and started here. Then waits
 * until it answers and creates constraints and indexes.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { startLocalNeo4j, type LocalNeo4j } from './localNeo4j/provision.js';
import { Database } from './neo4j/database.js';
import { migrate } from './neo4j/migrations.js';
import { createStores, type Stores } from './stores/index.js';

export interface Connection {
  db: Database;
  stores: Stores;
  /** Set when this process started the local Neo4j. */
  localNeo4j: LocalNeo4j | undefined;
  close(): Promise<void>;
}

type Log = (line: string) => void;

/** The file where a running local Neo4j leaves its Bolt address for other commands to find. */
function uriFile(config: Config): string {
  return path.join(config.localDataDir, 'bolt-uri');
}

async function waitUntilReachable(db: Database, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await db.ping())) {
    if (Date.now() > deadline) {
      throw new Error(
        `Neo4j did not answer within ${seconds} s; check NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD.`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function connect(
  config: Config,
  {
    log = (line: string): void => void process.stderr.write(`${line}\n`),
    reuseRunning = false,
  }: { log?: Log; reuseRunning?: boolean } = {},
): Promise<Connection> {
  let uri = config.neo4jUri;
  let localNeo4j: LocalNeo4j | undefined;

  // A command run beside `npm start` (the import) talks to the Neo4j that is already running.
  if (!uri && reuseRunning && existsSync(uriFile(config))) {
    const candidate = readFileSync(uriFile(config), 'utf8').trim();
    const probe = new Database({
      uri: candidate,
      user: config.neo4jUser,
      password: config.neo4jPassword,
      database: config.neo4jDatabase,
      queryTimeoutMs: 2000,
    });
    if (await probe.ping()) uri = candidate;
    await probe.close();
  }
  if (!uri) {
    log(`No NEO4J_URI: starting the local Neo4j (data in ${config.localDataDir})...`);
    localNeo4j = await startLocalNeo4j({
      homeDir: config.localDataDir,
      password: config.neo4jPassword,
      settings: config.localNeo4j,
      log,
    });
    uri = localNeo4j.uri;
    writeFileSync(uriFile(config), uri);
    log(`Local Neo4j ${localNeo4j.version} ready at ${uri}.`);
  }

  const db = new Database({
    uri,
    user: config.neo4jUser,
    password: config.neo4jPassword,
    database: config.neo4jDatabase,
    queryTimeoutMs: config.queryTimeoutMs,
    heavyReadConcurrency: config.heavyQueryConcurrency,
  });
  try {
    await waitUntilReachable(db, 60);
    await migrate(db);
    const stores = createStores(db, config.cycleLimits);
    if (await stores.flows.needsRebuild()) {
      log('Deriving the money-flow graph (FLOWS_TO) from the stored deals...');
      await stores.flows.rebuildAll();
    }
  } catch (error) {
    await db.close();
    await localNeo4j?.stop();
    throw error;
  }

  return {
    db,
    stores: createStores(db, config.cycleLimits),
    localNeo4j,
    async close() {
      await db.close();
      if (localNeo4j) {
        rmSync(uriFile(config), { force: true });
        await localNeo4j.stop();
      }
    },
  };
}
