/**
 * `npm run bench:soak`: mixed load at a fixed rate for a long time, with Neo4j frozen (SIGSTOP)
 * and later restarted in the middle, against the real server process.
 *
 * 1. Starts the project's own Neo4j (fixed port, so it comes back at the same address) and
 *    imports the synthetic industry dataset; starts our server (src/main.ts, production mode,
 *    rate limits off: the load generator is one client).
 * 2. Sends requests open-loop at SOAK_RATE per second (a request is sent on schedule whether or
 *    not earlier ones have answered, as real traffic does): lookups, company pages, cycle
 *    queries, relationship graphs and writes (new companies and investments with fresh ids).
 * 3. At 30% of the run Neo4j is frozen for SOAK_FREEZE_S; at 60% it is stopped and started again.
 * 4. Prints answers by code, p50 / p99 latency and server RSS per minute, how long service took to
 *    come back after each fault ended, and reads back every acknowledged write.
 *
 * Targets (issue 9): 0 acknowledged writes lost, 0 HTTP 5xx, no unbounded growth of RSS, service
 * back within 5 s of each fault ending.
 *
 * Settings: SOAK_DURATION_S (600), SOAK_RATE (20), SOAK_FREEZE_S (20), BENCH_COMPANIES (300),
 * BENCH_DEALS (3000), BENCH_SEED (42), NEO4J_HEAP_MB (the project's default).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startLocalNeo4j, type LocalNeo4j } from '../src/localNeo4j/provision.js';
import { Database } from '../src/neo4j/database.js';
import {
  importInto,
  numberSetting,
  post,
  rssMb,
  startServer,
  stopProcess,
  type Server,
} from './processes.js';
import { prng, syntheticIndustry } from './syntheticIndustry.js';

const setting = (name: string, fallback: number): number => numberSetting(name, fallback, 1);
const DURATION_S = setting('SOAK_DURATION_S', 600);
const RATE = setting('SOAK_RATE', 20);
const FREEZE_S = setting('SOAK_FREEZE_S', 20);
const COMPANIES = setting('BENCH_COMPANIES', 300);
const DEALS = setting('BENCH_DEALS', 3000);
const SEED = setting('BENCH_SEED', 42);

const PASSWORD = 'soak-neo4j-password';
const ADMIN_TOKEN = 'soak-admin-token-0123456789';
const log = (line: string): void => void process.stderr.write(`${line}\n`);

// --- The mix -----------------------------------------------------------------------------------

type Kind = 'lookup' | 'page' | 'cycles' | 'graph' | 'write';

/** Shares of the traffic: mostly reads, some heavy queries, a steady trickle of writes. */
const MIX: [Kind, number][] = [
  ['lookup', 0.35],
  ['page', 0.2],
  ['cycles', 0.1],
  ['graph', 0.15],
  ['write', 0.2],
];

interface Outcome {
  kind: Kind;
  sentAt: number;
  ms: number;
  status: number;
  /** 'OK', an error code, or 'NETWORK' when no HTTP answer came. */
  code: string;
  writeId?: string;
  writeOutcome?: string;
  message?: string;
}

function request(kind: Kind, companyIds: string[], random: () => number, n: number) {
  const company = companyIds[Math.floor(random() * companyIds.length)]!;
  switch (kind) {
    case 'lookup':
      return {
        query: `query Lookup($id: ID!) { company(id: $id) { id name } }`,
        variables: { id: company },
      };
    case 'page':
      return {
        query: `query Page { companies(first: 20) { edges { node { id name totals { investedUsd } } } } }`,
      };
    case 'cycles':
      return {
        query: `query Cycles($id: ID!) { company(id: $id) { cycles(where: { maxLength: 3 }, first: 10) { totalCount edges { node { id committedUsd } } } } }`,
        variables: { id: company },
      };
    case 'graph':
      return {
        query: `query Graph($id: ID!) { relationshipGraph(companyIds: [$id], depth: 1, aggregate: true) { nodes { id } edges { id amountUsd } } }`,
        variables: { id: company },
      };
    case 'write': {
      // Half new companies, half investments between existing ones, each with a fresh id.
      const id = `soak-${n}`;
      if (n % 2 === 0) {
        return {
          query: `mutation W($id: ID!, $name: String!) { upsertCompany(input: { id: $id, name: $name, sectors: [OTHER] }) { id } }`,
          variables: { id, name: `Soak ${n}` },
          writeId: id,
        };
      }
      const investee = companyIds[Math.floor(random() * companyIds.length)]!;
      return {
        query: `mutation W($id: ID!, $from: ID!, $to: ID!) { recordInvestment(input: {
          id: $id, investorId: $from, investeeId: $to, amountUsd: 1e6, status: ANNOUNCED,
          sources: [{ publisher: "Soak" }] }) { id } }`,
        variables: { id, from: company, to: investee === company ? companyIds[0]! : investee },
        writeId: id,
      };
    }
  }
}

async function send(
  server: Server,
  kind: Kind,
  body: ReturnType<typeof request>,
): Promise<Outcome> {
  const sentAt = performance.now();
  try {
    const { status, text } = await post(
      server.url,
      body.query,
      { authorization: `Bearer ${ADMIN_TOKEN}` },
      body.variables,
    );
    const parsed = JSON.parse(text) as {
      errors?: { message?: string; extensions?: { code?: string; writeOutcome?: string } }[];
    };
    const error = parsed.errors?.[0];
    return {
      kind,
      sentAt,
      ms: performance.now() - sentAt,
      status,
      code: error ? String(error.extensions?.code ?? 'UNKNOWN') : 'OK',
      ...('writeId' in body && body.writeId ? { writeId: body.writeId } : {}),
      ...(error?.extensions?.writeOutcome ? { writeOutcome: error.extensions.writeOutcome } : {}),
      ...(error?.message ? { message: error.message } : {}),
    };
  } catch {
    return { kind, sentAt, ms: performance.now() - sentAt, status: 0, code: 'NETWORK' };
  }
}

// --- Figures -----------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * Seconds from a fault's end until the server first answered a read without error again (the
 * earliest such answer, whenever its request was sent).
 */
function recoverySeconds(outcomes: Outcome[], faultEnd: number): number | null {
  const answeredAt = outcomes
    .filter((o) => o.kind !== 'write' && o.code === 'OK' && o.sentAt + o.ms >= faultEnd)
    .map((o) => o.sentAt + o.ms);
  return answeredAt.length ? (Math.min(...answeredAt) - faultEnd) / 1000 : null;
}

// --- The run -----------------------------------------------------------------------------------

const homeDir = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-soak-'));
const port = await freePort();
let neo4j: LocalNeo4j | undefined;
let server: Server | undefined;
let frozen = false;
try {
  neo4j = await startLocalNeo4j({ homeDir, password: PASSWORD, port });
  const dataset = syntheticIndustry({ seed: SEED, companies: COMPANIES, deals: DEALS });
  const report = await importInto(neo4j.uri, PASSWORD, dataset);
  log(
    `Imported ${report.accepted.companies} companies and ${report.accepted.investments + report.accepted.commitments} deals.`,
  );
  const companyIds = dataset.companies.map((c) => String(c.id));

  server = await startServer('ours', 'src/main.ts', {
    NEO4J_URI: neo4j.uri,
    NEO4J_PASSWORD: PASSWORD,
    NODE_ENV: 'production',
    SEED: 'false',
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN,
    RATE_LIMIT: 'false',
  });
  const pid = server.child.pid;
  log(
    `Soak: ${DURATION_S} s at ${RATE} requests/s; freeze of ${FREEZE_S} s at 30%, restart at 60%.`,
  );

  const random = prng(SEED);
  const outcomes: Outcome[] = [];
  const inFlight = new Set<Promise<void>>();
  const rssByMinute: number[][] = [];
  const started = performance.now();
  const faults: { name: string; end: number }[] = [];

  const rssSampler = setInterval(() => {
    const minute = Math.floor((performance.now() - started) / 60_000);
    (rssByMinute[minute] ??= []).push(rssMb(pid));
  }, 1_000);

  // The faults run beside the load.
  const faultPlan = (async () => {
    await new Promise((r) => setTimeout(r, DURATION_S * 300));
    log(
      `  ${((performance.now() - started) / 1000).toFixed(0)} s: freezing Neo4j for ${FREEZE_S} s`,
    );
    process.kill(neo4j!.process.pid!, 'SIGSTOP');
    frozen = true;
    await new Promise((r) => setTimeout(r, FREEZE_S * 1000));
    process.kill(neo4j!.process.pid!, 'SIGCONT');
    frozen = false;
    faults.push({ name: `freeze (${FREEZE_S} s)`, end: performance.now() });
    await new Promise((r) => setTimeout(r, Math.max(0, DURATION_S * 300 - FREEZE_S * 1000)));
    log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: restarting Neo4j`);
    await neo4j!.stop();
    neo4j = await startLocalNeo4j({ homeDir, password: PASSWORD, port });
    faults.push({ name: 'restart', end: performance.now() });
    log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: Neo4j is back`);
  })();

  const kinds = MIX.map(([kind]) => kind);
  const cumulative = MIX.reduce<number[]>(
    (acc, [, share]) => [...acc, (acc.at(-1) ?? 0) + share],
    [],
  );
  for (let n = 0; ; n += 1) {
    const due = started + (n * 1000) / RATE;
    if (due - started > DURATION_S * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const pick = random() * cumulative.at(-1)!;
    const kind = kinds[cumulative.findIndex((c) => pick < c)] ?? 'lookup';
    const task = send(server, kind, request(kind, companyIds, random, n)).then((o) => {
      outcomes.push(o);
      inFlight.delete(task);
    });
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  await faultPlan;
  clearInterval(rssSampler);

  // --- Report ---
  const minutes = Math.ceil(DURATION_S / 60);
  console.log('\nminute | requests | p50 ms | p99 ms | answers by code | server RSS MB (min-max)');
  for (let m = 0; m < minutes; m += 1) {
    const inMinute = outcomes.filter(
      (o) => o.sentAt - started >= m * 60_000 && o.sentAt - started < (m + 1) * 60_000,
    );
    const ms = inMinute.map((o) => o.ms).sort((a, b) => a - b);
    const rss = (rssByMinute[m] ?? []).filter(Number.isFinite);
    console.log(
      `${String(m + 1).padStart(6)} | ${String(inMinute.length).padStart(8)} | ${percentile(ms, 50).toFixed(0).padStart(6)} | ${percentile(ms, 99).toFixed(0).padStart(6)} | ${JSON.stringify(countBy(inMinute, (o) => o.code))} | ${rss.length ? `${Math.min(...rss).toFixed(0)}-${Math.max(...rss).toFixed(0)}` : '-'}`,
    );
  }
  const statuses = countBy(outcomes, (o) => String(o.status));
  const fiveXx = outcomes.filter((o) => o.status >= 500).length;
  console.log(`\nHTTP statuses: ${JSON.stringify(statuses)}; 5xx: ${fiveXx}`);
  console.log(`Answers by code: ${JSON.stringify(countBy(outcomes, (o) => o.code))}`);
  const firstMessages = new Map<string, string>();
  for (const o of outcomes) {
    const key = `${o.kind} ${o.code}`;
    if (o.message && !firstMessages.has(key)) firstMessages.set(key, o.message.slice(0, 160));
  }
  for (const [key, message] of firstMessages) console.log(`  first ${key}: ${message}`);
  for (const fault of faults) {
    // Second by second after the fault ended: requests sent, answered OK, and their p50.
    const after = outcomes.filter((o) => o.sentAt >= fault.end && o.sentAt < fault.end + 10_000);
    const seconds10 = Array.from({ length: 10 }, (_, i) => {
      const inSecond = after.filter(
        (o) => o.sentAt >= fault.end + i * 1000 && o.sentAt < fault.end + (i + 1) * 1000,
      );
      const ms = inSecond.map((o) => o.ms).sort((a, b) => a - b);
      return `${inSecond.filter((o) => o.code === 'OK').length}/${inSecond.length} ok p50 ${percentile(ms, 50).toFixed(0)}`;
    });
    console.log(`After the ${fault.name}, per second: ${seconds10.join(' | ')}`);
    const seconds = recoverySeconds(outcomes, fault.end);
    console.log(
      `Service back after the ${fault.name} ended: ${seconds === null ? 'never' : `${seconds.toFixed(2)} s`}`,
    );
  }

  // Every acknowledged write must be there; writes of unknown outcome may or may not be.
  const acknowledged = outcomes
    .filter((o) => o.kind === 'write' && o.code === 'OK')
    .map((o) => o.writeId!);
  const unknown = outcomes.filter((o) => o.writeOutcome === 'UNKNOWN').map((o) => o.writeId!);
  const check = new Database({
    uri: neo4j!.uri,
    user: 'neo4j',
    password: PASSWORD,
    database: 'neo4j',
    queryTimeoutMs: 60_000,
  });
  try {
    const found = async (ids: string[]) =>
      new Set(
        (
          await check.read<{ id: string }>(
            {
              name: 'soak:read-back',
              cypher: `MATCH (n) WHERE (n:Company OR n:Investment) AND n.id IN $ids RETURN n.id AS id`,
            },
            { ids },
          )
        ).map((r) => r.id),
      );
    const present = await found(acknowledged);
    const lost = acknowledged.filter((id) => !present.has(id));
    const unknownPresent = await found(unknown);
    console.log(
      `Writes: ${acknowledged.length} acknowledged, ${lost.length} lost${lost.length ? ` (${lost.slice(0, 5).join(', ')})` : ''}; ` +
        `${unknown.length} of unknown outcome (${unknownPresent.size} of them committed); ` +
        `${outcomes.filter((o) => o.writeOutcome === 'NOT_APPLIED').length} refused unapplied.`,
    );
    const rssAll = rssByMinute.map((r) => Math.max(...r.filter(Number.isFinite)));
    console.log(`Peak RSS per minute (MB): ${rssAll.map((r) => r.toFixed(0)).join(', ')}`);
  } finally {
    await check.close();
  }
} finally {
  if (frozen && neo4j) process.kill(neo4j.process.pid!, 'SIGCONT');
  if (server) await stopProcess(server.child);
  await neo4j?.stop();
  rmSync(homeDir, { recursive: true, force: true });
}
