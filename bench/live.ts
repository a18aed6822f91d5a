/**
 * `npm run bench:live`: live events under a steady stream of writes, against the real server.
 *
 * 1. Starts the project's own Neo4j and imports the synthetic industry (1k companies / 10k deals
 *    by default) through the importer; starts our server (src/main.ts, production mode, rate
 *    limits off) and waits until it has planned its cycle statements.
 * 2. Writes through the GraphQL mutations with the admin token, open-loop at BENCH_LIVE_RATE per
 *    second (a write is sent on schedule whether or not earlier ones have answered): mostly new
 *    deals (more deals of the same synthetic industry, so they close cycles as real ones would),
 *    some amount changes and some deletions of deals this bench wrote.
 * 3. Phase "without": BENCH_LIVE_DURATION_S of writes, nobody subscribed. Then
 *    BENCH_LIVE_SUBSCRIBERS graphql-ws clients connect, one socket each, from a second process
 *    (so that parsing events never delays the writer's own clock): cycleEvents with assorted
 *    filters (through hubs and mid-sized companies, by length, amount, time order; whole-graph
 *    2-cycles: see watchedCompanies), and dealEvents. Phase "with": the same writes, same time.
 * 4. Prints: write latency p50 / p95 / p99 in each phase and the slowdown (target: at most 20%),
 *    delivery lag p50 / p99 from the event's commit time (`at`) and from the write's
 *    acknowledgement to receipt (targets 100 ms / 1 s), events delivered by kind, whether every
 *    unfiltered dealEvents subscriber heard every acknowledged write, sockets closed by the
 *    server, and the server's RSS in each phase.
 *
 * The lag from `at` uses the server's clock and the subscribers' clock, the same machine's. The
 * lag from the acknowledgement can be negative: an event may arrive before the write's HTTP answer.
 *
 * Settings (environment): BENCH_LIVE_SUBSCRIBERS (100), BENCH_LIVE_RATE (20 writes/s),
 * BENCH_LIVE_DURATION_S (60, each phase), BENCH_LIVE_WARMUP_S (5), BENCH_LIVE_DRAIN_S (60: the
 * longest wait for events after the last write), BENCH_COMPANIES (1000), BENCH_DEALS (10000),
 * BENCH_SEED (7), NEO4J_HEAP_MB (the project's default). Extra server settings pass through the
 * environment as usual.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startLocalNeo4j, type LocalNeo4j } from '../src/localNeo4j/provision.js';
import {
  importInto,
  numberSetting,
  post,
  ROOT,
  rssMb,
  startServer,
  stopProcess,
  type Server,
} from './processes.js';
import { buildFlowGraph, enumerateCycles } from './inProcessCycles.js';
import { prng, syntheticIndustry, type Dataset } from './syntheticIndustry.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const log = (line: string): void => void process.stderr.write(`${line}\n`);
/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// --- The subscribers (a second process) --------------------------------------------------------

interface SubscriberSpec {
  label: string;
  field: 'cycleEvents' | 'dealEvents';
  where?: Record<string, unknown>;
}

interface SubscribersInput {
  url: string;
  subscribers: SubscriberSpec[];
}

/** One delivery: the cause's key, when it arrived, when the write committed (`at`). */
type Delivery = [key: string, receivedAt: number, at: number];

interface SubscribersReport {
  /** Per subscriber (in input order): its deliveries and how it ended. */
  subscribers: {
    label: string;
    field: SubscriberSpec['field'];
    unfiltered: boolean;
    byKind: Record<string, number>;
    deliveries: Delivery[];
    errors: string[];
    closes: string[];
  }[];
}

const CYCLE_EVENTS = /* GraphQL */ `
  subscription BenchCycles($where: CycleFilter) {
    cycleEvents(where: $where) {
      cursor
      kind
      at
      cause {
        dealId
        kind
        version
      }
      parentChange {
        companyIds
      }
      cycle {
        key
        length
        investedUsd
        committedUsd
      }
    }
  }
`;

const DEAL_EVENTS = /* GraphQL */ `
  subscription BenchDeals($where: DealFilter) {
    dealEvents(where: $where) {
      cursor
      at
      change {
        dealId
        kind
        type
        fromCompanyId
        toCompanyId
        version
        deal {
          id
          amountUsd
        }
      }
    }
  }
`;

interface CauseShape {
  dealId: string;
  kind: string;
  version: number;
}

const causeKey = (cause: CauseShape): string => `${cause.dealId}@${cause.version}:${cause.kind}`;

/**
 * Connects every subscriber (one graphql-ws client, one socket each), says `ready` on stdout once
 * all are acknowledged, then answers `progress` on stdin with its count of deliveries, and `stop`
 * with the whole report.
 */
async function runSubscribers(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  const input = JSON.parse(String(first.value)) as SubscribersInput;
  const say = (message: Record<string, unknown>): void =>
    void process.stdout.write(`${JSON.stringify(message)}\n`);

  let stopping = false;
  let delivered = 0;
  let lastReceivedAt = 0;
  let connected = 0;
  const clients: Client[] = [];
  const disposers: (() => void)[] = [];
  const report: SubscribersReport = { subscribers: [] };

  for (const spec of input.subscribers) {
    const entry: SubscribersReport['subscribers'][number] = {
      label: spec.label,
      field: spec.field,
      unfiltered: spec.where === undefined,
      byKind: {},
      deliveries: [],
      errors: [],
      closes: [],
    };
    report.subscribers.push(entry);
    let acknowledged = false;
    const client = createClient({
      url: input.url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      on: {
        connected: () => {
          if (!acknowledged) connected += 1;
          acknowledged = true;
        },
        closed: (event) => {
          if (stopping) return;
          const { code, reason } = event as { code?: number; reason?: string };
          entry.closes.push(`${code ?? '?'} ${reason ?? ''}`.trim());
        },
      },
    });
    clients.push(client);
    disposers.push(
      client.subscribe<Record<string, unknown>>(
        {
          query: spec.field === 'cycleEvents' ? CYCLE_EVENTS : DEAL_EVENTS,
          variables: spec.where === undefined ? {} : { where: spec.where },
        },
        {
          next(result) {
            const receivedAt = now();
            if (result.errors?.length) {
              entry.errors.push(String(result.errors[0]?.message));
              return;
            }
            const event = result.data?.[spec.field] as
              | { at: string; kind?: string; cause?: CauseShape | null; change?: CauseShape }
              | undefined;
            if (!event) return;
            // A cycle event's cause is null when companies changed parents (not written here).
            const cause = event.cause ?? event.change;
            const kind = event.kind ?? cause?.kind ?? '?';
            entry.byKind[kind] = (entry.byKind[kind] ?? 0) + 1;
            const key = cause ? causeKey(cause) : 'parent-change';
            entry.deliveries.push([key, receivedAt, Date.parse(event.at)]);
            delivered += 1;
            lastReceivedAt = receivedAt;
          },
          error(error) {
            if (stopping) return;
            const e = error as { message?: string; code?: number; reason?: string };
            entry.errors.push(
              Array.isArray(error)
                ? (error as { message: string; extensions?: { code?: string } }[])
                    .map((x) => `${x.extensions?.code ?? ''} ${x.message}`.trim())
                    .join('; ')
                : (e.message ?? `closed ${e.code ?? '?'} ${e.reason ?? ''}`.trim()),
            );
          },
          complete() {},
        },
      ),
    );
  }

  const deadline = Date.now() + 60_000;
  while (connected < input.subscribers.length && Date.now() < deadline) await sleep(50);
  const failed = report.subscribers.filter((s) => s.errors.length || s.closes.length);
  say({
    type: 'ready',
    connected,
    failed: failed.map((s) => `${s.label}: ${[...s.errors, ...s.closes][0]}`),
  });

  // Commands: "progress" (answered with the deliveries so far) and "stop".
  for (;;) {
    const command = await iterator.next();
    if (command.done || command.value === 'stop') break;
    say({ type: 'progress', delivered, lastReceivedAt });
  }
  stopping = true;
  for (const dispose of disposers) dispose();
  await Promise.all(clients.map((client) => client.dispose()));
  say({ type: 'report', report });
  lines.close();
}

// --- The writes --------------------------------------------------------------------------------

const PASSWORD = 'bench-live-neo4j-password';
const ADMIN_TOKEN = 'bench-live-admin-token-0123456789';

const RECORD_INVESTMENT = /* GraphQL */ `
  mutation BenchInvestment($input: RecordInvestmentInput!) {
    recordInvestment(input: $input) {
      id
      version
    }
  }
`;
const RECORD_COMMITMENT = /* GraphQL */ `
  mutation BenchCommitment($input: RecordCommitmentInput!) {
    recordCommitment(input: $input) {
      id
      version
    }
  }
`;
const DELETE_DEAL = /* GraphQL */ `
  mutation BenchDelete($id: ID!) {
    deleteDeal(id: $id) {
      dealId
    }
  }
`;

type DealRecord = Record<string, unknown> & { id: string; amountUsd?: number | null };

interface Written {
  type: 'investment' | 'commitment';
  input: DealRecord;
  version: number;
  busy: boolean;
}

interface WriteOutcome {
  phase: string;
  kind: 'RECORDED' | 'CHANGED' | 'DELETED';
  ms: number;
  ok: boolean;
  code?: string;
  message?: string;
  /** The key events about this write carry (see causeKey), when it was acknowledged. */
  key?: string;
  ackedAt?: number;
}

/**
 * The writer's state: deals not yet written (more of the same synthetic industry), and those
 * it wrote, with their versions, for changes and deletions.
 */
class Writer {
  private readonly written = new Map<string, Written>();
  private next = 0;

  constructor(
    private readonly url: string,
    private readonly pool: { type: Written['type']; input: DealRecord }[],
    private readonly random: () => number,
  ) {}

  /** 70% new deals, 20% amount changes, 10% deletions (of deals this bench wrote). */
  async write(phase: string): Promise<WriteOutcome> {
    const idle = [...this.written.values()].filter((w) => !w.busy);
    const roll = this.random();
    if (roll < 0.7 || idle.length < 20) {
      const fresh = this.pool[this.next++];
      if (!fresh) throw new Error('the pool of new deals is used up: raise the pool size');
      const entry: Written = { ...fresh, version: 0, busy: true };
      this.written.set(fresh.input.id, entry);
      return this.record(phase, entry, 'RECORDED');
    }
    const entry = idle[Math.floor(this.random() * idle.length)]!;
    entry.busy = true;
    if (roll < 0.9) {
      const amount = Number(entry.input.amountUsd ?? 1e9);
      entry.input = { ...entry.input, amountUsd: Math.round(amount * (0.5 + this.random() * 1.5)) };
      return this.record(phase, entry, 'CHANGED');
    }
    const started = performance.now();
    const outcome = await this.send(DELETE_DEAL, { id: entry.input.id });
    const ok = outcome.ok;
    if (ok) this.written.delete(entry.input.id);
    entry.busy = false;
    return {
      phase,
      kind: 'DELETED',
      ms: performance.now() - started,
      ok,
      ...(outcome.code ? { code: outcome.code } : {}),
      ...(outcome.message ? { message: outcome.message } : {}),
      ...(ok
        ? {
            key: causeKey({ dealId: entry.input.id, kind: 'DELETED', version: entry.version }),
            ackedAt: now(),
          }
        : {}),
    };
  }

  private async record(
    phase: string,
    entry: Written,
    kind: 'RECORDED' | 'CHANGED',
  ): Promise<WriteOutcome> {
    const started = performance.now();
    const outcome = await this.send(
      entry.type === 'investment' ? RECORD_INVESTMENT : RECORD_COMMITMENT,
      { input: entry.input },
    );
    const ms = performance.now() - started;
    entry.busy = false;
    const version = outcome.version;
    if (!outcome.ok || version === undefined) {
      if (kind === 'RECORDED') this.written.delete(entry.input.id);
      return {
        phase,
        kind,
        ms,
        ok: false,
        code: outcome.code ?? 'NO_VERSION',
        ...(outcome.message ? { message: outcome.message } : {}),
      };
    }
    entry.version = version;
    return {
      phase,
      kind,
      ms,
      ok: true,
      key: causeKey({ dealId: entry.input.id, kind, version }),
      ackedAt: now(),
    };
  }

  private async send(
    query: string,
    variables: Record<string, unknown>,
  ): Promise<{ ok: boolean; code?: string; message?: string; version?: number }> {
    try {
      const { text } = await post(
        this.url,
        query,
        { authorization: `Bearer ${ADMIN_TOKEN}` },
        variables,
      );
      const body = JSON.parse(text) as {
        data?: Record<string, { version?: number } | null> | null;
        errors?: { message?: string; extensions?: { code?: string } }[];
      };
      const error = body.errors?.[0];
      if (error) {
        return {
          ok: false,
          code: String(error.extensions?.code ?? 'UNKNOWN'),
          message: String(error.message ?? ''),
        };
      }
      const payload = Object.values(body.data ?? {})[0];
      return { ok: true, ...(payload?.version !== undefined ? { version: payload.version } : {}) };
    } catch {
      return { ok: false, code: 'NETWORK' };
    }
  }
}

/** Deals of the synthetic dataset as mutation inputs (the import format is the input shape). */
function asInput(record: Record<string, unknown>): DealRecord {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== null) input[key] = value;
  return input as DealRecord;
}

/** Sends writes open-loop at `rate` per second for `seconds`; resolves when all have answered. */
async function writeFor(
  writer: Writer,
  phase: string,
  rate: number,
  seconds: number,
): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  for (let n = 0; ; n += 1) {
    const due = started + (n * 1000) / rate;
    if (due - started >= seconds * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const task: Promise<void> = writer.write(phase).then((o) => {
      outcomes.push(o);
      inFlight.delete(task);
    });
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  return outcomes;
}

// --- Figures -----------------------------------------------------------------------------------

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const fmt = (ms: number): string =>
  Number.isNaN(ms) ? '-' : Math.abs(ms) < 10 ? ms.toFixed(1) : ms.toFixed(0);

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** CPU seconds a process has used (user + system), from /proc; NaN when unknown. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds of each process over a phase. */
function cpuMeter(pids: Record<string, number | undefined>): () => string {
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const began = Date.now();
  return () => {
    const wall = (Date.now() - began) / 1000;
    return Object.entries(pids)
      .map(([k, pid]) => {
        const used = cpuSeconds(pid) - (start[k] ?? NaN);
        return `${k} ${used.toFixed(0)} s (${(used / wall).toFixed(2)} cores)`;
      })
      .join(', ');
  };
}

/** Samples a process's RSS every 500 ms until stopped: peak and last, in MB. */
function rssSampler(pid: number | undefined): () => { peak: number; last: number } {
  let peak = rssMb(pid);
  let last = peak;
  const timer = setInterval(() => {
    last = rssMb(pid);
    if (last > peak) peak = last;
  }, 500);
  return () => {
    clearInterval(timer);
    return { peak, last };
  };
}

/**
 * Companies to watch, from the imported graph (the in-process enumerator, bench:cycles' check):
 * hubs, the five with most cycles of length <= 3 through them, and mid-sized ones, with 200 to
 * 2,000 cycles of length <= 4 through them. The server refuses a filter that matches more than
 * CYCLE_RESULT_CAP (5,000) cycles (on this graph: every whole-graph filter past length 3, and the
 * biggest hubs at length 4), so the watchers here are those a dashboard could open.
 */
function watchedCompanies(dataset: Dataset): { hubs: string[]; mid: string[] } {
  const graph = buildFlowGraph(dataset);
  const through = (maxLength: number): [string, number][] => {
    const tally = new Map<string, number>();
    for (const cycle of enumerateCycles(graph, maxLength))
      for (const id of cycle) tally.set(id, (tally.get(id) ?? 0) + 1);
    return [...tally.entries()].sort((a, b) => b[1] - a[1]);
  };
  const hubs = through(3)
    .slice(0, 5)
    .map(([id]) => id);
  const mid = through(4)
    .filter(([, n]) => n >= 200 && n <= 2_000)
    .map(([id]) => id);
  return { hubs, mid: mid.length ? mid : hubs };
}

/** Subscribers by share of the total: cycle watchers with assorted filters, and deal feeds. */
function subscriberMix(
  count: number,
  watched: { hubs: string[]; mid: string[] },
): SubscriberSpec[] {
  const hub = (i: number): string => watched.hubs[i % watched.hubs.length]!;
  const mid = (i: number): string => watched.mid[i % watched.mid.length]!;
  const kinds: ((i: number) => SubscriberSpec)[] = [
    (i) => ({
      label: 'cycles through a company',
      field: 'cycleEvents',
      where: { through: [mid(i)] },
    }),
    (i) => ({
      label: 'cycles through a company, maxLength 3',
      field: 'cycleEvents',
      where: { through: [mid(i)], maxLength: 3 },
    }),
    (i) => ({
      label: 'cycles through a hub, maxLength 3',
      field: 'cycleEvents',
      where: { through: [hub(i)], maxLength: 3 },
    }),
    (i) => ({
      label: 'cycles through a company, deals >= $1B',
      field: 'cycleEvents',
      where: { through: [mid(i)], deals: { minAmountUsd: 1e9 } },
    }),
    (i) => ({
      label: 'cycles through a company, time-respecting',
      field: 'cycleEvents',
      where: { through: [mid(i)], timeRespecting: true },
    }),
    () => ({
      label: 'cycles, whole graph, maxLength 2',
      field: 'cycleEvents',
      where: { maxLength: 2 },
    }),
    () => ({ label: 'deals (no filter)', field: 'dealEvents' }),
    (i) => ({ label: 'deals of a hub', field: 'dealEvents', where: { companyId: hub(i) } }),
  ];
  // Shares out of 20: 5 through a company, 3 of them at length 3, 3 through a hub at length 3,
  // 2 by amount, 1 time-respecting, 2 whole-graph 2-cycles, 3 unfiltered deal feeds, 1 of a hub.
  const pattern = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 6, 6, 7];
  return Array.from({ length: count }, (_, i) => kinds[pattern[i % pattern.length]!]!(i));
}

// --- The run -----------------------------------------------------------------------------------

function startSubscribers(input: SubscribersInput): {
  child: ChildProcess;
  messages: AsyncIterator<string>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, '--subscribers'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin!.write(`${JSON.stringify(input)}\n`);
  const messages = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, messages };
}

async function nextMessage(
  messages: AsyncIterator<string>,
  type: string,
): Promise<Record<string, unknown>> {
  for (;;) {
    const { value, done } = await messages.next();
    if (done) throw new Error(`the subscribers' process ended before its ${type} message`);
    const message = JSON.parse(value) as Record<string, unknown>;
    if (message.type === type) return message;
  }
}

async function main(): Promise<void> {
  const setting = (name: string, fallback: number): number => numberSetting(name, fallback, 1);
  const SUBSCRIBERS = setting('BENCH_LIVE_SUBSCRIBERS', 100);
  const RATE = setting('BENCH_LIVE_RATE', 20);
  const DURATION_S = setting('BENCH_LIVE_DURATION_S', 60);
  const WARMUP_S = numberSetting('BENCH_LIVE_WARMUP_S', 5);
  const DRAIN_S = setting('BENCH_LIVE_DRAIN_S', 60);
  const COMPANIES = setting('BENCH_COMPANIES', 1000);
  const DEALS = setting('BENCH_DEALS', 10_000);
  const SEED = setting('BENCH_SEED', 7);

  const homeDir = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-live-'));
  let neo4j: LocalNeo4j | undefined;
  let server: Server | undefined;
  let subscribers: ChildProcess | undefined;
  try {
    neo4j = await startLocalNeo4j({
      homeDir,
      password: PASSWORD,
      ...(process.env.NEO4J_HEAP_MB ? { heapMb: Number(process.env.NEO4J_HEAP_MB) } : {}),
    });
    // The first DEALS deals are imported; the ones after them (the same generator, so the same
    // industry) are the writes. The generator draws deals in order, so the imported part is the
    // dataset of DEALS deals exactly.
    const writesNeeded = Math.ceil(RATE * (2 * DURATION_S + WARMUP_S) * 0.75) + 100;
    const full = syntheticIndustry({
      seed: SEED,
      companies: COMPANIES,
      deals: DEALS + writesNeeded,
    });
    const isBase = (deal: Record<string, unknown>): boolean =>
      Number(String(deal.id).slice(4)) < DEALS;
    const dataset = {
      ...full,
      investments: full.investments.filter(isBase),
      commitments: full.commitments.filter(isBase),
    };
    const started = performance.now();
    const report = await importInto(neo4j.uri, PASSWORD, dataset);
    if (report.rejections.length)
      throw new Error(`synthetic data rejected: ${report.rejections.length}`);
    log(
      `Imported ${report.accepted.companies} companies and ${report.accepted.investments + report.accepted.commitments} deals in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    );
    const random = prng(SEED + 1);
    const pool = [
      ...full.investments
        .filter((d) => !isBase(d))
        .map((d) => ({ type: 'investment' as const, input: asInput(d) })),
      ...full.commitments
        .filter((d) => !isBase(d))
        .map((d) => ({ type: 'commitment' as const, input: asInput(d) })),
    ]
      .map((deal) => ({ deal, order: random() }))
      .sort((a, b) => a.order - b.order)
      .map(({ deal }) => ({ ...deal, input: { ...deal.input, id: `live-${deal.input.id}` } }));

    server = await startServer('ours', 'src/main.ts', {
      NEO4J_URI: neo4j.uri,
      NEO4J_PASSWORD: PASSWORD,
      NODE_ENV: 'production',
      SEED: 'false',
      LOG_LEVEL: 'info',
      ADMIN_TOKEN,
      RATE_LIMIT: 'false',
      METRICS_TOKEN,
    });
    const pid = server.child.pid;
    // The server's first errors, to say what an INTERNAL_SERVER_ERROR was.
    const serverErrors: string[] = [];
    server.child.stdout!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (serverErrors.length < 3 && line.includes('"level":50')) serverErrors.push(line);
      }
    });
    await waitForPlanning(server);
    const writer = new Writer(server.url, pool, random);

    log(`Warm-up: ${WARMUP_S} s at ${RATE} writes/s.`);
    await writeFor(writer, 'warm-up', RATE, WARMUP_S);

    log(`Phase "without": ${DURATION_S} s at ${RATE} writes/s, no subscribers.`);
    let stopRss = rssSampler(pid);
    let cpu = cpuMeter({ server: pid, neo4j: neo4j.process.pid });
    const without = await writeFor(writer, 'without', RATE, DURATION_S);
    const rssWithout = stopRss();
    const cpuWithout = cpu();

    const mix = subscriberMix(SUBSCRIBERS, watchedCompanies(dataset));
    const wsUrl = server.url.replace(/^http/, 'ws');
    const rssBefore = rssMb(pid);
    const feed = startSubscribers({ url: wsUrl, subscribers: mix });
    subscribers = feed.child;
    const ready = await nextMessage(feed.messages, 'ready');
    const failedToStart = ready.failed as string[];
    log(
      `${String(ready.connected)} of ${SUBSCRIBERS} subscribers connected` +
        (failedToStart.length ? `; refused: ${failedToStart.slice(0, 3).join(' | ')}` : '.'),
    );
    await sleep(1_000);
    const rssSubscribed = rssMb(pid);

    log(`Phase "with": ${DURATION_S} s at ${RATE} writes/s, ${SUBSCRIBERS} subscribers.`);
    stopRss = rssSampler(pid);
    cpu = cpuMeter({ server: pid, neo4j: neo4j.process.pid, subscribers: subscribers.pid });
    const withSubs = await writeFor(writer, 'with', RATE, DURATION_S);
    const cpuWith = cpu();
    // Wait for the events still on their way: until none came for 3 s, at most DRAIN_S.
    const drainStarted = Date.now();
    let drained = false;
    while (Date.now() - drainStarted < DRAIN_S * 1000) {
      await sleep(500);
      subscribers.stdin!.write('progress\n');
      const progress = await nextMessage(feed.messages, 'progress');
      if (now() - Number(progress.lastReceivedAt) > 3_000) {
        drained = true;
        break;
      }
    }
    log(
      drained
        ? `Events drained ${((Date.now() - drainStarted) / 1000).toFixed(1)} s after the last write answered.`
        : `Events still arriving ${DRAIN_S} s after the last write answered; stopped waiting.`,
    );
    const rssWith = stopRss();
    const metrics = await liveWork(server.url);
    subscribers.stdin!.write('stop\n');
    const { report: events } = (await nextMessage(feed.messages, 'report')) as unknown as {
      report: SubscribersReport;
    };

    printFigures({
      serverErrors,
      SUBSCRIBERS,
      RATE,
      DURATION_S,
      COMPANIES,
      DEALS,
      without,
      withSubs,
      events,
      rss: { without: rssWithout, before: rssBefore, subscribed: rssSubscribed, with: rssWith },
    });
    log(metrics);
    log(`CPU, phase "without": ${cpuWithout}`);
    log(`CPU, phase "with": ${cpuWith}`);
  } finally {
    if (subscribers) await stopProcess(subscribers);
    if (server) await stopProcess(server.child);
    await neo4j?.stop();
    rmSync(homeDir, { recursive: true, force: true });
  }
}

const METRICS_TOKEN = 'bench-live-metrics';

/**
 * Where the server's time went (from its /metrics, both phases): pair searches run and shared by
 * the live watches, and the Neo4j statements that took the most time in all.
 */
async function liveWork(url: string): Promise<string> {
  const res = await fetch(url.replace('/graphql', '/metrics'), {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  if (!res.ok) return `(metrics: HTTP ${res.status})`;
  const text = await res.text();
  const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
  const run = value(/^live_pair_searches_total\{outcome="run"\} (\S+)/m);
  const shared = value(/^live_pair_searches_total\{outcome="shared"\} (\S+)/m);
  const byStatement = new Map<string, { seconds: number; count: number }>();
  for (const m of text.matchAll(
    /^neo4j_query_duration_seconds_(sum|count)\{query="([^"]+)",outcome="\w+"\} (\S+)/gm,
  )) {
    const entry = byStatement.get(m[2]!) ?? { seconds: 0, count: 0 };
    if (m[1] === 'sum') entry.seconds += Number(m[3]);
    else entry.count += Number(m[3]);
    byStatement.set(m[2]!, entry);
  }
  const top = [...byStatement.entries()]
    .sort((a, b) => b[1].seconds - a[1].seconds)
    .slice(0, 8)
    .map(
      ([name, e]) =>
        `  ${name.padEnd(44)} ${e.count.toString().padStart(7)} runs ${e.seconds.toFixed(1).padStart(8)} s ${((e.seconds / Math.max(e.count, 1)) * 1000).toFixed(1).padStart(8)} ms each`,
    );
  return [
    `Live pair searches: ${run} run in Neo4j, ${shared} answered by a search another watch ran.`,
    'Neo4j time by statement (both phases, session open to close):',
    ...top,
  ].join('\n');
}

/** main.ts plans every cycle statement in the background after start; the run waits for it. */
async function waitForPlanning(server: Server): Promise<void> {
  const planned = (): boolean => server.output.some((chunk) => chunk.includes('planned every'));
  const deadline = Date.now() + 300_000;
  const seen: string[] = [];
  const keep = (chunk: Buffer): void => void seen.push(chunk.toString());
  server.child.stdout!.on('data', keep);
  try {
    while (!planned() && !seen.some((chunk) => chunk.includes('planned every'))) {
      if (Date.now() > deadline) throw new Error('the server did not finish planning in 5 min');
      if (server.child.exitCode !== null)
        throw new Error(`the server exited:\n${server.output.join('')}`);
      await sleep(500);
    }
  } finally {
    server.child.stdout!.off('data', keep);
  }
}

interface Figures {
  serverErrors: string[];
  SUBSCRIBERS: number;
  RATE: number;
  DURATION_S: number;
  COMPANIES: number;
  DEALS: number;
  without: WriteOutcome[];
  withSubs: WriteOutcome[];
  events: SubscribersReport;
  rss: {
    without: { peak: number; last: number };
    before: number;
    subscribed: number;
    with: { peak: number; last: number };
  };
}

function printFigures(f: Figures): void {
  console.log(
    `\nbench:live: ${f.COMPANIES} companies / ${f.DEALS} deals; ${f.RATE} writes/s for ${f.DURATION_S} s per phase; ` +
      `${f.SUBSCRIBERS} subscribers; Node ${process.version}; ${os.cpus().length} cores; load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );

  console.log('\nWrite latency (ms)        | writes | ok   | p50    | p95    | p99    | errors');
  const latency = (label: string, outcomes: WriteOutcome[]): number[] => {
    const ms = outcomes.filter((o) => o.ok).map((o) => o.ms);
    const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(ms, p)) as [number, number, number];
    const errors = countBy(
      outcomes.filter((o) => !o.ok),
      (o) => o.code ?? '?',
    );
    console.log(
      `${label.padEnd(26)}| ${String(outcomes.length).padEnd(7)}| ${String(ms.length).padEnd(5)}| ${fmt(p50).padEnd(7)}| ${fmt(p95).padEnd(7)}| ${fmt(p99).padEnd(7)}| ${JSON.stringify(errors)}`,
    );
    return [p50, p95, p99];
  };
  const base = latency('without subscribers', f.without);
  const loaded = latency(`with ${f.SUBSCRIBERS} subscribers`, f.withSubs);
  const slower = loaded.map((v, i) => `${(((v - base[i]!) / base[i]!) * 100).toFixed(0)}%`);
  console.log(
    `Slowdown with subscribers: p50 ${slower[0]}, p95 ${slower[1]}, p99 ${slower[2]} (target: at most 20%)`,
  );
  console.log(
    `Writes in the "with" phase by kind: ${JSON.stringify(countBy(f.withSubs, (o) => o.kind))}`,
  );
  const firstMessages = new Map<string, string>();
  for (const o of [...f.without, ...f.withSubs]) {
    const code = o.code ?? '?';
    if (!o.ok && !firstMessages.has(code)) firstMessages.set(code, o.message ?? '');
  }
  for (const [code, message] of firstMessages) console.log(`  first ${code}: ${message}`);

  // Delivery lag, over every delivery to every subscriber.
  const acked = new Map<string, number>();
  for (const o of f.withSubs) if (o.ok && o.key) acked.set(o.key, o.ackedAt!);
  const fromAt: number[] = [];
  const fromAck: number[] = [];
  let unmatched = 0;
  for (const s of f.events.subscribers) {
    for (const [key, receivedAt, at] of s.deliveries) {
      fromAt.push(receivedAt - at);
      const ackedAt = acked.get(key);
      if (ackedAt === undefined) unmatched += 1;
      else fromAck.push(receivedAt - ackedAt);
    }
  }
  console.log(
    `\nDelivery lag (ms), ${fromAt.length} deliveries: from commit (\`at\`) p50 ${fmt(percentile(fromAt, 50))} / p99 ${fmt(percentile(fromAt, 99))} / max ${fmt(percentile(fromAt, 100))}; ` +
      `from the write's acknowledgement p50 ${fmt(percentile(fromAck, 50))} / p99 ${fmt(percentile(fromAck, 99))} (targets: p50 100 ms, p99 1 s)` +
      (unmatched ? `; ${unmatched} deliveries about writes outside the phase` : ''),
  );

  console.log('\nEvents delivered        | subscribers | deliveries | by kind');
  const groups = new Map<string, SubscribersReport['subscribers']>();
  for (const s of f.events.subscribers) groups.set(s.label, [...(groups.get(s.label) ?? []), s]);
  for (const [label, members] of groups) {
    const byKind: Record<string, number> = {};
    for (const s of members)
      for (const [kind, n] of Object.entries(s.byKind)) byKind[kind] = (byKind[kind] ?? 0) + n;
    const total = members.reduce((n, s) => n + s.deliveries.length, 0);
    console.log(
      `${label.padEnd(24)}| ${String(members.length).padEnd(12)}| ${String(total).padEnd(11)}| ${JSON.stringify(byKind)}`,
    );
  }

  // Completeness: an unfiltered deal feed hears every acknowledged write of the phase.
  const writeKeys = [...acked.keys()];
  const feeds = f.events.subscribers.filter((s) => s.field === 'dealEvents' && s.unfiltered);
  const heard = feeds.map((s) => {
    const keys = new Set(s.deliveries.map(([key]) => key));
    return writeKeys.filter((key) => keys.has(key)).length;
  });
  const missed = feeds.flatMap((s) => {
    const keys = new Set(s.deliveries.map(([key]) => key));
    return writeKeys.filter((key) => !keys.has(key));
  });
  console.log(
    `Unfiltered deal feeds: each heard ${heard.length ? `${Math.min(...heard)}-${Math.max(...heard)}` : '-'} of the ${writeKeys.length} acknowledged writes` +
      (missed.length ? `; missed e.g. ${[...new Set(missed)].slice(0, 3).join(', ')}.` : '.'),
  );
  const closes = f.events.subscribers.flatMap((s) => s.closes.map((c) => `${s.label}: ${c}`));
  const errors = f.events.subscribers.flatMap((s) => s.errors.map((e) => `${s.label}: ${e}`));
  console.log(
    `Sockets closed by the server: ${closes.length}${closes.length ? ` (${JSON.stringify(countBy(closes, (c) => c))})` : ''}; ` +
      `subscription errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`,
  );

  const mb = (v: number): string => v.toFixed(0);
  console.log(
    `\nServer RSS (MB): without subscribers peak ${mb(f.rss.without.peak)} (end ${mb(f.rss.without.last)}); ` +
      `before subscribing ${mb(f.rss.before)}, ${f.SUBSCRIBERS} subscribed ${mb(f.rss.subscribed)}; ` +
      `with subscribers peak ${mb(f.rss.with.peak)} (end ${mb(f.rss.with.last)})`,
  );
  for (const line of f.serverErrors) console.log(`Server error: ${line.slice(0, 600)}`);
  console.log(
    `Load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

if (process.argv[2] === '--subscribers') await runSubscribers();
else await main();
