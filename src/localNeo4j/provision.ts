/**
 * Provisions and runs the project's own Neo4j: Neo4j Community resolved from Maven Central with
 * Maven (neo4j/pom.xml pins the version), embedded in neo4j/LocalNeo4j.java and run on a JDK 21+.
 * Used by `npm start` when no NEO4J_URI is given, by the test suite and by the benchmarks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadLocalNeo4jSettings, type LocalNeo4jSettings } from '../config.js';
import { PROJECT_ROOT } from '../paths.js';

const ROOT = PROJECT_ROOT;
const POM = path.join(ROOT, 'neo4j/pom.xml');
const LAUNCHER = path.join(ROOT, 'neo4j/LocalNeo4j.java');
const MIN_JAVA = 21;

export function pinnedNeo4jVersion(): string {
  const match = /<neo4j\.version>([^<]+)<\/neo4j\.version>/.exec(readFileSync(POM, 'utf8'));
  if (!match?.[1]) throw new Error(`No <neo4j.version> in ${POM}`);
  return match[1];
}

function installDir(version: string, settings: LocalNeo4jSettings): string {
  return path.join(settings.home ?? path.join(ROOT, '.neo4j'), version);
}

function javaMajor(javaBin: string): number | undefined {
  const out = spawnSync(javaBin, ['-version'], { encoding: 'utf8' });
  const match = /version "(\d+)/.exec(`${out.stderr}${out.stdout}`);
  return match?.[1] ? Number(match[1]) : undefined;
}

/**
 * A JDK that runs this Neo4j: NEO4J_JAVA_HOME, else JAVA_HOME, else the newest JDK under
 * /usr/lib/jvm, whichever first is Java 21 or newer.
 */
export function findJavaHome(settings: LocalNeo4jSettings = loadLocalNeo4jSettings()): string {
  const candidates = [...settings.javaHomes];
  if (existsSync('/usr/lib/jvm')) {
    const jvms = readdirSync('/usr/lib/jvm')
      .map((d) => path.join('/usr/lib/jvm', d))
      .filter((d) => existsSync(path.join(d, 'bin/javac')));
    candidates.push(...jvms.sort().reverse());
  }
  for (const home of candidates) {
    const major = javaMajor(path.join(home, 'bin/java'));
    if (major !== undefined && major >= MIN_JAVA) return home;
  }
  throw new Error(
    `Neo4j ${pinnedNeo4jVersion()} needs a JDK ${MIN_JAVA} or newer; none found in NEO4J_JAVA_HOME, ` +
      'JAVA_HOME or /usr/lib/jvm. Install one, or set NEO4J_URI to use an existing Neo4j.',
  );
}

type Log = (line: string) => void;

/**
 * Resolves the Neo4j jars into .neo4j/<version>/lib (first run only: about 150 MB from Maven
 * Central, with progress) and compiles the launcher. Later runs find both and return at once.
 */
export function ensureInstalled(
  log: Log = (l) => process.stderr.write(`${l}\n`),
  settings: LocalNeo4jSettings = loadLocalNeo4jSettings(),
): {
  version: string;
  javaHome: string;
  classpath: string;
} {
  const version = pinnedNeo4jVersion();
  const dir = installDir(version, settings);
  const lib = path.join(dir, 'lib');
  const classes = path.join(dir, 'classes');
  const libDone = path.join(dir, '.lib-complete');
  const javaHome = findJavaHome(settings);

  if (!existsSync(libDone)) {
    log(`Neo4j ${version}: resolving Neo4j Community from Maven Central (first start only)...`);
    rmSync(lib, { recursive: true, force: true });
    const mvn = spawnSync(
      'mvn',
      ['-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (mvn.error || mvn.status !== 0) {
      const tail = `${mvn.stdout ?? ''}${mvn.stderr ?? ''}`.split('\n').slice(-20).join('\n');
      throw new Error(
        `Could not resolve Neo4j ${version} with Maven (is 'mvn' installed and Maven Central reachable?):\n${mvn.error?.message ?? tail}`,
      );
    }
    const jars = readdirSync(lib).filter((f) => f.endsWith('.jar')).length;
    log(`Neo4j ${version}: ${jars} jars ready.`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(libDone, new Date().toISOString());
  }

  const launcherStamp = path.join(classes, '.source');
  const source = readFileSync(LAUNCHER, 'utf8');
  if (!existsSync(launcherStamp) || readFileSync(launcherStamp, 'utf8') !== source) {
    rmSync(classes, { recursive: true, force: true });
    mkdirSync(classes, { recursive: true });
    const javac = spawnSync(
      path.join(javaHome, 'bin/javac'),
      ['-cp', `${lib}/*`, '-d', classes, LAUNCHER],
      { encoding: 'utf8' },
    );
    if (javac.status !== 0) throw new Error(`Could not compile ${LAUNCHER}:\n${javac.stderr}`);
    writeFileSync(launcherStamp, source);
  }
  return { version, javaHome, classpath: `${lib}/*${path.delimiter}${classes}` };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface LocalNeo4j {
  uri: string;
  port: number;
  version: string;
  process: ChildProcess;
  /** Stops Neo4j and waits until its process has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  homeDir: string;
  password: string;
  /** Default: a free port on 127.0.0.1, so that it never clashes with another instance. */
  port?: number;
  heapMb?: number;
  log?: Log;
  /** Default: read from the environment (LOCAL_NEO4J_HOME, NEO4J_JAVA_HOME, NEO4J_HEAP_MB, ...). */
  settings?: LocalNeo4jSettings;
}

/** Starts the local Neo4j and resolves once it accepts Bolt connections. */
export async function startLocalNeo4j(options: StartOptions): Promise<LocalNeo4j> {
  const log = options.log ?? ((l) => process.stderr.write(`${l}\n`));
  const settings = options.settings ?? loadLocalNeo4jSettings();
  const { version, javaHome, classpath } = ensureInstalled(log, settings);
  const port = options.port ?? (await freePort());
  const heapMb = options.heapMb ?? settings.heapMb;
  mkdirSync(options.homeDir, { recursive: true });

  const child = spawn(
    path.join(javaHome, 'bin/java'),
    [
      `-Xmx${heapMb}m`,
      '-XX:+UseG1GC',
      '--enable-native-access=ALL-UNNAMED',
      '-cp',
      classpath,
      'LocalNeo4j',
      options.homeDir,
      String(port),
      options.password,
    ],
    // stdin stays open as a pipe: LocalNeo4j exits when it closes, i.e. when we die.
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const stderrTail: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail.push(chunk);
    if (stderrTail.length > 50) stderrTail.shift();
  });

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (chunk: string): void => {
      out += chunk;
      if (out.includes('READY ')) {
        child.stdout.off('data', onData);
        resolve();
      } else if (out.includes('FAILED ')) {
        reject(
          new Error(`Neo4j did not start: ${out.trim()}\n${stderrTail.join('').slice(-2000)}`),
        );
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) =>
      reject(
        new Error(
          `Neo4j exited with code ${code} before it was ready:\n${stderrTail.join('').slice(-2000)}`,
        ),
      ),
    );
    child.once('error', reject);
  });

  return {
    uri: `bolt://127.0.0.1:${port}`,
    port,
    version,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
