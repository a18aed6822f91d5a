/**
 * A Neo4j outage: while the database is down, requests fail fast with DATABASE_UNAVAILABLE and
 * /readyz says not ready; when it returns, the same server process serves again.
 *
 * This file starts a Neo4j of its own on a fixed port (so that it can come back at the same
 * address) and leaves the shared test Neo4j alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../src/importer/importDataset.js';
import { freePort, startLocalNeo4j, type LocalNeo4j } from '../src/localNeo4j/provision.js';
import { createLogger } from '../src/logger.js';
import { Database } from '../src/neo4j/database.js';
import { migrate } from '../src/neo4j/migrations.js';
import { startServer, type RunningServer } from '../src/server.js';
import { createStores } from '../src/stores/index.js';
import { ADMIN_TOKEN, type GraphQLResponse, timedGql } from './support/harness.js';

const PASSWORD = 'outage-test-password';
/** The bound on an answer while Neo4j is down: the driver's connect and retry budgets, and some. */
const FAIL_FAST_MS = 10_000;

const FIXTURE = {
  formatVersion: 1,
  companies: [{ id: 'anthropic', name: 'Anthropic', sectors: ['AI_LAB'] }],
  investments: [],
  commitments: [],
};

let homeDir: string;
let port: number;
let neo4j: LocalNeo4j | undefined;
let db: Database;
let server: RunningServer;
let baseUrl: string;

function gql(
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse & { elapsedMs: number }> {
  return timedGql(`${baseUrl}/graphql`, query, variables);
}

async function readiness(): Promise<{ status: number; body: unknown; elapsedMs: number }> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/readyz`);
  return {
    status: response.status,
    body: await response.json(),
    elapsedMs: performance.now() - started,
  };
}

const READ = '{ company(id: "anthropic") { name } }';
const WRITE = `mutation Upsert($id: ID!, $name: String!) {
  upsertCompany(input: { id: $id, name: $name, sectors: [AI_LAB] }) { id }
}`;

beforeAll(async () => {
  homeDir = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-outage-neo4j-'));
  port = await freePort();
  neo4j = await startLocalNeo4j({ homeDir, password: PASSWORD, port });
  db = new Database({
    uri: neo4j.uri,
    user: 'neo4j',
    password: PASSWORD,
    database: 'neo4j',
    queryTimeoutMs: 10_000,
  });
  await migrate(db);
  const stores = createStores(db);
  const report = await importDataset(stores, FIXTURE);
  expect(report.rejections).toEqual([]);
  server = await startServer({
    config: { adminToken: ADMIN_TOKEN, production: false, host: '127.0.0.1', port: 0 },
    stores,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await db?.close();
  await neo4j?.stop();
  if (homeDir) rmSync(homeDir, { recursive: true, force: true });
}, 120_000);

describe('when Neo4j stops and comes back', () => {
  it('requests fail fast with DATABASE_UNAVAILABLE, then succeed again without a restart', async () => {
    // Up.
    expect((await gql(READ)).data).toEqual({ company: { name: 'Anthropic' } });
    expect((await readiness()).status).toBe(200);

    await neo4j!.stop();

    // Down: the first request finds out within the driver's budgets...
    const first = await gql(READ);
    expect(first.errors?.map((e) => e.extensions?.code)).toEqual(['DATABASE_UNAVAILABLE']);
    expect(first.errors![0]!.message).toMatch(/unavailable/i);
    expect(first.data).toEqual({ company: null });
    expect(first.elapsedMs).toBeLessThan(FAIL_FAST_MS);

    // ...and later ones, reads and writes, do not sit in the retry loop again.
    for (let i = 0; i < 3; i += 1) {
      const read = await gql(READ);
      expect(read.errors?.map((e) => e.extensions?.code)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(read.elapsedMs).toBeLessThan(2_000);
    }
    const write = await gql(WRITE, { id: 'mistral', name: 'Mistral AI' });
    expect(write.errors?.map((e) => e.extensions?.code)).toEqual(['DATABASE_UNAVAILABLE']);
    expect(write.elapsedMs).toBeLessThan(2_000);

    const notReady = await readiness();
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'unavailable', neo4j: false });
    expect(notReady.elapsedMs).toBeLessThan(FAIL_FAST_MS);
    // The process itself is fine: an orchestrator should not restart it.
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

    // Back, at the same address with the same data.
    neo4j = await startLocalNeo4j({ homeDir, password: PASSWORD, port });

    const read = await gql(READ);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ company: { name: 'Anthropic' } });
    const written = await gql(WRITE, { id: 'mistral', name: 'Mistral AI' });
    expect(written.errors).toBeUndefined();
    expect((await gql('{ company(id: "mistral") { name } }')).data).toEqual({
      company: { name: 'Mistral AI' },
    });
    const ready = await readiness();
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', neo4j: true });
  }, 300_000);
});
