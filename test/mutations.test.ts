/**
 * The four mutations over HTTP: what each writes, that writing the same input twice changes
 * nothing, that the same id with new data replaces the record, and who may write at all.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commitment, company, dataset, investment, source } from './fixtures/dataset.js';
import { failed, graphSnapshot, labelCounts, ok } from './fixtures/graph.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/harness.js';

const PRESS_RELEASE = source('Amazon', {
  title: 'Amazon and Anthropic announce strategic collaboration',
  url: 'https://www.aboutamazon.com/news/company-news/amazon-aws-anthropic-ai',
  publishedOn: '2023-09-25',
});
const REUTERS = source('Reuters', {
  title: 'Anthropic and Amazon deepen ties',
  publishedOn: '2025-10',
});

/**
 * Amazon ── AWS; Alphabet; Anthropic; OpenAI.
 * Amazon -> Anthropic 1.25B (press release + Reuters); Anthropic -> AWS 100B cloud (Reuters).
 */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon', {
      aliases: ['Amazon.com'],
      sectors: ['HYPERSCALER'],
      country: 'US',
      website: 'https://www.amazon.com',
    }),
    company('amazon-web-services', 'Amazon Web Services', {
      aliases: ['AWS'],
      sectors: ['CLOUD_PROVIDER'],
      country: 'US',
      website: 'https://aws.amazon.com',
      parentId: 'amazon',
    }),
    company('alphabet', 'Alphabet', { aliases: ['Google'] }),
    company('anthropic', 'Anthropic', { sectors: ['AI_LAB'] }),
    company('openai', 'OpenAI', { sectors: ['AI_LAB'] }),
  ],
  investments: [
    investment('amazon-anthropic-2023-09', 'amazon', 'anthropic', {
      amountUsd: 1.25e9,
      announcedOn: '2023-09',
      status: 'COMPLETED',
      instrument: 'EQUITY',
      note: 'First tranche of up to $4B.',
      sources: [PRESS_RELEASE, REUTERS],
    }),
  ],
  commitments: [
    commitment('anthropic-aws-2025-10', 'anthropic', 'amazon-web-services', {
      amountUsd: 100e9,
      announcedOn: '2025-10',
      term: '10 years',
      sources: [REUTERS],
    }),
  ],
});

const COMPANY_FIELDS = `
  id name aliases sectors country website
  parent { id } subsidiaries { id } ultimateParent { id }`;
const DEAL_FIELDS = `
  id amountUsd amountIsUpperBound quantity { value unit } announcedOn status note
  sources { publisher title url publishedOn }`;

const UPSERT_COMPANY = `
  mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { ${COMPANY_FIELDS} } }`;
const RECORD_INVESTMENT = `
  mutation($input: RecordInvestmentInput!) {
    recordInvestment(input: $input) { ${DEAL_FIELDS} investor { id } investee { id } instrument }
  }`;
const RECORD_COMMITMENT = `
  mutation($input: RecordCommitmentInput!) {
    recordCommitment(input: $input) { ${DEAL_FIELDS} customer { id } provider { id } kind term }
  }`;
const DELETE_DEAL = `mutation($id: ID!) { deleteDeal(id: $id) { dealId type typeName } }`;
const COMPANY = `query($id: ID!) { company(id: $id) { ${COMPANY_FIELDS} } }`;
const DEAL = `query($id: ID!) { deal(id: $id) { __typename ${DEAL_FIELDS} from { id } to { id } } }`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
beforeEach(async () => {
  await t.load(GRAPH);
});
afterAll(() => t.close());

/** The Source nodes, by publisher, with how many deals cite each. */
async function storedSources(): Promise<Record<string, number>> {
  const rows = await t.cypher(`
    MATCH (s:Source)
    RETURN s.publisher AS publisher, COUNT { (s)<-[:REPORTED_BY]-(:Deal) } AS citedBy`);
  return Object.fromEntries(rows.map((r) => [r.publisher as string, r.citedBy as number]));
}

const bySource = (a: { publisher: string }, b: { publisher: string }): number =>
  a.publisher.localeCompare(b.publisher);

describe('upsertCompany', () => {
  const MISTRAL = {
    id: 'mistral-ai',
    name: 'Mistral AI',
    aliases: ['Mistral'],
    sectors: ['AI_LAB'],
    country: 'FR',
    website: 'https://mistral.ai',
  };

  it('creates a company and returns it', async () => {
    const { upsertCompany } = ok(await t.gql(UPSERT_COMPANY, { input: MISTRAL }));
    expect(upsertCompany).toEqual({
      ...MISTRAL,
      parent: null,
      subsidiaries: [],
      ultimateParent: { id: 'mistral-ai' },
    });
    expect(await t.cypher(`MATCH (c:Company {id: 'mistral-ai'}) RETURN c.name AS name`)).toEqual([
      { name: 'Mistral AI' },
    ]);
    expect(ok(await t.gql(COMPANY, { id: 'mistral-ai' }))).toEqual({ company: upsertCompany });
  });

  it('creates a subsidiary under an existing parent', async () => {
    const { upsertCompany } = ok(
      await t.gql(UPSERT_COMPANY, {
        input: { id: 'aws-europe', name: 'AWS Europe', parentId: 'amazon-web-services' },
      }),
    );
    expect(upsertCompany).toMatchObject({
      parent: { id: 'amazon-web-services' },
      ultimateParent: { id: 'amazon' },
    });
    const { company } = ok(await t.gql(COMPANY, { id: 'amazon-web-services' }));
    expect(company).toMatchObject({ subsidiaries: [{ id: 'aws-europe' }] });
  });

  it('changes nothing when the same input comes twice', async () => {
    const first = ok(await t.gql(UPSERT_COMPANY, { input: { ...MISTRAL, parentId: 'alphabet' } }));
    const before = await graphSnapshot(t);
    const second = ok(await t.gql(UPSERT_COMPANY, { input: { ...MISTRAL, parentId: 'alphabet' } }));
    expect(second).toEqual(first);
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('changes nothing when a company is sent as it is stored', async () => {
    const before = await graphSnapshot(t);
    const [aws] = GRAPH.companies.filter((c) => c.id === 'amazon-web-services');
    ok(await t.gql(UPSERT_COMPANY, { input: aws }));
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('replaces the fields given of an existing id, clearing those given as null', async () => {
    const nodesBefore = await labelCounts(t);
    const { upsertCompany } = ok(
      await t.gql(UPSERT_COMPANY, {
        input: {
          id: 'amazon-web-services',
          name: 'AWS',
          sectors: ['CLOUD_PROVIDER'],
          aliases: null,
          country: null,
          website: null,
          parentId: null,
        },
      }),
    );
    expect(upsertCompany).toEqual({
      id: 'amazon-web-services',
      name: 'AWS',
      aliases: [],
      sectors: ['CLOUD_PROVIDER'],
      country: null,
      website: null,
      parent: null,
      subsidiaries: [],
      ultimateParent: { id: 'amazon-web-services' },
    });
    expect(await labelCounts(t)).toEqual(nodesBefore);
    const { company: amazon } = ok(await t.gql(COMPANY, { id: 'amazon' }));
    expect(amazon).toMatchObject({ subsidiaries: [] });
    // The search index follows: the old name no longer matches, the new one does.
    const search = async (text: string): Promise<string[]> => {
      const res = await t.gql<{ companies: { edges: { node: { id: string } }[] } }>(
        `query($s: String) { companies(where: { search: $s }) { edges { node { id } } } }`,
        { s: text },
      );
      return ok(res).companies.edges.map((e) => e.node.id);
    };
    expect(await search('web services')).toEqual([]);
    expect(await search('aws')).toEqual(['amazon-web-services']);
  });

  it('moves a company to another parent, and back', async () => {
    const move = async (parentId: string): Promise<void> => {
      const aws = { id: 'amazon-web-services', name: 'Amazon Web Services', parentId };
      ok(await t.gql(UPSERT_COMPANY, { input: aws }));
    };
    await move('alphabet');
    const parents = `
      MATCH (:Company {id: 'amazon-web-services'})-[:SUBSIDIARY_OF]->(p) RETURN p.id AS id`;
    expect(await t.cypher(parents)).toEqual([{ id: 'alphabet' }]);
    expect(ok(await t.gql(COMPANY, { id: 'amazon' }))).toMatchObject({
      company: { subsidiaries: [] },
    });
    expect(ok(await t.gql(COMPANY, { id: 'alphabet' }))).toMatchObject({
      company: { subsidiaries: [{ id: 'amazon-web-services' }] },
    });
    expect(ok(await t.gql(COMPANY, { id: 'amazon-web-services' }))).toMatchObject({
      company: { parent: { id: 'alphabet' }, ultimateParent: { id: 'alphabet' } },
    });

    await move('amazon');
    expect(await t.cypher(parents)).toEqual([{ id: 'amazon' }]);
    expect(ok(await t.gql(COMPANY, { id: 'alphabet' }))).toMatchObject({
      company: { subsidiaries: [] },
    });
  });
});

describe('recordInvestment', () => {
  const AMAZON_OPENAI = {
    id: 'amazon-openai-2025-11',
    investorId: 'amazon',
    investeeId: 'openai',
    amountUsd: 10e9,
    amountIsUpperBound: true,
    quantity: { value: 160e6, unit: 'shares' },
    announcedOn: '2025-11-03',
    status: 'LETTER_OF_INTENT',
    instrument: 'WARRANT',
    note: 'Talks reported, not confirmed.',
    sources: [{ publisher: 'The Information', url: 'https://www.theinformation.com/' }],
  };

  it('records an investment and returns it', async () => {
    const { recordInvestment } = ok(await t.gql(RECORD_INVESTMENT, { input: AMAZON_OPENAI }));
    expect(recordInvestment).toEqual({
      ...AMAZON_OPENAI,
      investorId: undefined,
      investeeId: undefined,
      investor: { id: 'amazon' },
      investee: { id: 'openai' },
      sources: [
        {
          publisher: 'The Information',
          title: null,
          url: 'https://www.theinformation.com/',
          publishedOn: null,
        },
      ],
    });
    const stored = await t.cypher(`
      MATCH (payer:Company)<-[:FROM]-(d:Deal {id: 'amazon-openai-2025-11'})-[:TO]->(payee:Company)
      RETURN labels(d) AS labels, payer.id AS payer, payee.id AS payee,
             COUNT { (d)-[:REPORTED_BY]->(:Source) } AS sources`);
    expect(stored).toEqual([
      {
        labels: expect.arrayContaining(['Deal', 'Investment']),
        payer: 'amazon',
        payee: 'openai',
        sources: 1,
      },
    ]);
    expect(ok(await t.gql(DEAL, { id: 'amazon-openai-2025-11' }))).toMatchObject({
      deal: { __typename: 'Investment', from: { id: 'amazon' }, to: { id: 'openai' } },
    });
  });

  it('changes nothing when the same input comes twice', async () => {
    const first = ok(await t.gql(RECORD_INVESTMENT, { input: AMAZON_OPENAI }));
    const before = await graphSnapshot(t);
    const second = ok(await t.gql(RECORD_INVESTMENT, { input: AMAZON_OPENAI }));
    expect(second).toEqual(first);
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('changes nothing when a deal is sent as it is stored', async () => {
    const before = await graphSnapshot(t);
    ok(await t.gql(RECORD_INVESTMENT, { input: GRAPH.investments[0] }));
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('replaces the fields of an existing id, clearing those left out, and moves its ends', async () => {
    const { recordInvestment } = ok(
      await t.gql(RECORD_INVESTMENT, {
        input: {
          id: 'amazon-anthropic-2023-09',
          investorId: 'alphabet',
          investeeId: 'openai',
          status: 'ANNOUNCED',
          sources: [PRESS_RELEASE, REUTERS],
        },
      }),
    );
    expect(recordInvestment).toMatchObject({
      investor: { id: 'alphabet' },
      investee: { id: 'openai' },
      amountUsd: null,
      amountIsUpperBound: false,
      announcedOn: null,
      status: 'ANNOUNCED',
      instrument: null,
      note: null,
    });
    const ends = await t.cypher(`
      MATCH (:Deal {id: 'amazon-anthropic-2023-09'})-[r:FROM|TO]->(c:Company)
      RETURN type(r) AS type, c.id AS company ORDER BY type`);
    expect(ends).toEqual([
      { type: 'FROM', company: 'alphabet' },
      { type: 'TO', company: 'openai' },
    ]);
    const received = await t.gql<{ company: { investmentsReceived: { totalCount: number } } }>(
      `{ company(id: "anthropic") { investmentsReceived { totalCount } } }`,
    );
    expect(ok(received).company.investmentsReceived.totalCount).toBe(0);
  });

  it('replaces sources, removing a source no deal cites any more and keeping a shared one', async () => {
    expect(await storedSources()).toEqual({ Amazon: 1, Reuters: 2 });
    const FT = source('Financial Times', { publishedOn: '2023-09-25' });
    const { recordInvestment } = ok(
      await t.gql<{ recordInvestment: { sources: unknown[] } }>(RECORD_INVESTMENT, {
        input: { ...GRAPH.investments[0], sources: [FT] },
      }),
    );
    expect(recordInvestment.sources).toEqual([{ title: null, url: null, ...FT }]);
    // The press release was cited by this deal only; Reuters still backs the commitment.
    expect(await storedSources()).toEqual({ 'Financial Times': 1, Reuters: 1 });

    ok(
      await t.gql(RECORD_INVESTMENT, {
        input: { ...GRAPH.investments[0], sources: [REUTERS, FT] },
      }),
    );
    expect(await storedSources()).toEqual({ 'Financial Times': 1, Reuters: 2 });
    const { deal } = ok(
      await t.gql<{ deal: { sources: { publisher: string }[] } }>(DEAL, {
        id: 'amazon-anthropic-2023-09',
      }),
    );
    expect(deal.sources.map((s) => s.publisher).sort()).toEqual(['Financial Times', 'Reuters']);
  });
});

describe('recordCommitment', () => {
  const OPENAI_AWS = {
    id: 'openai-aws-2025-11',
    customerId: 'openai',
    providerId: 'amazon-web-services',
    kind: 'CLOUD',
    amountUsd: 38e9,
    announcedOn: '2025-11',
    term: '7 years',
    status: 'DEFINITIVE_AGREEMENT',
    sources: [REUTERS, PRESS_RELEASE],
  };

  it('records a commitment and returns it', async () => {
    const { recordCommitment } = ok(
      await t.gql<{ recordCommitment: { sources: { publisher: string }[] } }>(RECORD_COMMITMENT, {
        input: OPENAI_AWS,
      }),
    );
    expect({ ...recordCommitment, sources: [...recordCommitment.sources].sort(bySource) }).toEqual({
      id: 'openai-aws-2025-11',
      customer: { id: 'openai' },
      provider: { id: 'amazon-web-services' },
      kind: 'CLOUD',
      amountUsd: 38e9,
      amountIsUpperBound: false,
      quantity: null,
      announcedOn: '2025-11',
      term: '7 years',
      status: 'DEFINITIVE_AGREEMENT',
      note: null,
      sources: [
        { title: null, url: null, ...PRESS_RELEASE },
        { url: null, ...REUTERS },
      ],
    });
    // The citations already stored are reused, not copied.
    expect(await storedSources()).toEqual({ Amazon: 2, Reuters: 3 });
    const labels = await t.cypher(
      `MATCH (d:Deal {id: 'openai-aws-2025-11'}) RETURN labels(d) AS labels`,
    );
    expect(labels).toEqual([{ labels: expect.arrayContaining(['Deal', 'CloudCommitment']) }]);
  });

  it('changes nothing when the same input comes twice', async () => {
    const first = ok(await t.gql(RECORD_COMMITMENT, { input: OPENAI_AWS }));
    const before = await graphSnapshot(t);
    const second = ok(await t.gql(RECORD_COMMITMENT, { input: OPENAI_AWS }));
    expect(second).toEqual(first);
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('replaces the fields of an existing id', async () => {
    const { recordCommitment } = ok(
      await t.gql(RECORD_COMMITMENT, {
        input: {
          ...GRAPH.commitments[0],
          kind: 'CAPACITY',
          amountUsd: undefined,
          quantity: { value: 1, unit: 'GW' },
          term: undefined,
        },
      }),
    );
    expect(recordCommitment).toMatchObject({
      kind: 'CAPACITY',
      amountUsd: null,
      quantity: { value: 1, unit: 'GW' },
      term: null,
    });
    const totals = await t.gql<{ company: { totals: Record<string, number> } }>(
      `{ company(id: "amazon-web-services") { totals { receivedUsd receivedUnknownCount } } }`,
    );
    expect(ok(totals).company.totals).toEqual({ receivedUsd: 0, receivedUnknownCount: 1 });
  });
});

describe('deleteDeal', () => {
  it('deletes the deal and the sources only it cited, nothing else', async () => {
    expect(await labelCounts(t)).toEqual({
      Company: 5,
      Deal: 2,
      Investment: 1,
      CloudCommitment: 1,
      Source: 2,
    });
    expect(ok(await t.gql(DELETE_DEAL, { id: 'amazon-anthropic-2023-09' }))).toEqual({
      deleteDeal: {
        dealId: 'amazon-anthropic-2023-09',
        type: 'INVESTMENT',
        typeName: 'Investment',
      },
    });
    expect(ok(await t.gql(DEAL, { id: 'amazon-anthropic-2023-09' }))).toEqual({ deal: null });
    expect(await t.cypher(`MATCH (d:Deal {id: 'amazon-anthropic-2023-09'}) RETURN d`)).toEqual([]);
    expect(await storedSources()).toEqual({ Reuters: 1 });
    expect(await labelCounts(t)).toEqual({ Company: 5, Deal: 1, CloudCommitment: 1, Source: 1 });
    const totals = await t.gql<{ company: { totals: Record<string, number> } }>(
      `{ company(id: "amazon") { totals { investedUsd investedUnknownCount } } }`,
    );
    expect(ok(totals).company.totals).toEqual({ investedUsd: 0, investedUnknownCount: 0 });
  });

  it('answers NOT_FOUND, writing nothing, for an unknown id or a deal already deleted', async () => {
    ok(await t.gql(DELETE_DEAL, { id: 'anthropic-aws-2025-10' }));
    const before = await graphSnapshot(t);
    failed(
      await t.gql(DELETE_DEAL, { id: 'anthropic-aws-2025-10' }),
      'NOT_FOUND',
      /No deal with id 'anthropic-aws-2025-10'/,
    );
    failed(await t.gql(DELETE_DEAL, { id: 'no-such-deal' }), 'NOT_FOUND', /no-such-deal/);
    expect(await graphSnapshot(t)).toEqual(before);
  });
});

describe('who may write', () => {
  /** One valid call of each mutation; each would change the graph if it were let through. */
  const WRITES = [
    {
      name: 'upsertCompany',
      query: UPSERT_COMPANY,
      variables: { input: { id: 'xai', name: 'xAI' } },
    },
    {
      name: 'recordInvestment',
      query: RECORD_INVESTMENT,
      variables: { input: investment('alphabet-anthropic-2023-10', 'alphabet', 'anthropic') },
    },
    {
      name: 'recordCommitment',
      query: RECORD_COMMITMENT,
      variables: { input: commitment('openai-aws-2025-11', 'openai', 'amazon-web-services') },
    },
    { name: 'deleteDeal', query: DELETE_DEAL, variables: { id: 'anthropic-aws-2025-10' } },
  ];

  let readOnly: TestServer;
  beforeAll(async () => {
    readOnly = await startTestServer({ adminToken: undefined });
  });
  afterAll(() => readOnly.close());

  it.each(WRITES)(
    '$name is refused when the server has no ADMIN_TOKEN, saying how to enable writes',
    async ({ query, variables }) => {
      const before = await graphSnapshot(t);
      for (const token of [null, ADMIN_TOKEN, 'anything-at-all-0123456789']) {
        const error = failed(
          await readOnly.gql(query, variables, { token }),
          'MUTATIONS_DISABLED',
          /ADMIN_TOKEN/,
        );
        expect(error.message).toMatch(/Authorization: Bearer/);
      }
      expect(await graphSnapshot(t)).toEqual(before);
    },
  );

  it.each(WRITES)('$name needs the bearer token', async ({ query, variables }) => {
    const before = await graphSnapshot(t);
    failed(
      await t.gql(query, variables, { token: null }),
      'UNAUTHENTICATED',
      /needs `Authorization: Bearer <ADMIN_TOKEN>`/,
    );
    failed(
      await t.gql(query, variables, {
        token: null,
        headers: { authorization: `Basic ${ADMIN_TOKEN}` },
      }),
      'UNAUTHENTICATED',
      /Authorization: Bearer/,
    );
    failed(
      await t.gql(query, variables, { token: `${ADMIN_TOKEN}x` }),
      'UNAUTHENTICATED',
      /not this server's ADMIN_TOKEN/,
    );
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('lets anyone read, on either server', async () => {
    for (const server of [t, readOnly]) {
      const res = await server.gql(`{ company(id: "amazon") { id } }`, {}, { token: null });
      expect(ok(res)).toEqual({ company: { id: 'amazon' } });
    }
  });

  it('lets the token holder write', async () => {
    for (const { query, variables } of WRITES) ok(await t.gql(query, variables));
    expect(await t.cypher(`MATCH (c:Company {id: 'xai'}) RETURN c.id AS id`)).toEqual([
      { id: 'xai' },
    ]);
  });
});
