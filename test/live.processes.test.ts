/**
 * Live events from every writer and for every replica: a subscriber on one server process hears
 * the mutations made through another server and the writes of the import CLI (each its own
 * process, sharing only Neo4j); and on SIGTERM its socket is closed with 1001 (Going Away) and
 * the process exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { freePort } from '../src/localNeo4j/provision.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { liveClient, Recorder, until } from './support/liveClient.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const ENV = () => ({
  ...process.env,
  NEO4J_URI: inject('neo4jUri'),
  NEO4J_USER: 'neo4j',
  NEO4J_PASSWORD: inject('neo4jPassword'),
  SEED: 'false',
  LOG_LEVEL: 'warn',
});

let writer: TestServer; // server A, in this process: the mutations go through it
let serverB: ChildProcess;
let exitB: Promise<number | null>;
let urlB: string;
let client: Client;
let closeCode: number | undefined;

/** How many subscriptions server B serves, from its metrics. */
async function subscriptionsOnB(): Promise<number> {
  const text = await (await fetch(urlB.replace('/graphql', '/metrics'))).text();
  let total = 0;
  for (const m of text.matchAll(/^live_subscriptions\{kind="\w+"\} (\d+)/gm)) total += Number(m[1]);
  return total;
}

beforeAll(async () => {
  writer = await startTestServer();
  const port = await freePort();
  urlB = `http://127.0.0.1:${port}/graphql`;
  serverB = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...ENV(), HOST: '127.0.0.1', PORT: String(port), METRICS_PUBLIC: 'true' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  exitB = new Promise((resolve) => serverB.once('exit', (code) => resolve(code)));
  await until(async () => {
    try {
      return (await fetch(urlB.replace('/graphql', '/healthz'))).ok;
    } catch {
      return false;
    }
  }, 120_000);
  client = liveClient(urlB, {
    on: { closed: (event) => (closeCode = (event as { code?: number }).code) },
  });
}, 180_000);

afterAll(async () => {
  await client?.dispose();
  if (serverB && serverB.exitCode === null) serverB.kill('SIGKILL');
  await writer?.close();
});

const CYCLES = `
  subscription($where: CycleFilter) {
    cycleEvents(where: $where) { kind cycle { key } cause { dealId kind } }
  }`;
const DEALS = `
  subscription($where: DealFilter) {
    dealEvents(where: $where) { change { dealId kind } }
  }`;

interface CycleData {
  cycleEvents: { kind: string; cycle: { key: string }; cause: { dealId: string; kind: string } };
}
interface DealData {
  dealEvents: { change: { dealId: string; kind: string } };
}

const mutate = async (query: string, input: Record<string, unknown>) => {
  const res = await writer.gql(query, { input });
  expect(res.errors).toBeUndefined();
};
const UPSERT = `mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { id } }`;
const INVEST = `mutation($input: RecordInvestmentInput!) { recordInvestment(input: $input) { id } }`;
const COMMIT = `mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id } }`;
const SOURCES = [{ publisher: 'Test Wire' }];

describe('a subscriber on server B', () => {
  it('hears the mutations made through server A', async () => {
    for (const id of ['p1-amazon', 'p1-anthropic']) await mutate(UPSERT, { id, name: id });
    const cycles = new Recorder<CycleData>(client, CYCLES, { where: { through: ['p1-amazon'] } });
    const deals = new Recorder<DealData>(client, DEALS, { where: { companyId: 'p1-amazon' } });
    // Unsubscribed whatever happens: the tests after this one count server B's subscriptions.
    onTestFinished(() => {
      cycles.unsubscribe();
      deals.unsubscribe();
    });
    await until(async () => (await subscriptionsOnB()) === 2 || cycles.done || deals.done);
    await mutate(INVEST, {
      id: 'p1-inv',
      investorId: 'p1-amazon',
      investeeId: 'p1-anthropic',
      amountUsd: 4e9,
      status: 'ANNOUNCED',
      sources: SOURCES,
    });
    await mutate(COMMIT, {
      id: 'p1-cloud',
      customerId: 'p1-anthropic',
      providerId: 'p1-amazon',
      kind: 'CLOUD',
      amountUsd: 1e9,
      status: 'ANNOUNCED',
      sources: SOURCES,
    });
    expect(await cycles.waitFor(1)).toEqual([
      {
        cycleEvents: {
          kind: 'FORMED',
          cycle: { key: 'p1-amazon>p1-anthropic' },
          cause: { dealId: 'p1-cloud', kind: 'RECORDED' },
        },
      },
    ]);
    expect((await deals.waitFor(2)).map((e) => e.dealEvents.change)).toEqual([
      { dealId: 'p1-inv', kind: 'RECORDED' },
      { dealId: 'p1-cloud', kind: 'RECORDED' },
    ]);
  }, 180_000);

  it('hears what `npm run import` writes', async () => {
    // The companies exist before (a filter through an unknown company is refused).
    for (const id of ['p2-nvidia', 'p2-openai']) await mutate(UPSERT, { id, name: id });
    const cycles = new Recorder<CycleData>(client, CYCLES, { where: { through: ['p2-nvidia'] } });
    onTestFinished(() => cycles.unsubscribe());
    await until(async () => (await subscriptionsOnB()) === 1 || cycles.done);
    const dir = mkdtempSync(path.join(tmpdir(), 'live-import-'));
    const file = path.join(dir, 'dataset.json');
    writeFileSync(
      file,
      JSON.stringify({
        formatVersion: 1,
        companies: [
          { id: 'p2-nvidia', name: 'p2-nvidia' },
          { id: 'p2-openai', name: 'p2-openai' },
        ],
        investments: [
          {
            id: 'p2-inv',
            investorId: 'p2-nvidia',
            investeeId: 'p2-openai',
            amountUsd: 1e11,
            status: 'ANNOUNCED',
            sources: SOURCES,
          },
        ],
        commitments: [
          {
            id: 'p2-chips',
            customerId: 'p2-openai',
            providerId: 'p2-nvidia',
            kind: 'HARDWARE',
            amountUsd: 5e10,
            status: 'ANNOUNCED',
            sources: SOURCES,
          },
        ],
      }),
    );
    const code = await new Promise<number | null>((resolve) => {
      const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', file], {
        cwd: ROOT,
        env: ENV(),
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      cli.once('exit', resolve);
    });
    expect(code).toBe(0);
    const [formed] = await cycles.waitFor(1);
    expect(cycles.errors).toEqual([]);
    expect(formed!.cycleEvents.kind).toBe('FORMED');
    expect(formed!.cycleEvents.cycle.key).toBe('p2-nvidia>p2-openai');
    expect(['p2-inv', 'p2-chips']).toContain(formed!.cycleEvents.cause.dealId);
  }, 180_000);

  it('is disconnected with 1001 (Going Away) when server B shuts down, and B exits 0', async () => {
    const cycles = new Recorder<CycleData>(client, CYCLES, { where: { through: ['p1-amazon'] } });
    await until(async () => (await subscriptionsOnB()) === 1 || cycles.done);
    serverB.kill('SIGTERM');
    await cycles.ended();
    expect(closeCode).toBe(1001);
    expect(await exitB).toBe(0);
  }, 180_000);
});
