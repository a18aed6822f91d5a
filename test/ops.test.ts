/**
 * What an operator sees: the probes, the request id on every response and log line, one
 * structured log line per GraphQL request, and the Prometheus metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OPERATION_LABELS } from '../src/http/metrics.js';
import { createLogger } from '../src/logger.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/harness.js';

const FIXTURE = {
  formatVersion: 1,
  companies: [
    { id: 'microsoft', name: 'Microsoft', sectors: ['HYPERSCALER'] },
    { id: 'openai', name: 'OpenAI', sectors: ['AI_LAB'] },
  ],
  investments: [
    {
      id: 'microsoft-openai-2019',
      investorId: 'microsoft',
      investeeId: 'openai',
      amountUsd: 1e9,
      amountIsUpperBound: false,
      announcedOn: '2019-07',
      status: 'COMPLETED',
      sources: [{ publisher: 'Microsoft' }],
    },
  ],
  commitments: [],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type LogLine = Record<string, unknown>;
const logLines: LogLine[] = [];

let t: TestServer;
beforeAll(async () => {
  const logger = createLogger('info', {
    write: (line: string) => void logLines.push(JSON.parse(line) as LogLine),
  });
  // METRICS_PUBLIC=true: the scrapes below need no token.
  t = await startTestServer({ adminToken: ADMIN_TOKEN, logger, config: { metricsPublic: true } });
  await t.load(FIXTURE);
});
afterAll(() => t.close());

async function post(
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; requestId: string | null; body: Record<string, unknown> }> {
  const response = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

function requestLogOf(requestId: string | null): LogLine | undefined {
  return logLines.find((l) => l.msg === 'graphql request' && l.requestId === requestId);
}

/** The value of one sample of the Prometheus text format, or undefined when it is absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/** Distinct values of `label` among the samples of `name`. */
function labelValues(text: string, name: string, label: string): Set<string> {
  const values = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1];
    if (value !== undefined) values.add(value);
  }
  return values;
}

async function scrape(): Promise<string> {
  const response = await fetch(`${t.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

describe('probes', () => {
  it('/healthz answers while the process serves HTTP', async () => {
    const response = await fetch(`${t.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 while Neo4j does, and is never cached', async () => {
    const response = await fetch(`${t.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ready', neo4j: true });
  });
});

describe('request ids', () => {
  it('are generated when the caller sends none, and echoed in the response', async () => {
    const res = await post('query CompanyName { company(id: "openai") { name } }');
    expect(res.status).toBe(200);
    expect(res.requestId).toMatch(UUID);
    expect(requestLogOf(res.requestId)).toBeDefined();
  });

  it("are the caller's own when it sends one", async () => {
    const res = await post('{ __typename }', { 'x-request-id': 'edge-proxy:4f2a-77' });
    expect(res.requestId).toBe('edge-proxy:4f2a-77');
    expect(requestLogOf('edge-proxy:4f2a-77')).toBeDefined();
  });

  it('replace one that could forge log lines', async () => {
    const forged = 'x" level=50 msg="pwned';
    const res = await post('{ __typename }', { 'x-request-id': forged });
    expect(res.requestId).toMatch(UUID);
  });

  it('are set on every endpoint', async () => {
    const response = await fetch(`${t.baseUrl}/healthz`);
    expect(response.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('request logs', () => {
  it('write one JSON line per request with its id, operation and duration', async () => {
    const res = await post('query CompanyName { company(id: "openai") { name } }');
    const lines = logLines.filter((l) => l.requestId === res.requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'ai-deal-graph',
      level: 30,
      msg: 'graphql request',
      requestId: res.requestId,
      operationName: 'CompanyName',
      operationType: 'query',
      httpStatus: 200,
    });
    expect(lines[0]!.durationMs).toEqual(expect.any(Number));
    expect(lines[0]).not.toHaveProperty('errorCodes');
  });

  it('name the codes of the errors sent', async () => {
    const res = await post('query Oversized { companies(first: 1000) { totalCount } }');
    expect(requestLogOf(res.requestId)).toMatchObject({
      operationName: 'Oversized',
      errorCodes: ['BAD_USER_INPUT'],
    });
  });

  it('go with the request id even when the document does not parse', async () => {
    const res = await post('{ company(id: ');
    expect(res.status).toBe(400);
    expect(requestLogOf(res.requestId)).toMatchObject({
      operationName: null,
      errorCodes: ['GRAPHQL_PARSE_FAILED'],
      httpStatus: 400,
    });
  });
});

describe('/metrics', () => {
  it('counts requests and their latency by operation name', async () => {
    const before = await scrape();
    const ok = { operation: 'DealsOfOpenAI', outcome: 'success' };
    const previous = sample(before, 'graphql_requests_total', ok) ?? 0;
    for (let i = 0; i < 3; i += 1) {
      const res = await post(
        'query DealsOfOpenAI { company(id: "openai") { investmentsReceived { totalCount } } }',
      );
      expect(res.body.errors).toBeUndefined();
    }
    await post('{ __typename }');

    const after = await scrape();
    expect(sample(after, 'graphql_requests_total', ok)).toBe(previous + 3);
    expect(
      sample(after, 'graphql_request_duration_seconds_count', { operation: 'DealsOfOpenAI' }),
    ).toBe(previous + 3);
    expect(
      sample(after, 'graphql_request_duration_seconds_bucket', {
        operation: 'DealsOfOpenAI',
        le: '+Inf',
      }),
    ).toBe(previous + 3);
    expect(
      sample(after, 'graphql_requests_total', { operation: 'anonymous', outcome: 'success' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts errors by code, including refusals before GraphQL runs', async () => {
    const before = await scrape();
    const count = (text: string, code: string): number =>
      sample(text, 'graphql_errors_total', { code }) ?? 0;

    await post('query Oversized { companies(first: 1000) { totalCount } }');
    await post(`{ ${'__typename '.repeat(5_000)} }`);
    await post('{ company(id: ');

    const after = await scrape();
    expect(count(after, 'BAD_USER_INPUT')).toBe(count(before, 'BAD_USER_INPUT') + 1);
    expect(count(after, 'TOO_MANY_TOKENS')).toBe(count(before, 'TOO_MANY_TOKENS') + 1);
    expect(count(after, 'GRAPHQL_PARSE_FAILED')).toBe(count(before, 'GRAPHQL_PARSE_FAILED') + 1);
    expect(
      sample(after, 'graphql_requests_total', { operation: 'Oversized', outcome: 'error' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(after, 'graphql_requests_total', { operation: 'invalid', outcome: 'error' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('times Neo4j work by statement name', async () => {
    const text = await scrape();
    const statements = labelValues(text, 'neo4j_query_duration_seconds_count', 'query');
    expect(statements.size).toBeGreaterThan(0);
    const total = [...statements].reduce(
      (sum, query) =>
        sum +
        (sample(text, 'neo4j_query_duration_seconds_count', { query, outcome: 'success' }) ?? 0),
      0,
    );
    expect(total).toBeGreaterThan(0);
  });

  it('keeps operation labels few: names cut to 64 characters, and "other" past the cap', async () => {
    const longName = `Q${'x'.repeat(99)}`;
    await post(`query ${longName} { __typename }`);
    for (let i = 0; i < MAX_OPERATION_LABELS + 5; i += 1) {
      await post(`query Generated${i} { __typename }`);
    }
    const text = await scrape();
    const operations = labelValues(text, 'graphql_requests_total', 'operation');
    expect(operations.has(longName.slice(0, 64))).toBe(true);
    expect(operations.has(longName)).toBe(false);
    expect(operations.has('other')).toBe(true);
    // The first MAX_OPERATION_LABELS names, plus the three shared buckets at most.
    expect(operations.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 3);
  });

  it('includes the process metrics', async () => {
    const text = await scrape();
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('access and unknown paths', () => {
  it('asks for the metrics token when METRICS_TOKEN is set, and answers with it', async () => {
    const token = 'metrics-token-0123456789';
    const guarded = await startTestServer({
      adminToken: ADMIN_TOKEN,
      config: { metricsToken: token },
    });
    try {
      const anonymous = await fetch(`${guarded.baseUrl}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      const wrong = await fetch(`${guarded.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(wrong.status).toBe(401);
      const scraper = await fetch(`${guarded.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(scraper.status).toBe(200);
      expect(await scraper.text()).toContain('graphql_requests_total');
      // The probes stay open: orchestrators call them without credentials.
      expect((await fetch(`${guarded.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('keeps /metrics closed without METRICS_TOKEN or METRICS_PUBLIC, saying how to open it', async () => {
    const closed = await startTestServer({ adminToken: ADMIN_TOKEN });
    try {
      const response = await fetch(`${closed.baseUrl}/metrics`);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        error: {
          code: 'UNAUTHENTICATED',
          message: expect.stringMatching(/METRICS_TOKEN.*METRICS_PUBLIC=true/),
        },
      });
    } finally {
      await closed.close();
    }
  });

  it('answers an unknown path with 404 and a JSON error', async () => {
    const response = await fetch(`${t.baseUrl}/graphq`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toMatchObject({
      error: { code: 'NOT_FOUND', message: expect.stringContaining('/graphql') },
    });
  });
});
