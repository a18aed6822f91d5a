/**
 * What the server refuses before doing the work, and how it says so: every refusal names its
 * limit with a stable code and states the limit in its message. Ordinary queries, connections two
 * hops deep included, pass.
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_QUERY_LIMITS, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Database } from '../src/neo4j/database.js';
import { MAX_BODY_BYTES, startServer } from '../src/server.js';
import { createStores } from '../src/stores/index.js';
import { MAX_PAGE_SIZE } from '../src/stores/pagination.js';
import { startTestServer, type GraphQLResponse, type TestServer } from './support/harness.js';

/** OpenAI raised from Nvidia, which committed to spend with CoreWeave. */
const FIXTURE = {
  formatVersion: 1,
  companies: [
    { id: 'nvidia', name: 'Nvidia', sectors: ['CHIPMAKER'], country: 'US' },
    { id: 'openai', name: 'OpenAI', sectors: ['AI_LAB'], country: 'US' },
    { id: 'coreweave', name: 'CoreWeave', sectors: ['NEOCLOUD'], country: 'US' },
  ],
  investments: [
    {
      id: 'nvidia-openai',
      investorId: 'nvidia',
      investeeId: 'openai',
      amountUsd: 100e9,
      amountIsUpperBound: true,
      announcedOn: '2025-09',
      status: 'LETTER_OF_INTENT',
      sources: [{ publisher: 'Nvidia' }],
    },
  ],
  commitments: [
    {
      id: 'nvidia-coreweave',
      customerId: 'nvidia',
      providerId: 'coreweave',
      kind: 'CAPACITY',
      amountUsd: 6.3e9,
      amountIsUpperBound: false,
      announcedOn: '2025-09',
      status: 'DEFINITIVE_AGREEMENT',
      sources: [{ publisher: 'CoreWeave' }],
    },
  ],
};

/** company -> investmentsReceived -> edges -> node -> investor -> commitmentsMade -> ... -> name */
const TWO_HOPS = `{
  company(id: "openai") {
    investmentsReceived {
      edges { node { investor { commitmentsMade { edges { node { provider { name } } } } } } }
    }
  }
}`;

type RawResponse = GraphQLResponse & { headers: Headers; text: string };

async function raw(url: string, init: RequestInit): Promise<RawResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Omit<GraphQLResponse, 'status'> = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Left empty: the assertions on `text` say what came back.
  }
  return { status: response.status, headers: response.headers, text, ...body };
}

function codes(res: GraphQLResponse): unknown[] {
  return (res.errors ?? []).map((e) => e.extensions?.code);
}

/** `company(id: "openai") { parent { parent { ... name } } }` with `fields` levels in all. */
function nestedParents(fields: number): string {
  const parents = fields - 2;
  return `{ company(id: "openai") { ${'parent { '.repeat(parents)}name${' }'.repeat(parents)} } }`;
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(FIXTURE);
});
afterAll(() => t.close());

describe('connection queries of ordinary depth', () => {
  it('follow a company to its investors and on to their providers', async () => {
    const res = await t.gql<{
      company: {
        investmentsReceived: {
          edges: {
            node: {
              investor: { commitmentsMade: { edges: { node: { provider: { name: string } } }[] } };
            };
          }[];
        };
      };
    }>(TWO_HOPS);
    expect(res.errors).toBeUndefined();
    const providers = res.data!.company.investmentsReceived.edges.flatMap((e) =>
      e.node.investor.commitmentsMade.edges.map((c) => c.node.provider.name),
    );
    expect(providers).toEqual(['CoreWeave']);
  });

  it('pass two hops deep with full pages, written with fragments', async () => {
    const res = await t.gql(
      `
      query TwoHops($page: Int!) {
        company(id: "openai") {
          investmentsReceived(first: $page) { totalCount ...investors }
        }
      }
      fragment investors on InvestmentConnection {
        edges { node { amountUsd investor { id ...spending } } }
      }
      fragment spending on Company {
        commitmentsMade(first: $page) {
          edges { node { ... on CloudCommitment { kind provider { name } } } }
        }
      }`,
      { page: MAX_PAGE_SIZE },
    );
    expect(res.errors).toBeUndefined();
    expect(res.status).toBe(200);
  });

  it(`pass up to depth ${DEFAULT_QUERY_LIMITS.maxDepth}`, async () => {
    const res = await t.gql(nestedParents(DEFAULT_QUERY_LIMITS.maxDepth));
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ company: { parent: null } });
  });
});

describe('refused documents', () => {
  it('one level deeper than the limit: QUERY_TOO_DEEP', async () => {
    const max = DEFAULT_QUERY_LIMITS.maxDepth;
    const res = await t.gql(nestedParents(max + 1));
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['QUERY_TOO_DEEP']);
    expect(res.errors![0]!.message).toContain(`depth limit of ${max} exceeded, found ${max + 1}`);
    expect(res.errors![0]!.extensions).toMatchObject({ max, found: max + 1 });
    expect(res.data).toBeUndefined();
  });

  it('more aliases than the limit: TOO_MANY_ALIASES', async () => {
    const max = DEFAULT_QUERY_LIMITS.maxAliases;
    const aliased = (n: number): string =>
      `{ ${Array.from({ length: n }, (_, i) => `c${i}: company(id: "openai") { id }`).join(' ')} }`;

    const atLimit = await t.gql(aliased(max));
    expect(atLimit.errors).toBeUndefined();

    const res = await t.gql(aliased(max + 1));
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['TOO_MANY_ALIASES']);
    expect(res.errors![0]!.message).toContain(`Aliases limit of ${max} exceeded`);
  });

  it('more directives than the limit: TOO_MANY_DIRECTIVES', async () => {
    const max = DEFAULT_QUERY_LIMITS.maxDirectives;
    const res = await t.gql(
      `{ company(id: "openai") { id ${'@include(if: true) '.repeat(max + 1)}} }`,
    );
    expect(res.status).toBe(400);
    expect(codes(res)).toContain('TOO_MANY_DIRECTIVES');
    const error = res.errors!.find((e) => e.extensions?.code === 'TOO_MANY_DIRECTIVES')!;
    expect(error.message).toContain(`Directives limit of ${max} exceeded`);
  });

  it('a document of more tokens than the limit: TOO_MANY_TOKENS, before it is parsed', async () => {
    const max = DEFAULT_QUERY_LIMITS.maxTokens;
    // Each `id` repeated is one token; the document stays far under the body limit.
    const query = `{ company(id: "openai") { ${'id '.repeat(max)} } }`;
    expect(query.length).toBeLessThan(MAX_BODY_BYTES);
    const res = await t.gql(query);
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['TOO_MANY_TOKENS']);
    expect(res.errors![0]!.message).toContain(`token limit of ${max} exceeded`);

    // Comments are not tokens.
    const commented = await t.gql(`{ company(id: "openai") { id } }\n${'# padding\n'.repeat(max)}`);
    expect(commented.errors).toBeUndefined();
  });

  it('three hops of full pages: QUERY_TOO_COMPLEX', async () => {
    const max = DEFAULT_QUERY_LIMITS.maxCost;
    const res = await t.gql(`{
      companies(first: 100) { edges { node {
        investmentsMade(first: 100) { edges { node { investee {
          investmentsReceived(first: 100) { edges { node { id } } }
        } } } }
      } } }
    }`);
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(res.errors![0]!.message).toContain(`cost limit of ${max} exceeded`);
    expect(res.errors![0]!.extensions!.found).toBeGreaterThan(max);
  });

  it('reads page sizes from variables when it estimates the cost', async () => {
    const query = `query Hops($page: Int!) {
      companies(first: $page) { edges { node {
        investmentsMade(first: $page) { edges { node { investee {
          investmentsReceived(first: $page) { edges { node { id } } }
        } } } }
      } } }
    }`;
    const full = await t.gql(query, { page: 100 });
    expect(codes(full)).toEqual(['QUERY_TOO_COMPLEX']);

    const small = await t.gql(query, { page: 5 });
    expect(small.errors).toBeUndefined();
  });

  it('a fragment spread into itself over and over: QUERY_TOO_COMPLEX', async () => {
    // Sixteen short fragments, each spreading the one before twice: 2^16 copies of `id`.
    const fragments = Array.from({ length: 16 }, (_, i) =>
      i === 0
        ? 'fragment F0 on Company { id }'
        : `fragment F${i} on Company { ...F${i - 1} ...F${i - 1} }`,
    );
    const res = await t.gql(`{ company(id: "openai") { ...F15 } } ${fragments.join(' ')}`);
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('leaves an oversized page to the page-size check, which names `first`', async () => {
    const res = await t.gql(`{ companies(first: 1000000) { totalCount } }`);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toContain(`at most ${MAX_PAGE_SIZE}`);
  });
});

describe('request bodies', () => {
  it(`over ${MAX_BODY_BYTES} bytes: 413 with a JSON REQUEST_TOO_LARGE error`, async () => {
    const res = await raw(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{ __typename }`,
        variables: { pad: 'x'.repeat(MAX_BODY_BYTES) },
      }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(codes(res)).toEqual(['REQUEST_TOO_LARGE']);
    expect(res.errors![0]!.message).toContain(`${MAX_BODY_BYTES} bytes`);
  });

  it('that are not JSON: 400 with a JSON BAD_REQUEST error', async () => {
    const res = await raw(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['BAD_REQUEST']);
    expect(res.errors![0]!.message).toBe('The request body is not valid JSON.');
  });
});

describe('CSRF prevention', () => {
  const query = encodeURIComponent('{ company(id: "openai") { name } }');

  it('refuses a GET without a preflight header, and serves one with it', async () => {
    const refused = await raw(`${t.url}?query=${query}`, { method: 'GET' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/CSRF/);

    const served = await raw(`${t.url}?query=${query}`, {
      method: 'GET',
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(served.status).toBe(200);
    expect(served.data).toEqual({ company: { name: 'OpenAI' } });
  });

  it('refuses a POST with a content type a form can send', async () => {
    const res = await raw(t.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ company(id: "openai") { name } }' }),
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/CSRF/);
    expect(res.data).toBeUndefined();
  });
});

describe('introspection and the landing page', () => {
  const askForHtml = { method: 'GET', headers: { accept: 'text/html' } } as const;

  it('are on in development, and the full introspection query fits the limits', async () => {
    const res = await t.gql<{ __schema: { queryType: { name: string } } }>(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.__schema.queryType.name).toBe('Query');

    const page = await raw(t.url, askForHtml);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<title>GraphiQL');
  });

  describe('in production', () => {
    let prod: TestServer;
    beforeAll(async () => {
      prod = await startTestServer({
        production: true,
        config: { introspection: loadConfig({ NODE_ENV: 'production' }).introspection },
      });
    });
    afterAll(() => prod.close());

    it('are off by default', async () => {
      expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({
        introspection: false,
        playground: false,
      });
      const res = await prod.gql(`{ __schema { queryType { name } } }`);
      expect(res.status).toBe(400);
      expect(res.errors![0]!.message).toMatch(/introspection is not allowed/i);

      const page = await raw(prod.url, askForHtml);
      expect(page.text).not.toContain('GraphiQL');
      expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    });

    it('does not spell out the schema in "Did you mean" hints', async () => {
      const dev = await t.gql(`{ company(id: "openai") { nam } }`);
      expect(dev.errors![0]!.message).toContain('Did you mean "name"?');

      const res = await prod.gql(`{ company(id: "openai") { nam } }`);
      expect(codes(res)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(res.errors![0]!.message).toBe('Cannot query field "nam" on type "Company".');
    });
  });

  it('can be switched on in production and off in development', () => {
    expect(
      loadConfig({
        NODE_ENV: 'production',
        GRAPHQL_INTROSPECTION: 'true',
        GRAPHQL_PLAYGROUND: '1',
      }),
    ).toMatchObject({ introspection: true, playground: true });
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'false', GRAPHQL_PLAYGROUND: 'off' })).toMatchObject(
      { introspection: false, playground: false },
    );
    expect(() => loadConfig({ GRAPHQL_INTROSPECTION: 'maybe' })).toThrow(/GRAPHQL_INTROSPECTION/);
  });
});

describe('errors in production', () => {
  it('carry no stack trace, and internal ones are masked but logged in full', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const prod = await startTestServer({ production: true, logger });
    try {
      // A user error keeps its message and code, without a stack trace.
      const userError = await prod.gql(`{ companies(first: ${MAX_PAGE_SIZE + 1}) { totalCount } }`);
      expect(codes(userError)).toEqual(['BAD_USER_INPUT']);
      expect(userError.errors![0]!.extensions).not.toHaveProperty('stacktrace');

      // Broken credentials are not the caller's fault: Neo4j's refusal is an internal error.
      // (A user of its own, so that the failed logins lock no account other tests use.)
      const broken = new Database({
        uri: inject('neo4jUri'),
        user: 'limits-test-nobody',
        password: 'wrong-password',
        database: 'neo4j',
        queryTimeoutMs: 5_000,
      });
      const server = await startServer({
        config: { adminToken: undefined, production: true, host: '127.0.0.1', port: 0 },
        stores: createStores(broken),
        logger,
      });
      try {
        const res = await raw(`http://127.0.0.1:${server.port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': 'masking-test-1' },
          body: JSON.stringify({ query: '{ companies { totalCount } }' }),
        });
        expect(codes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
        expect(res.errors![0]!.message).toBe('Internal server error');
        expect(res.errors![0]!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
        expect(res.text).not.toMatch(/unauthorized|authentication|Neo4jError|at /i);

        const logged = lines.find((l) => l.msg === 'internal error');
        expect(logged).toMatchObject({ requestId: 'masking-test-1', level: 50 });
        expect(JSON.stringify(logged!.err)).toMatch(/Neo\.ClientError\.Security\.Unauthorized/);
        expect(JSON.stringify(logged!.err)).toContain('"stack"');
      } finally {
        await server.stop();
        await broken.close();
      }
    } finally {
      await prod.close();
    }
  });

  it('carry a stack trace in development, where it helps', async () => {
    const res = await t.gql(`{ companies(first: ${MAX_PAGE_SIZE + 1}) { totalCount } }`);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.extensions).toHaveProperty('stacktrace');
  });
});
