/**
 * Neo4j stops answering without closing its connections (SIGSTOP: what a partition without a
 * reset, a stuck disk or a long GC pause look like). Requests get coded answers within their
 * deadlines, /readyz says not ready, writes say whether they may have been applied, and the
 * server serves again within 5 s of Neo4j answering (SIGCONT), without a restart.
 *
 * This file starts a Neo4j of its own (it freezes it) and leaves the shared test Neo4j alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { importDataset } from '../src/importer/importDataset.js';
import { startLocalNeo4j, type LocalNeo4j } from '../src/localNeo4j/provision.js';
import { createLogger } from '../src/logger.js';
import { Database } from '../src/neo4j/database.js';
import { migrate } from '../src/neo4j/migrations.js';
import { startServer, type RunningServer } from '../src/server.js';
import { createStores } from '../src/stores/index.js';
import { ADMIN_TOKEN, type GraphQLResponse, timedGql } from './support/harness.js';

const PASSWORD = 'freeze-test-password';
/** The server's defaults, under which a read of a single item answers within 5 s. */
const DEFAULTS = loadConfig({});
const READ_DEADLINE_MS = 5_000;
/** Scheduling slack on a busy 2-core machine: the bound under test is READ_DEADLINE_MS. */
const SLACK_MS = 1_500;

let homeDir: string;
let neo4j: LocalNeo4j;
let db: Database;
let server: RunningServer;
let baseUrl: string;
let frozen = false;

function gql(
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse & { elapsedMs: number }> {
  return timedGql(`${baseUrl}/graphql`, query, variables);
}

const codes = (r: GraphQLResponse) => r.errors?.map((e) => e.extensions?.code);

function freeze(): void {
  process.kill(neo4j.process.pid!, 'SIGSTOP');
  frozen = true;
}

function thaw(): void {
  if (frozen) process.kill(neo4j.process.pid!, 'SIGCONT');
  frozen = false;
}

const READ = '{ company(id: "anthropic") { name } }';
const UPSERT = `mutation Upsert($id: ID!, $name: String!) {
  upsertCompany(input: { id: $id, name: $name, sectors: [AI_LAB] }) { id }
}`;

beforeAll(async () => {
  homeDir = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-freeze-neo4j-'));
  neo4j = await startLocalNeo4j({ homeDir, password: PASSWORD });
  db = new Database({
    uri: neo4j.uri,
    user: 'neo4j',
    password: PASSWORD,
    database: 'neo4j',
    queryTimeoutMs: DEFAULTS.queryTimeoutMs,
  });
  await migrate(db);
  const stores = createStores(db);
  const report = await importDataset(stores, {
    formatVersion: 1,
    companies: [{ id: 'anthropic', name: 'Anthropic', sectors: ['AI_LAB'] }],
    investments: [],
    commitments: [],
  });
  expect(report.rejections).toEqual([]);
  server = await startServer({
    config: { adminToken: ADMIN_TOKEN, production: false, host: '127.0.0.1', port: 0 },
    stores,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  });
  baseUrl = `http://127.0.0.1:${server.port}`;
}, 300_000);

afterAll(async () => {
  thaw();
  await server?.stop();
  await db?.close();
  await neo4j?.stop();
  if (homeDir) rmSync(homeDir, { recursive: true, force: true });
}, 120_000);

describe('when Neo4j stops answering and resumes', () => {
  it('answers with codes within the deadlines, says what writes did, and recovers', async () => {
    expect((await gql(READ)).data).toEqual({ company: { name: 'Anthropic' } });

    freeze();
    const [read, write] = await Promise.all([
      gql(READ),
      gql(UPSERT, { id: 'frozen-write', name: 'Written While Frozen' }),
    ]);
    expect(codes(read)).toEqual(['DATABASE_UNAVAILABLE']);
    expect(read.data).toEqual({ company: null });
    expect(read.elapsedMs).toBeLessThan(READ_DEADLINE_MS + SLACK_MS);

    expect(codes(write)).toEqual(['DATABASE_UNAVAILABLE']);
    const outcome = write.errors![0]!.extensions!.writeOutcome;
    expect(['UNKNOWN', 'NOT_APPLIED']).toContain(outcome);
    expect(write.errors![0]!.message).toMatch(/retrying it is safe/i);

    // The circuit is open: later requests do not wait for the silent database again.
    for (let i = 0; i < 3; i += 1) {
      const again = await gql(READ);
      expect(codes(again)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(again.elapsedMs).toBeLessThan(2_000 + SLACK_MS);
    }
    const refused = await gql(UPSERT, { id: 'refused-write', name: 'Refused While Frozen' });
    expect(refused.errors?.[0]?.extensions?.writeOutcome).toBe('NOT_APPLIED');

    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(503);

    // Resumed: served again within 5 s, without a restart.
    thaw();
    const resumed = performance.now();
    let served: GraphQLResponse | undefined;
    while (performance.now() - resumed < 15_000) {
      const attempt = await gql(READ);
      if (!attempt.errors) {
        served = attempt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(served?.data).toEqual({ company: { name: 'Anthropic' } });
    expect(performance.now() - resumed).toBeLessThan(5_000);

    // The write of unknown outcome may have committed; retrying it is safe, and after the retry
    // there is exactly one such company. The refused one was never written.
    const retried = await gql(UPSERT, { id: 'frozen-write', name: 'Written While Frozen' });
    expect(retried.errors).toBeUndefined();
    const rows = await db.read<{ id: string }>({
      name: 'test:frozen-writes',
      cypher: "MATCH (c:Company) WHERE c.id IN ['frozen-write', 'refused-write'] RETURN c.id AS id",
    });
    expect(rows.map((r) => r.id)).toEqual(['frozen-write']);
    expect((await fetch(`${baseUrl}/readyz`)).status).toBe(200);
  }, 120_000);
});
