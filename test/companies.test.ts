/**
 * Query.company and Query.companies over HTTP: the corporate tree, totals, the four deal
 * connections, full-text search, filters, ordering and paging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitment, company, dataset, investment, source } from './fixtures/dataset.js';
import { failed, ok } from './fixtures/graph.js';
import { startTestServer, type TestServer } from './support/harness.js';

/**
 *   Amazon ── Amazon Web Services ── AWS European Sovereign Cloud
 *   Alphabet ─┬ Google Cloud
 *             └ Google DeepMind
 *   Anthropic, AT&T, Mistral AI, Nvidia, xAI (top level, no subsidiaries)
 *
 *   Investments in Anthropic: Amazon 1.25B (2023-09), 2.75B (2024-03), 4B (2024-11) and one of
 *   unknown size, undated; Alphabet 1B (2025-01); Nvidia up to 10B (2025-11).
 *   Anthropic's commitments: AWS 100B cloud (2025-10), Google Cloud 1M TPUs (unknown amount,
 *   2025-10), Nvidia 1 GW of hardware (unknown amount, 2025-11). Mistral AI: AWS 2B (2025-06).
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
      parentId: 'amazon',
    }),
    company('aws-european-sovereign-cloud', 'AWS European Sovereign Cloud', {
      sectors: ['CLOUD_PROVIDER'],
      country: 'DE',
      parentId: 'amazon-web-services',
    }),
    company('alphabet', 'Alphabet', {
      aliases: ['Google'],
      sectors: ['HYPERSCALER'],
      country: 'US',
    }),
    company('google-cloud', 'Google Cloud', {
      aliases: ['GCP', 'Google Cloud Platform'],
      sectors: ['CLOUD_PROVIDER'],
      country: 'US',
      parentId: 'alphabet',
    }),
    company('deepmind', 'Google DeepMind', {
      sectors: ['AI_LAB'],
      country: 'GB',
      parentId: 'alphabet',
    }),
    company('anthropic', 'Anthropic', { sectors: ['AI_LAB'], country: 'US' }),
    company('att', 'AT&T', { sectors: ['NETWORKING'], country: 'US' }),
    company('mistral-ai', 'Mistral AI', { sectors: ['AI_LAB'], country: 'FR' }),
    company('nvidia', 'Nvidia', { aliases: ['NVIDIA'], sectors: ['CHIPMAKER'], country: 'US' }),
    company('xai', 'xAI', { sectors: ['AI_LAB'], country: 'US' }),
  ],
  investments: [
    investment('amazon-anthropic-2023-09', 'amazon', 'anthropic', {
      amountUsd: 1.25e9,
      announcedOn: '2023-09',
      status: 'COMPLETED',
    }),
    investment('amazon-anthropic-2024-03', 'amazon', 'anthropic', {
      amountUsd: 2.75e9,
      announcedOn: '2024-03',
      status: 'COMPLETED',
    }),
    investment('amazon-anthropic-2024-11', 'amazon', 'anthropic', {
      amountUsd: 4e9,
      announcedOn: '2024-11',
    }),
    investment('amazon-anthropic-further', 'amazon', 'anthropic'),
    investment('alphabet-anthropic-2025-01', 'alphabet', 'anthropic', {
      amountUsd: 1e9,
      announcedOn: '2025-01',
    }),
    investment('nvidia-anthropic-2025-11', 'nvidia', 'anthropic', {
      amountUsd: 10e9,
      amountIsUpperBound: true,
      announcedOn: '2025-11',
    }),
  ],
  commitments: [
    commitment('anthropic-aws-2025-10', 'anthropic', 'amazon-web-services', {
      amountUsd: 100e9,
      announcedOn: '2025-10',
    }),
    commitment('anthropic-google-cloud-2025-10', 'anthropic', 'google-cloud', {
      quantity: { value: 1e6, unit: 'TPUs' },
      announcedOn: '2025-10',
    }),
    commitment('anthropic-nvidia-2025-11', 'anthropic', 'nvidia', {
      kind: 'HARDWARE',
      quantity: { value: 1, unit: 'GW' },
      announcedOn: '2025-11',
      sources: [source('Anthropic', { url: 'https://www.anthropic.com/news' })],
    }),
    commitment('mistral-ai-aws-2025-06', 'mistral-ai', 'amazon-web-services', {
      amountUsd: 2e9,
      announcedOn: '2025-06',
    }),
  ],
});

/** Every company id, by name (case-insensitive). */
const BY_NAME = [
  'alphabet', // Alphabet
  'amazon', // Amazon
  'amazon-web-services', // Amazon Web Services
  'anthropic', // Anthropic
  'att', // AT&T
  'aws-european-sovereign-cloud', // AWS European Sovereign Cloud
  'google-cloud', // Google Cloud
  'deepmind', // Google DeepMind
  'mistral-ai', // Mistral AI
  'nvidia', // Nvidia
  'xai', // xAI
];

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(GRAPH);
});
afterAll(() => t.close());

interface Connection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { id: string } }[];
}

const COMPANIES = `
  query($where: CompanyFilter, $orderBy: CompanyOrder, $first: Int, $after: String) {
    companies(where: $where, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { id } }
    }
  }`;

async function companies(variables: Record<string, unknown>): Promise<Connection> {
  return ok(await t.gql<{ companies: Connection }>(COMPANIES, variables)).companies;
}

const ids = (connection: Connection): string[] => connection.edges.map((e) => e.node.id);

describe('company(id)', () => {
  const COMPANY = `
    query($id: ID!) {
      company(id: $id) {
        id name aliases sectors country website
        parent { id }
        subsidiaries { id }
        ultimateParent { id }
      }
    }`;

  it('returns the stored fields of a company', async () => {
    const { company } = ok(await t.gql(COMPANY, { id: 'amazon' }));
    expect(company).toEqual({
      id: 'amazon',
      name: 'Amazon',
      aliases: ['Amazon.com'],
      sectors: ['HYPERSCALER'],
      country: 'US',
      website: 'https://www.amazon.com',
      parent: null,
      subsidiaries: [{ id: 'amazon-web-services' }],
      ultimateParent: { id: 'amazon' },
    });
  });

  it('links a subsidiary to its parent, its own subsidiaries and its top-level parent', async () => {
    const { company } = ok(await t.gql(COMPANY, { id: 'amazon-web-services' }));
    expect(company).toMatchObject({
      parent: { id: 'amazon' },
      subsidiaries: [{ id: 'aws-european-sovereign-cloud' }],
      ultimateParent: { id: 'amazon' },
    });
    const { company: grandchild } = ok(
      await t.gql(COMPANY, { id: 'aws-european-sovereign-cloud' }),
    );
    expect(grandchild).toMatchObject({
      parent: { id: 'amazon-web-services' },
      subsidiaries: [],
      ultimateParent: { id: 'amazon' },
    });
  });

  it('lists subsidiaries by name', async () => {
    const { company } = ok(await t.gql(COMPANY, { id: 'alphabet' }));
    expect(company).toMatchObject({ subsidiaries: [{ id: 'google-cloud' }, { id: 'deepmind' }] });
  });

  it('is null for an unknown id', async () => {
    expect(ok(await t.gql(COMPANY, { id: 'no-such-company' }))).toEqual({ company: null });
  });

  it('sums known amounts per side and counts the deals of unknown amount', async () => {
    const TOTALS = `
      query($id: ID!) {
        company(id: $id) {
          totals {
            investedUsd investedUnknownCount raisedUsd raisedUnknownCount
            committedUsd committedUnknownCount receivedUsd receivedUnknownCount
          }
        }
      }`;
    const totals = async (id: string): Promise<unknown> =>
      ok(await t.gql<{ company: { totals: unknown } }>(TOTALS, { id })).company.totals;

    expect(await totals('anthropic')).toEqual({
      investedUsd: 0,
      investedUnknownCount: 0,
      raisedUsd: 1.25e9 + 2.75e9 + 4e9 + 1e9 + 10e9,
      raisedUnknownCount: 1,
      committedUsd: 100e9,
      committedUnknownCount: 2,
      receivedUsd: 0,
      receivedUnknownCount: 0,
    });
    expect(await totals('amazon')).toMatchObject({
      investedUsd: 1.25e9 + 2.75e9 + 4e9,
      investedUnknownCount: 1,
      // AWS's receipts are its own, not Amazon's.
      receivedUsd: 0,
      receivedUnknownCount: 0,
    });
    expect(await totals('amazon-web-services')).toMatchObject({
      receivedUsd: 100e9 + 2e9,
      receivedUnknownCount: 0,
      investedUsd: 0,
    });
    expect(await totals('nvidia')).toMatchObject({
      investedUsd: 10e9,
      receivedUsd: 0,
      receivedUnknownCount: 1,
    });
    expect(await totals('xai')).toEqual({
      investedUsd: 0,
      investedUnknownCount: 0,
      raisedUsd: 0,
      raisedUnknownCount: 0,
      committedUsd: 0,
      committedUnknownCount: 0,
      receivedUsd: 0,
      receivedUnknownCount: 0,
    });
  });
});

describe("a company's deal connections", () => {
  type Field =
    'investmentsMade' | 'investmentsReceived' | 'commitmentsMade' | 'commitmentsReceived';

  async function connection(
    id: string,
    field: Field,
    args: { first?: number; after?: string | null; where?: Record<string, unknown> } = {},
  ): Promise<Connection> {
    const res = await t.gql<{ company: Record<Field, Connection> }>(
      `query($id: ID!, $first: Int, $after: String, $where: DealFilter) {
        company(id: $id) {
          ${field}(first: $first, after: $after, where: $where) {
            totalCount
            pageInfo { hasNextPage hasPreviousPage endCursor }
            edges { cursor node { id } }
          }
        }
      }`,
      { id, first: args.first ?? 20, after: args.after ?? null, where: args.where ?? null },
    );
    return ok(res).company[field];
  }

  it('lists each side of each type of deal', async () => {
    expect(ids(await connection('anthropic', 'investmentsReceived')).sort()).toEqual([
      'alphabet-anthropic-2025-01',
      'amazon-anthropic-2023-09',
      'amazon-anthropic-2024-03',
      'amazon-anthropic-2024-11',
      'amazon-anthropic-further',
      'nvidia-anthropic-2025-11',
    ]);
    expect(ids(await connection('amazon', 'investmentsMade')).sort()).toEqual([
      'amazon-anthropic-2023-09',
      'amazon-anthropic-2024-03',
      'amazon-anthropic-2024-11',
      'amazon-anthropic-further',
    ]);
    expect(ids(await connection('anthropic', 'commitmentsMade')).sort()).toEqual([
      'anthropic-aws-2025-10',
      'anthropic-google-cloud-2025-10',
      'anthropic-nvidia-2025-11',
    ]);
    expect(ids(await connection('amazon-web-services', 'commitmentsReceived')).sort()).toEqual([
      'anthropic-aws-2025-10',
      'mistral-ai-aws-2025-06',
    ]);
  });

  it("does not list the other side, or a subsidiary's deals", async () => {
    expect((await connection('anthropic', 'investmentsMade')).totalCount).toBe(0);
    expect((await connection('anthropic', 'commitmentsReceived')).totalCount).toBe(0);
    expect((await connection('amazon', 'commitmentsReceived')).totalCount).toBe(0);
  });

  it('answers for many companies in one request, each with its own deals', async () => {
    const res = await t.gql<{
      companies: { edges: { node: { id: string; investmentsMade: { totalCount: number } } }[] };
    }>(`{
      companies(first: 100) {
        edges { node { id investmentsMade(first: 1) { totalCount } } }
      }
    }`);
    const counts = Object.fromEntries(
      ok(res).companies.edges.map((e) => [e.node.id, e.node.investmentsMade.totalCount]),
    );
    expect(counts).toMatchObject({ amazon: 4, alphabet: 1, nvidia: 1, anthropic: 0, xai: 0 });
  });

  it('pages with first/after through every deal exactly once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const c = await connection('anthropic', 'investmentsReceived', { first: 4, after });
      expect(c.totalCount).toBe(6);
      expect(c.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...ids(c));
      expect(c.pageInfo.endCursor).toBe(c.edges.at(-1)!.cursor);
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it('narrows with where, on top of the side it lists', async () => {
    expect(
      ids(
        await connection('anthropic', 'investmentsReceived', {
          where: { fromCompanyId: 'amazon' },
        }),
      ),
    ).toHaveLength(4);
    expect(
      ids(
        await connection('anthropic', 'investmentsReceived', {
          where: { announcedFrom: '2024-11', minAmountUsd: 1e9 },
        }),
      ).sort(),
    ).toEqual([
      'alphabet-anthropic-2025-01',
      'amazon-anthropic-2024-11',
      'nvidia-anthropic-2025-11',
    ]);
    expect(
      ids(
        await connection('anthropic', 'commitmentsMade', {
          where: { commitmentKinds: ['HARDWARE'] },
        }),
      ),
    ).toEqual(['anthropic-nvidia-2025-11']);
    // Anthropic is the investee of all of these: no investment flows to Nvidia here.
    expect(
      (await connection('anthropic', 'investmentsReceived', { where: { toCompanyId: 'nvidia' } }))
        .totalCount,
    ).toBe(0);
    // An investment connection holds no commitments.
    expect(
      (await connection('anthropic', 'investmentsReceived', { where: { types: ['COMMITMENT'] } }))
        .totalCount,
    ).toBe(0);
  });

  it('refuses pages over 100 and cursors it did not issue', async () => {
    const res = await t.gql(
      `{ company(id: "anthropic") { investmentsReceived(first: 101) { totalCount } } }`,
    );
    failed(res, 'BAD_USER_INPUT', /first.*100/);
    const bad = await t.gql(
      `{ company(id: "anthropic") { commitmentsMade(after: "not-a-cursor") { totalCount } } }`,
    );
    failed(bad, 'BAD_USER_INPUT', /after/);
  });
});

describe('companies', () => {
  it('lists every company by name, case-insensitively, by default', async () => {
    const all = await companies({ first: 100 });
    expect(all.totalCount).toBe(11);
    expect(ids(all)).toEqual(BY_NAME);
  });

  it('orders by NAME or ID, either direction', async () => {
    expect(ids(await companies({ orderBy: { field: 'NAME', direction: 'DESC' } }))).toEqual(
      [...BY_NAME].reverse(),
    );
    const byId = [...BY_NAME].sort();
    expect(ids(await companies({ orderBy: { field: 'ID' } }))).toEqual(byId);
    expect(ids(await companies({ orderBy: { field: 'ID', direction: 'DESC' } }))).toEqual(
      byId.reverse(),
    );
  });

  it('pages through every company exactly once', async () => {
    const pages: Connection[] = [];
    let after: string | null = null;
    do {
      const page = await companies({ first: 4, after });
      pages.push(page);
      after = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage) break;
    } while (pages.length < 10);
    expect(pages.map((p) => p.edges.length)).toEqual([4, 4, 3]);
    expect(pages.map((p) => p.totalCount)).toEqual([11, 11, 11]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.flatMap(ids)).toEqual(BY_NAME);
  });

  it('counts without listing when asked for no items', async () => {
    const none = await companies({ first: 0 });
    expect(none.edges).toEqual([]);
    expect(none.totalCount).toBe(11);
    expect(none.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses pages over 100, negative sizes and cursors it did not issue', async () => {
    failed(await t.gql(COMPANIES, { first: 101 }), 'BAD_USER_INPUT', /first.*100/);
    failed(await t.gql(COMPANIES, { first: -1 }), 'BAD_USER_INPUT', /first/);
    failed(await t.gql(COMPANIES, { after: 'bm9wZQ' }), 'BAD_USER_INPUT', /after/);
  });

  describe('filters', () => {
    it('by sector: any of the given sectors', async () => {
      expect(ids(await companies({ where: { sectors: ['CHIPMAKER'] } }))).toEqual(['nvidia']);
      expect(ids(await companies({ where: { sectors: ['AI_LAB', 'CHIPMAKER'] } }))).toEqual([
        'anthropic',
        'deepmind',
        'mistral-ai',
        'nvidia',
        'xai',
      ]);
    });

    it('by country', async () => {
      expect(ids(await companies({ where: { country: 'FR' } }))).toEqual(['mistral-ai']);
      expect(ids(await companies({ where: { country: 'DE' } }))).toEqual([
        'aws-european-sovereign-cloud',
      ]);
      expect((await companies({ where: { country: 'JP' } })).totalCount).toBe(0);
    });

    it('to top-level companies only', async () => {
      expect(ids(await companies({ where: { topLevelOnly: true } }))).toEqual([
        'alphabet',
        'amazon',
        'anthropic',
        'att',
        'mistral-ai',
        'nvidia',
        'xai',
      ]);
      expect((await companies({ where: { topLevelOnly: false } })).totalCount).toBe(11);
    });

    it('combined: every condition holds', async () => {
      expect(
        ids(await companies({ where: { sectors: ['CLOUD_PROVIDER'], country: 'US' } })),
      ).toEqual(['amazon-web-services', 'google-cloud']);
      expect(
        (await companies({ where: { sectors: ['CLOUD_PROVIDER'], topLevelOnly: true } }))
          .totalCount,
      ).toBe(0);
    });
  });

  describe('search', () => {
    const search = async (text: string, where: Record<string, unknown> = {}): Promise<string[]> =>
      ids(await companies({ where: { search: text, ...where } }));

    it('finds companies by alias as well as by name', async () => {
      expect((await search('AWS')).sort()).toEqual([
        'amazon-web-services', // alias AWS
        'aws-european-sovereign-cloud', // name
      ]);
      expect(await search('Amazon.com')).toEqual(['amazon']);
      expect((await search('google')).sort()).toEqual(['alphabet', 'deepmind', 'google-cloud']);
    });

    it('matches words as prefixes, ignoring case, every word required', async () => {
      expect((await search('amaz')).sort()).toEqual(['amazon', 'amazon-web-services']);
      expect(await search('web serv')).toEqual(['amazon-web-services']);
      expect(await search('MISTRAL')).toEqual(['mistral-ai']);
      expect(await search('mistral cloud')).toEqual([]);
    });

    it('finds a name written with punctuation', async () => {
      expect(await search('AT&T')).toEqual(['att']);
      expect(await search('at&t')).toEqual(['att']);
      expect(await search('Web & Services')).toEqual(['amazon-web-services']);
      expect(await search('amazon-web-services')).toEqual(['amazon-web-services']);
    });

    it('takes Lucene syntax in the text literally: no error, no query injection', async () => {
      const texts = [
        '"',
        '(',
        ')',
        'a:b',
        '\\',
        '[x TO y]',
        '{',
        '/re/',
        '*',
        '?',
        '&&',
        '||',
        '!',
        '-',
        '+',
        '~',
        '^2',
        'AND',
        'OR NOT',
        'amazon OR nvidia',
        'name:nvidia',
        'amazon~',
        'c++',
      ];
      for (const text of texts) {
        const res = await t.gql<{ companies: Connection }>(COMPANIES, { where: { search: text } });
        expect(res.errors, text).toBeUndefined();
        // "OR" is a word to match, not an operator: no company is named "or...".
        if (text === 'amazon OR nvidia') expect(res.data!.companies.totalCount).toBe(0);
      }
      // A wildcard is a character to look for, not "everything".
      expect(await search('*')).toEqual([]);
    });

    it('combines with the other filters', async () => {
      expect(await search('google', { sectors: ['CLOUD_PROVIDER'] })).toEqual(['google-cloud']);
      expect(await search('amazon', { topLevelOnly: true })).toEqual(['amazon']);
      expect(await search('aws', { country: 'DE' })).toEqual(['aws-european-sovereign-cloud']);
    });

    it('orders by relevance by default: a match on name and alias before a match on one', async () => {
      // Google Cloud matches "cloud" in its name and its alias "Google Cloud Platform".
      expect(await search('cloud')).toEqual(['google-cloud', 'aws-european-sovereign-cloud']);
      expect(
        ids(await companies({ where: { search: 'cloud' }, orderBy: { field: 'RELEVANCE' } })),
      ).toEqual(['google-cloud', 'aws-european-sovereign-cloud']);
      expect(
        ids(await companies({ where: { search: 'cloud' }, orderBy: { field: 'NAME' } })),
      ).toEqual(['aws-european-sovereign-cloud', 'google-cloud']);
      expect(
        ids(
          await companies({
            where: { search: 'cloud' },
            orderBy: { field: 'ID', direction: 'DESC' },
          }),
        ),
      ).toEqual(['google-cloud', 'aws-european-sovereign-cloud']);
    });

    it('refuses RELEVANCE order without a search text', async () => {
      const res = await t.gql(COMPANIES, { orderBy: { field: 'RELEVANCE' } });
      failed(res, 'BAD_USER_INPUT', /orderBy.*RELEVANCE.*search/);
      const blank = await t.gql(COMPANIES, {
        where: { search: '   ' },
        orderBy: { field: 'RELEVANCE' },
      });
      failed(blank, 'BAD_USER_INPUT', /RELEVANCE/);
    });

    it('treats a blank search as no search', async () => {
      expect(ids(await companies({ where: { search: '  ' } }))).toEqual(BY_NAME);
    });
  });
});
