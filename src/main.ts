/**
 * `npm start`: the server with its Neo4j. Without NEO4J_URI it provisions and starts the local
 * Neo4j (data kept in .data/neo4j), and loads the seed dataset into an empty database.
 */
import { connect } from './bootstrap.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { formatRejections } from './importer/importDataset.js';
import { importSeed } from './importer/seed.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { warmUp } from './warmUp.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  // A bad setting stops the server before it touches anything, naming the setting.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
const logger = createLogger(config.logLevel);
const log = (line: string): void => logger.info(line);

const connection = await connect(config, { log });
const { stores } = connection;

if (config.seed && (await stores.companies.count()) === 0) {
  const report = await importSeed(stores);
  if (report.rejections.length) {
    for (const line of formatRejections(report.rejections)) logger.error(line);
    throw new Error('The seed dataset has rejected records; see above.');
  }
  logger.info({ accepted: report.accepted }, 'loaded the seed dataset into the empty database');
}

const server = await startServer({ config, stores, logger });
logger.info(
  { url: server.url, writesEnabled: config.adminToken !== undefined },
  `GraphQL ready at ${server.url}`,
);

// In the background, so that no request waits seconds for Neo4j's planner: the statements of the
// loaders and lists (the warm-up request, src/warmUp.ts), then every statement a cycle or path
// search can run (a bounded set, one per kind and length).
const planning = performance.now();
/** Aborted on shutdown: the planning stops after the statement in hand. */
const planningStopped = new AbortController();
const seconds = (): number => Math.round((performance.now() - planning) / 100) / 10;
const selfUrl = ['0.0.0.0', '127.0.0.1'].includes(config.host)
  ? `http://127.0.0.1:${server.port}/graphql`
  : server.url;
warmUp(selfUrl)
  .then(
    (ms) => logger.info({ ms: Math.round(ms) }, 'answered the warm-up request'),
    (error: unknown) => {
      if (!stopping) logger.warn({ err: error }, 'the warm-up request failed');
    },
  )
  .then(() => stores.cycles.plan(undefined, planningStopped.signal))
  .then(
    (planned) =>
      logger.info(
        { statements: planned.length, seconds: seconds() },
        planningStopped.signal.aborted
          ? 'stopped planning the cycle and path searches: shutting down'
          : 'planned every cycle and path search statement',
      ),
    (error: unknown) => {
      if (!stopping) logger.warn({ err: error }, 'could not plan the cycle and path searches');
    },
  );

/** Past this, shutdown gives up waiting and exits non-zero (the drain itself takes at most 10 s). */
const SHUTDOWN_DEADLINE_MS = 30_000;

let stopping = false;
/**
 * Graceful shutdown: the HTTP server stops accepting connections and Apollo waits for in-flight
 * requests (closing idle keep-alive connections), then the driver closes, then the local Neo4j
 * stops if this process started it.
 */
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  planningStopped.abort();
  logger.info({ signal }, 'shutting down: finishing in-flight requests');
  setTimeout(() => {
    logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown took too long; exiting');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS).unref();
  let exitCode = 0;
  try {
    await server.stop();
    await connection.close();
    logger.info('stopped');
  } catch (error) {
    exitCode = 1;
    logger.error({ err: error }, 'shutdown failed');
  }
  process.exit(exitCode);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
