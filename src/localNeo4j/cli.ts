/**
 * `npm run neo4j [-- --install-only]`: installs the pinned local Neo4j, and unless told to only
 * install, runs it in the foreground on the data folder of `npm start`, until Ctrl-C.
 */
import { loadConfig } from '../config.js';
import { ensureInstalled, startLocalNeo4j } from './provision.js';

const installOnly = process.argv.includes('--install-only');
if (installOnly) {
  const { version, javaHome } = ensureInstalled();
  console.log(`Neo4j ${version} installed; it will run on ${javaHome}.`);
} else {
  const config = loadConfig();
  const neo4j = await startLocalNeo4j({
    homeDir: config.localDataDir,
    password: config.neo4jPassword,
    settings: config.localNeo4j,
  });
  console.log(
    `Neo4j ${neo4j.version} at ${neo4j.uri} (user neo4j), data in ${config.localDataDir}`,
  );
  const stop = (): void => void neo4j.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
