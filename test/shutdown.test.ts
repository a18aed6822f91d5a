/**
 * Graceful shutdown of the real server process (src/main.ts): on SIGTERM it stops accepting
 * connections, finishes the request in flight, closes the driver and exits 0.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importDataset } from '../src/importer/importDataset.js';
import { freePort } from '../src/localNeo4j/provision.js';
import { createStores } from '../src/stores/index.js';
import { testDatabase } from './support/harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const FIXTURE = {
  formatVersion: 1,
  companies: [
    { id: 'oracle', name: 'Oracle', sectors: ['CLOUD_PROVIDER'] },
    { id: 'openai', name: 'OpenAI', sectors: ['AI_LAB'] },
  ],
  investments: [],
  commitments: [
    {
      id: 'openai-oracle-2025',
      customerId: 'openai',
      providerId: 'oracle',
      kind: 'CLOUD',
      amountUsd: 300e9,
      amountIsUpperBound: false,
      announcedOn: '2025-09',
      status: 'ANNOUNCED',
      sources: [{ publisher: 'Wall Street Journal' }],
    },
  ],
};

type LogLine = Record<string, unknown> & { msg?: string };

/** The server as its own process, its log lines as they come. */
class ServerProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private waiters: (() => void)[] = [];

  constructor(env: Record<string, string>) {
    // `node --import tsx` is what `npx tsx src/main.ts` runs, minus the wrapper processes that
    // would receive the signal in its place.
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let buffered = '';
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete) {
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ msg: line });
        }
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.lines.push({ msg: chunk, stderr: true });
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  async waitForLog(test: (line: LogLine) => boolean, timeoutMs = 120_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(test);
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(
          `log line not seen; output so far:\n${JSON.stringify(this.lines, null, 1)}`,
        );
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

let server: ServerProcess;
let port: number;

beforeAll(async () => {
  const db = testDatabase();
  try {
    await db.write({ name: 'test:reset', cypher: 'MATCH (n) DETACH DELETE n' });
    const report = await importDataset(createStores(db), FIXTURE);
    expect(report.rejections).toEqual([]);
  } finally {
    await db.close();
  }
  port = await freePort();
  server = new ServerProcess({
    NEO4J_URI: inject('neo4jUri'),
    NEO4J_USER: 'neo4j',
    NEO4J_PASSWORD: inject('neo4jPassword'),
    HOST: '127.0.0.1',
    PORT: String(port),
    SEED: 'false',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  });
  await server.waitForLog((l) => String(l.msg).startsWith('GraphQL ready at'));
}, 180_000);

afterAll(() => server?.kill());

describe('SIGTERM', () => {
  it('stops accepting, finishes the request in flight, closes the driver and exits 0', async () => {
    const body = JSON.stringify({
      query:
        '{ company(id: "openai") { commitmentsMade { edges { node { provider { name } } } } } }',
    });
    const half = Math.floor(body.length / 2);

    // A request in flight: its headers and half its body are with the server when the signal
    // comes; the rest follows after.
    let inFlight: http.ClientRequest | undefined;
    let socketConnected!: () => void;
    const connected = new Promise<void>((resolve) => (socketConnected = resolve));
    const responded = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/graphql',
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (c: string) => (text += c));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on('error', reject);
      request.on('socket', (socket) => socket.once('connect', socketConnected));
      request.write(body.slice(0, half));
      inFlight = request;
    });
    // Awaited below; a failure before that should fail the test, not surface as unhandled.
    responded.catch(() => undefined);
    await connected;
    // Let the server read the headers, so the connection is busy rather than idle.
    await new Promise((r) => setTimeout(r, 500));

    process.kill(server.pid, 'SIGTERM');
    await server.waitForLog((l) => String(l.msg).startsWith('shutting down'), 10_000);

    // No new connections, while the one in flight stays open.
    const deadline = Date.now() + 5_000;
    let refused = false;
    while (!refused && Date.now() < deadline) {
      refused = await connectionRefused(port);
      if (!refused) await new Promise((r) => setTimeout(r, 50));
    }
    expect(refused).toBe(true);
    expect(server.lines.some((l) => l.msg === 'stopped')).toBe(false);

    inFlight!.end(body.slice(half));
    const response = await responded;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      data: {
        company: { commitmentsMade: { edges: [{ node: { provider: { name: 'Oracle' } } }] } },
      },
    });

    expect(await server.exited).toBe(0);
    const messages = server.lines.map((l) => l.msg);
    expect(messages).toContain('stopped');
    expect(messages).not.toContain('shutdown failed');
  }, 60_000);
});
