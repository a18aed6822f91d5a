/**
 * HTTP as browsers, CDNs and client libraries meet it: compression, cache headers, CORS, persisted
 * queries, and urql's and Apollo Client's set-ups from the README.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { company, commitment, dataset, investment } from './fixtures/dataset.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/harness.js';

/** Twenty companies around a hub, so that a graph answer is large enough to compress. */
const GRAPH = dataset({
  companies: [
    company('hub', 'Hub'),
    ...Array.from({ length: 20 }, (_, i) => company(`spoke-${i}`, `Spoke ${i}`)),
  ],
  investments: Array.from({ length: 20 }, (_, i) =>
    investment(`hub-spoke-${i}`, 'hub', `spoke-${i}`, { amountUsd: (i + 1) * 1e8 }),
  ),
  commitments: [commitment('spoke-0-hub', 'spoke-0', 'hub', { amountUsd: 5e9 })],
});

const ALLOWED = 'https://app.example.com';
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    adminToken: ADMIN_TOKEN,
    config: { corsOrigins: [ALLOWED], corsMaxAgeSeconds: 600, cacheMaxAgeSeconds: 30 },
  });
  await t.load(GRAPH);
});
afterAll(() => t?.close());

const GRAPH_QUERY =
  '{ relationshipGraph(companyIds: ["hub"]) { nodes { id name depth } edges { id source target amountUsd } } }';

/** A raw HTTP request (fetch would decompress the body and hide Content-Encoding). */
function raw(
  method: 'GET' | 'POST' | 'OPTIONS',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.baseUrl}${path}`, { method, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const post = (headers: Record<string, string>, query = GRAPH_QUERY) =>
  raw(
    'POST',
    '/graphql',
    { 'content-type': 'application/json', ...headers },
    JSON.stringify({ query }),
  );
const get = (headers: Record<string, string>, query = GRAPH_QUERY) =>
  raw('GET', `/graphql?query=${encodeURIComponent(query)}`, headers);

describe('compression', () => {
  it('answers gzip or brotli as Accept-Encoding asks, far smaller than the JSON', async () => {
    const plain = await post({ 'accept-encoding': 'identity' });
    const gzip = await post({ 'accept-encoding': 'gzip' });
    const brotli = await post({ 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(plain.bytes).toBeGreaterThan(2000);
    expect(gzip.bytes).toBeLessThan(plain.bytes / 4);
    expect(brotli.bytes).toBeLessThan(plain.bytes / 4);
  });
});

describe('cache headers', () => {
  const preflighted = { 'apollo-require-preflight': 'true' };

  it('lets a CDN keep a GET query of public data for a short while', async () => {
    const res = await get(preflighted);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=30');
  });

  it('never caches a POST, a request with a token, an answer with errors or a mutation', async () => {
    expect((await post({})).headers['cache-control']).toBe('no-store');
    const token = { ...preflighted, authorization: `Bearer ${ADMIN_TOKEN}` };
    expect((await get(token)).headers['cache-control']).toBe('no-store');
    const failing = await get(
      preflighted,
      '{ relationshipGraph(companyIds: ["nope"]) { nodes { id } } }',
    );
    expect(failing.headers['cache-control']).toBe('no-store');
    const mutation = await get(preflighted, 'mutation { deleteDeal(id: "x") { dealId } }');
    expect(mutation.status).toBe(405); // Apollo refuses mutations over GET
    expect(mutation.headers['cache-control']).not.toMatch(/public/);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    raw('OPTIONS', '/graphql', {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,authorization',
    });

  it('answers a listed origin with its own origin, credentials, and a cached preflight', async () => {
    const res = await preflight(ALLOWED);
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-max-age']).toBe('600');
    const answer = await post({ origin: ALLOWED });
    expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(answer.headers['access-control-expose-headers']).toBe('x-request-id');
    expect(answer.headers.vary).toMatch(/Origin/);
  });

  it('gives a foreign origin no CORS headers, so the browser refuses to share the answer', async () => {
    const res = await preflight('https://evil.example.net');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const answer = await post({ origin: 'https://evil.example.net' });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('persisted queries', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  /** An automatic persisted query: the hash alone, or with the query to register it. */
  async function apq(hash: string, query?: string) {
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...(query ? { query } : {}),
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      }),
    });
    const body = (await res.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    return { status: res.status, body };
  }

  it("keeps Apollo's codes: an unknown hash, then a registered one, and a hash that does not match", async () => {
    const query = '{ company(id: "hub") { name } }';
    const unknown = await apq(sha(query));
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await apq(sha(query), query);
    expect(registered.body).toEqual({ data: { company: { name: 'Hub' } } });
    expect((await apq(sha(query))).body).toEqual({ data: { company: { name: 'Hub' } } });
    const wrong = await apq('0'.repeat(64), query);
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(wrong.body.errors?.[0]?.message).toMatch(/sha/);
  });
});

describe("the README's client set-ups", () => {
  it('Apollo Client: partial data with errorPolicy all, pages merged by relayStylePagination', async () => {
    const { ApolloClient, HttpLink, InMemoryCache, gql } = await import('@apollo/client');
    const { relayStylePagination } = await import('@apollo/client/utilities');
    // As in the README, but with this test server's URL.
    const client = new ApolloClient({
      link: new HttpLink({ uri: t.url }),
      cache: new InMemoryCache({
        possibleTypes: { Deal: ['Investment', 'CloudCommitment'] },
        typePolicies: {
          Query: {
            fields: {
              companies: relayStylePagination(['where', 'orderBy']),
              deals: relayStylePagination(['where', 'orderBy']),
              circularDeals: relayStylePagination(['where', 'orderBy']),
            },
          },
        },
      }),
    });
    const { data, error } = await client.query({
      errorPolicy: 'all', // keep the fields that arrived when another one failed
      query: gql`
        {
          company(id: "hub") {
            id
            name
            version
          }
          relationshipGraph(companyIds: ["nope"]) {
            nodes {
              id
            }
          }
        }
      `,
    });
    expect(data).toEqual({
      company: { __typename: 'Company', id: 'hub', name: 'Hub', version: 1 },
      relationshipGraph: null,
    });
    expect(error?.message).toMatch(/nope/);
  });

  it('urql: GET queries with the one header CSRF prevention asks for; without it, a clear 400', async () => {
    const { Client, cacheExchange, fetchExchange, gql } = await import('@urql/core');
    const query = gql`
      {
        company(id: "hub") {
          id
          name
        }
      }
    `;
    // As in the README, but with this test server's URL.
    const client = new Client({
      url: t.url,
      exchanges: [cacheExchange, fetchExchange],
      // urql sends queries as GET; CSRF prevention wants a header no HTML form can send.
      fetchOptions: { headers: { 'apollo-require-preflight': 'true' } },
    });
    const result = await client.query(query, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ company: { __typename: 'Company', id: 'hub', name: 'Hub' } });

    const bare = new Client({ url: t.url, exchanges: [cacheExchange, fetchExchange] });
    const refused = await bare.query(query, {}).toPromise();
    expect(refused.error?.response?.status).toBe(400);
    expect(refused.error?.message).toMatch(/apollo-require-preflight/);
    // With urql's POST setting the bare client works too.
    const posting = new Client({
      url: t.url,
      exchanges: [cacheExchange, fetchExchange],
      preferGetMethod: false,
    });
    expect((await posting.query(query, {}).toPromise()).data).toEqual(result.data);
  });
});

describe('CORS_ORIGINS', () => {
  it('is parsed into origins, and refused at start-up when it is not a list of origins', async () => {
    const { loadConfig } = await import('../src/config.js');
    expect(
      loadConfig({ CORS_ORIGINS: 'https://App.example.com, http://localhost:5173' }).corsOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(loadConfig({}).corsOrigins).toBeUndefined();
    for (const bad of ['*', 'https://app.example.com/path', 'app.example.com']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });
});
