/**
 * The processes a benchmark runs beside itself: a server started from a script on a free loopback
 * port (waited for until it answers), stopped with SIGTERM, and its resident memory read from
 * /proc. Shared by `bench:api` and `bench:soak`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { importDataset, type ImportReport } from '../src/importer/importDataset.js';
import { Database } from '../src/neo4j/database.js';
import { migrate } from '../src/neo4j/migrations.js';
import { createStores } from '../src/stores/index.js';
import type { LoadResult, LoadSpec } from './load.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/localNeo4j/provision.js';

/** A number from the environment (a benchmark setting), `fallback` when unset or empty. */
export function numberSetting(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number >= ${min}.`);
  return value;
}

/** Imports `dataset` into the Neo4j at `uri` through the importer, migrations first. */
export async function importInto(
  uri: string,
  password: string,
  dataset: unknown,
  options: { strict?: boolean } = {},
): Promise<ImportReport> {
  const db = new Database({
    uri,
    user: 'neo4j',
    password,
    database: 'neo4j',
    queryTimeoutMs: 120_000,
  });
  try {
    await migrate(db);
    return await importDataset(createStores(db), dataset, options);
  } finally {
    await db.close();
  }
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  output: string[];
}

export async function post(
  url: string,
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * Starts `script` (TypeScript through tsx, or compiled JavaScript as it is) with Node's
 * `nodeArgs`, and waits until it answers GraphQL on loopback.
 */
export async function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Server> {
  const port = await freePort();
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString());
    if (output.length > 40) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const server = { name, url: `http://127.0.0.1:${port}/graphql`, child, output };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited (${child.exitCode}):\n${output.join('')}`);
    }
    try {
      if ((await post(server.url, '{ __typename }')).status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Resident memory of a process in MB (Linux), or NaN where /proc is not there. */
export function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Runs bench/load.ts in its own process against `server` (so that the load generator never
 * shares an event loop with what it measures), sampling the server's RSS meanwhile.
 */
export async function loadServer(
  server: Server,
  spec: Omit<LoadSpec, 'url'>,
): Promise<LoadResult & { peakRssMb: number }> {
  let peakRssMb = rssMb(server.child.pid);
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(server.child.pid));
  }, 250);
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/load.ts')], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin!.end(JSON.stringify({ ...spec, url: server.url }));
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the load generator failed (exit ${code})`);
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as LoadResult;
    return { ...result, peakRssMb };
  } finally {
    clearInterval(sampler);
  }
}
