/**
 * Query.deal and Query.deals over HTTP: the two kinds of deal behind the Deal interface, their
 * sources, every filter (month-precision dates included), ordering and paging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitment, company, dataset, investment, source } from './fixtures/dataset.js';
import { failed, ok } from './fixtures/graph.js';
import { startTestServer, type TestServer } from './support/harness.js';

const NVIDIA_NEWS = source('Nvidia', {
  title:
    'OpenAI and NVIDIA Announce Strategic Partnership to Deploy 10 Gigawatts of NVIDIA Systems',
  url: 'https://nvidianews.nvidia.com/news/openai-and-nvidia-announce-strategic-partnership',
  publishedOn: '2025-09-22',
});

/**
 * Seven investments and six commitments. Dates mix month precision (`2025-09`, which compares as
 * 2025-09-01) and day precision, with deals on both sides of the September 2025 boundaries; two
 * deals are undated and three have no known amount.
 */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon'),
    company('amazon-web-services', 'Amazon Web Services', { parentId: 'amazon' }),
    company('anthropic', 'Anthropic'),
    company('openai', 'OpenAI'),
    company('nvidia', 'Nvidia'),
    company('microsoft', 'Microsoft'),
    company('coreweave', 'CoreWeave'),
  ],
  investments: [
    investment('amazon-anthropic-2023-09', 'amazon', 'anthropic', {
      amountUsd: 1.25e9,
      announcedOn: '2023-09',
      status: 'COMPLETED',
      instrument: 'EQUITY',
    }),
    investment('amazon-anthropic-2024-03-27', 'amazon', 'anthropic', {
      amountUsd: 2.75e9,
      announcedOn: '2024-03-27',
      status: 'COMPLETED',
      instrument: 'EQUITY',
    }),
    investment('amazon-anthropic-undated', 'amazon', 'anthropic', { amountUsd: 5e9 }),
    investment('microsoft-openai-2023-01', 'microsoft', 'openai', {
      amountUsd: 10e9,
      announcedOn: '2023-01',
      status: 'IN_PROGRESS',
    }),
    investment('nvidia-openai-2025-09-22', 'nvidia', 'openai', {
      amountUsd: 100e9,
      amountIsUpperBound: true,
      announcedOn: '2025-09-22',
      status: 'LETTER_OF_INTENT',
      instrument: 'EQUITY',
      note: 'Invested progressively as each gigawatt is deployed.',
      sources: [NVIDIA_NEWS, source('Reuters', { publishedOn: '2025-09-22' })],
    }),
    investment('nvidia-coreweave-2025-08-31', 'nvidia', 'coreweave', {
      amountUsd: 250e6,
      announcedOn: '2025-08-31',
      status: 'COMPLETED',
    }),
    investment('nvidia-anthropic-2025-11', 'nvidia', 'anthropic', {
      announcedOn: '2025-11',
      instrument: 'OTHER',
    }),
  ],
  commitments: [
    commitment('anthropic-aws-2025-10', 'anthropic', 'amazon-web-services', {
      amountUsd: 100e9,
      announcedOn: '2025-10',
    }),
    commitment('openai-aws-2025-11-03', 'openai', 'amazon-web-services', {
      amountUsd: 38e9,
      announcedOn: '2025-11-03',
      term: '7 years',
      status: 'DEFINITIVE_AGREEMENT',
    }),
    commitment('openai-nvidia-2025-09', 'openai', 'nvidia', {
      kind: 'HARDWARE',
      quantity: { value: 10, unit: 'GW' },
      announcedOn: '2025-09',
      status: 'LETTER_OF_INTENT',
      sources: [NVIDIA_NEWS],
    }),
    commitment('nvidia-coreweave-2025-09-15', 'nvidia', 'coreweave', {
      kind: 'CAPACITY',
      amountUsd: 6.3e9,
      announcedOn: '2025-09-15',
      term: 'through 2032',
    }),
    commitment('openai-coreweave-2025-10-02', 'openai', 'coreweave', {
      amountUsd: 6.5e9,
      announcedOn: '2025-10-02',
    }),
    commitment('microsoft-coreweave-undated', 'microsoft', 'coreweave', { status: 'CANCELLED' }),
  ],
});

const ALL_IDS = [...GRAPH.investments, ...GRAPH.commitments].map((d) => d.id).sort();

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(GRAPH);
});
afterAll(() => t.close());

interface DealConnection {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { id: string; __typename: string } }[];
}

const DEALS = `
  query($where: DealFilter, $orderBy: DealOrder, $first: Int, $after: String) {
    deals(where: $where, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { id __typename } }
    }
  }`;

async function deals(variables: Record<string, unknown> = {}): Promise<DealConnection> {
  return ok(await t.gql<{ deals: DealConnection }>(DEALS, { first: 100, ...variables })).deals;
}

const ids = (c: DealConnection): string[] => c.edges.map((e) => e.node.id);
const idsWhere = async (where: Record<string, unknown>): Promise<string[]> =>
  ids(await deals({ where })).sort();

describe('deal(id)', () => {
  const DEAL = `
    query($id: ID!) {
      deal(id: $id) {
        __typename id from { id } to { id } amountUsd amountIsUpperBound
        quantity { value unit } announcedOn status note
        sources { publisher title url publishedOn }
        ... on Investment { investor { id } investee { id } instrument }
        ... on CloudCommitment { customer { id } provider { id } kind term }
      }
    }`;

  it('returns an investment with its investor, investee and sources', async () => {
    const { deal } = ok(
      await t.gql<{ deal: { sources: { publisher: string }[] } }>(DEAL, {
        id: 'nvidia-openai-2025-09-22',
      }),
    );
    expect({ ...deal, sources: undefined }).toEqual({
      __typename: 'Investment',
      id: 'nvidia-openai-2025-09-22',
      from: { id: 'nvidia' },
      to: { id: 'openai' },
      investor: { id: 'nvidia' },
      investee: { id: 'openai' },
      amountUsd: 100e9,
      amountIsUpperBound: true,
      quantity: null,
      announcedOn: '2025-09-22',
      status: 'LETTER_OF_INTENT',
      instrument: 'EQUITY',
      note: 'Invested progressively as each gigawatt is deployed.',
      sources: undefined,
    });
    expect([...deal.sources].sort((a, b) => a.publisher.localeCompare(b.publisher))).toEqual([
      { title: null, url: null, ...NVIDIA_NEWS },
      { publisher: 'Reuters', title: null, url: null, publishedOn: '2025-09-22' },
    ]);
  });

  it('returns a commitment with its customer, provider, kind, quantity and term', async () => {
    const { deal: hardware } = ok(await t.gql(DEAL, { id: 'openai-nvidia-2025-09' }));
    expect(hardware).toEqual({
      __typename: 'CloudCommitment',
      id: 'openai-nvidia-2025-09',
      from: { id: 'openai' },
      to: { id: 'nvidia' },
      customer: { id: 'openai' },
      provider: { id: 'nvidia' },
      kind: 'HARDWARE',
      amountUsd: null,
      amountIsUpperBound: false,
      quantity: { value: 10, unit: 'GW' },
      // Month precision is kept as given.
      announcedOn: '2025-09',
      term: null,
      status: 'LETTER_OF_INTENT',
      note: null,
      sources: [{ title: null, url: null, ...NVIDIA_NEWS }],
    });
    const { deal: cloud } = ok(await t.gql(DEAL, { id: 'openai-aws-2025-11-03' }));
    expect(cloud).toMatchObject({
      __typename: 'CloudCommitment',
      provider: { id: 'amazon-web-services' },
      kind: 'CLOUD',
      amountUsd: 38e9,
      term: '7 years',
      status: 'DEFINITIVE_AGREEMENT',
    });
  });

  it('returns an undated deal of unknown amount with nulls', async () => {
    const { deal } = ok(await t.gql(DEAL, { id: 'microsoft-coreweave-undated' }));
    expect(deal).toMatchObject({ amountUsd: null, announcedOn: null, status: 'CANCELLED' });
  });

  it('is null for an unknown id', async () => {
    expect(ok(await t.gql(DEAL, { id: 'no-such-deal' }))).toEqual({ deal: null });
  });
});

describe('deals', () => {
  it('lists every deal, each as its own type', async () => {
    const all = await deals();
    expect(all.totalCount).toBe(13);
    expect(ids(all).sort()).toEqual(ALL_IDS);
    const typename = Object.fromEntries(all.edges.map((e) => [e.node.id, e.node.__typename]));
    expect(typename['amazon-anthropic-2023-09']).toBe('Investment');
    expect(typename['anthropic-aws-2025-10']).toBe('CloudCommitment');
  });

  describe('filters', () => {
    it('by company on either side, its subsidiaries not included', async () => {
      expect(await idsWhere({ companyId: 'coreweave' })).toEqual([
        'microsoft-coreweave-undated',
        'nvidia-coreweave-2025-08-31',
        'nvidia-coreweave-2025-09-15',
        'openai-coreweave-2025-10-02',
      ]);
      expect(await idsWhere({ companyId: 'amazon' })).toEqual([
        'amazon-anthropic-2023-09',
        'amazon-anthropic-2024-03-27',
        'amazon-anthropic-undated',
      ]);
      expect(await idsWhere({ companyId: 'amazon-web-services' })).toEqual([
        'anthropic-aws-2025-10',
        'openai-aws-2025-11-03',
      ]);
      expect(await idsWhere({ companyId: 'no-such-company' })).toEqual([]);
    });

    it('by the side money flows from or to', async () => {
      expect(await idsWhere({ fromCompanyId: 'openai' })).toEqual([
        'openai-aws-2025-11-03',
        'openai-coreweave-2025-10-02',
        'openai-nvidia-2025-09',
      ]);
      expect(await idsWhere({ toCompanyId: 'openai' })).toEqual([
        'microsoft-openai-2023-01',
        'nvidia-openai-2025-09-22',
      ]);
      expect(await idsWhere({ fromCompanyId: 'nvidia', toCompanyId: 'coreweave' })).toEqual([
        'nvidia-coreweave-2025-08-31',
        'nvidia-coreweave-2025-09-15',
      ]);
      expect(await idsWhere({ companyId: 'openai', fromCompanyId: 'nvidia' })).toEqual([
        'nvidia-openai-2025-09-22',
      ]);
      expect(await idsWhere({ companyId: 'nvidia', toCompanyId: 'nvidia' })).toEqual([
        'openai-nvidia-2025-09',
      ]);
    });

    it('by type, an empty list meaning no condition', async () => {
      expect(await idsWhere({ types: ['INVESTMENT'] })).toEqual(
        GRAPH.investments.map((d) => d.id).sort(),
      );
      expect(await idsWhere({ types: ['COMMITMENT'] })).toEqual(
        GRAPH.commitments.map((d) => d.id).sort(),
      );
      expect(await idsWhere({ types: ['INVESTMENT', 'COMMITMENT'] })).toEqual(ALL_IDS);
      expect(await idsWhere({ types: [] })).toEqual(ALL_IDS);
    });

    it('by commitment kind', async () => {
      expect(
        await idsWhere({ types: ['COMMITMENT'], commitmentKinds: ['HARDWARE', 'CAPACITY'] }),
      ).toEqual(['nvidia-coreweave-2025-09-15', 'openai-nvidia-2025-09']);
      const cloud = await deals({ where: { commitmentKinds: ['CLOUD'] } });
      const commitments = cloud.edges
        .filter((e) => e.node.__typename === 'CloudCommitment')
        .map((e) => e.node.id)
        .sort();
      expect(commitments).toEqual([
        'anthropic-aws-2025-10',
        'microsoft-coreweave-undated',
        'openai-aws-2025-11-03',
        'openai-coreweave-2025-10-02',
      ]);
    });

    it('by status', async () => {
      expect(await idsWhere({ statuses: ['LETTER_OF_INTENT'] })).toEqual([
        'nvidia-openai-2025-09-22',
        'openai-nvidia-2025-09',
      ]);
      expect(await idsWhere({ statuses: ['COMPLETED', 'CANCELLED'] })).toEqual([
        'amazon-anthropic-2023-09',
        'amazon-anthropic-2024-03-27',
        'microsoft-coreweave-undated',
        'nvidia-coreweave-2025-08-31',
      ]);
    });

    describe('by date, a month being the whole month', () => {
      it('a month as both bounds holds the whole month', async () => {
        expect(await idsWhere({ announcedFrom: '2025-09', announcedTo: '2025-09' })).toEqual([
          'nvidia-coreweave-2025-09-15',
          'nvidia-openai-2025-09-22',
          'openai-nvidia-2025-09',
        ]);
      });

      it('a day as lower bound leaves out deals dated only by that month', async () => {
        expect(await idsWhere({ announcedFrom: '2025-09-15', announcedTo: '2025-09-30' })).toEqual([
          'nvidia-coreweave-2025-09-15',
          'nvidia-openai-2025-09-22',
        ]);
      });

      it('a day as lower bound and its month as upper bound is a valid range', async () => {
        expect(await idsWhere({ announcedFrom: '2025-09-15', announcedTo: '2025-09' })).toEqual([
          'nvidia-coreweave-2025-09-15',
          'nvidia-openai-2025-09-22',
        ]);
      });

      it('a day as upper bound leaves out deals dated only by its month, which may be later', async () => {
        expect(await idsWhere({ announcedTo: '2025-09-14' })).toEqual([
          'amazon-anthropic-2023-09',
          'amazon-anthropic-2024-03-27',
          'microsoft-openai-2023-01',
          'nvidia-coreweave-2025-08-31',
        ]);
        // The month's last day as upper bound holds the whole month.
        expect(await idsWhere({ announcedTo: '2025-09-30' })).toContain('openai-nvidia-2025-09');
      });

      it('bounds are inclusive at day precision too', async () => {
        expect(await idsWhere({ announcedFrom: '2025-10-01' })).toEqual([
          'anthropic-aws-2025-10',
          'nvidia-anthropic-2025-11',
          'openai-aws-2025-11-03',
          'openai-coreweave-2025-10-02',
        ]);
        expect(await idsWhere({ announcedFrom: '2025-08-31', announcedTo: '2025-08-31' })).toEqual([
          'nvidia-coreweave-2025-08-31',
        ]);
      });

      it('leaves out undated deals', async () => {
        const dated = await idsWhere({ announcedFrom: '1900-01', announcedTo: '2200-12' });
        expect(dated).toHaveLength(11);
        expect(dated).not.toContain('amazon-anthropic-undated');
        expect(dated).not.toContain('microsoft-coreweave-undated');
      });
    });

    it('by amount, inclusive, leaving out deals of unknown amount', async () => {
      expect(await idsWhere({ minAmountUsd: 10e9 })).toEqual([
        'anthropic-aws-2025-10',
        'microsoft-openai-2023-01',
        'nvidia-openai-2025-09-22',
        'openai-aws-2025-11-03',
      ]);
      expect(await idsWhere({ maxAmountUsd: 2.75e9 })).toEqual([
        'amazon-anthropic-2023-09',
        'amazon-anthropic-2024-03-27',
        'nvidia-coreweave-2025-08-31',
      ]);
      expect(await idsWhere({ minAmountUsd: 5e9, maxAmountUsd: 10e9 })).toEqual([
        'amazon-anthropic-undated',
        'microsoft-openai-2023-01',
        'nvidia-coreweave-2025-09-15',
        'openai-coreweave-2025-10-02',
      ]);
      expect(await idsWhere({ minAmountUsd: 0 })).toHaveLength(10);
    });

    it('combined: every condition holds', async () => {
      expect(
        await idsWhere({ types: ['INVESTMENT'], announcedFrom: '2024-01', minAmountUsd: 1e9 }),
      ).toEqual(['amazon-anthropic-2024-03-27', 'nvidia-openai-2025-09-22']);
      expect(
        await idsWhere({
          companyId: 'coreweave',
          types: ['COMMITMENT'],
          statuses: ['ANNOUNCED'],
          announcedFrom: '2025-09',
        }),
      ).toEqual(['nvidia-coreweave-2025-09-15', 'openai-coreweave-2025-10-02']);
    });
  });

  describe('order', () => {
    it('is newest first by default, undated last', async () => {
      const order = ids(await deals());
      expect(order.slice(0, 11)).toEqual([
        'openai-aws-2025-11-03',
        'nvidia-anthropic-2025-11', // 2025-11 counts as 2025-11-01
        'openai-coreweave-2025-10-02',
        'anthropic-aws-2025-10',
        'nvidia-openai-2025-09-22',
        'nvidia-coreweave-2025-09-15',
        'openai-nvidia-2025-09',
        'nvidia-coreweave-2025-08-31',
        'amazon-anthropic-2024-03-27',
        'amazon-anthropic-2023-09',
        'microsoft-openai-2023-01',
      ]);
      expect(order.slice(11).sort()).toEqual([
        'amazon-anthropic-undated',
        'microsoft-coreweave-undated',
      ]);
    });

    it('by date ascending keeps undated deals last', async () => {
      const order = ids(await deals({ orderBy: { field: 'ANNOUNCED_ON', direction: 'ASC' } }));
      expect(order.slice(0, 4)).toEqual([
        'microsoft-openai-2023-01',
        'amazon-anthropic-2023-09',
        'amazon-anthropic-2024-03-27',
        'nvidia-coreweave-2025-08-31',
      ]);
      expect(order.slice(11).sort()).toEqual([
        'amazon-anthropic-undated',
        'microsoft-coreweave-undated',
      ]);
    });

    it('by amount, either direction, unknown amounts last', async () => {
      const investments = ids(
        await deals({ where: { types: ['INVESTMENT'] }, orderBy: { field: 'AMOUNT_USD' } }),
      );
      expect(investments).toEqual([
        'nvidia-openai-2025-09-22',
        'microsoft-openai-2023-01',
        'amazon-anthropic-undated',
        'amazon-anthropic-2024-03-27',
        'amazon-anthropic-2023-09',
        'nvidia-coreweave-2025-08-31',
        'nvidia-anthropic-2025-11',
      ]);
      const commitments = ids(
        await deals({
          where: { types: ['COMMITMENT'] },
          orderBy: { field: 'AMOUNT_USD', direction: 'ASC' },
        }),
      );
      expect(commitments.slice(0, 4)).toEqual([
        'nvidia-coreweave-2025-09-15',
        'openai-coreweave-2025-10-02',
        'openai-aws-2025-11-03',
        'anthropic-aws-2025-10',
      ]);
      expect(commitments.slice(4).sort()).toEqual([
        'microsoft-coreweave-undated',
        'openai-nvidia-2025-09',
      ]);
    });

    it('by id, either direction', async () => {
      expect(ids(await deals({ orderBy: { field: 'ID', direction: 'ASC' } }))).toEqual(ALL_IDS);
      expect(ids(await deals({ orderBy: { field: 'ID', direction: 'DESC' } }))).toEqual(
        [...ALL_IDS].reverse(),
      );
    });
  });

  describe('paging', () => {
    async function walk(variables: Record<string, unknown>, first: number) {
      const pages: DealConnection[] = [];
      let after: string | null = null;
      while (pages.length < 20) {
        const page = await deals({ ...variables, first, after });
        pages.push(page);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      return pages;
    }

    it('walks every deal exactly once, in order, whatever the order', async () => {
      for (const orderBy of [
        undefined,
        { field: 'AMOUNT_USD', direction: 'ASC' },
        { field: 'ID', direction: 'DESC' },
      ]) {
        const pages = await walk({ orderBy }, 5);
        expect(pages.map((p) => p.edges.length)).toEqual([5, 5, 3]);
        expect(pages.map((p) => p.totalCount)).toEqual([13, 13, 13]);
        expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
        expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
        for (const page of pages) expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
        const walked = pages.flatMap(ids);
        expect([...walked].sort()).toEqual(ALL_IDS);
        expect(walked).toEqual(ids(await deals({ orderBy })));
      }
    });

    it('pages a filtered list, counting only what matches', async () => {
      const pages = await walk({ where: { companyId: 'coreweave' } }, 3);
      expect(pages.map((p) => p.totalCount)).toEqual([4, 4]);
      expect(pages.flatMap(ids).sort()).toEqual(await idsWhere({ companyId: 'coreweave' }));
    });

    it('answers an empty page after the last item', async () => {
      const all = await deals();
      const after = await deals({ after: all.pageInfo.endCursor });
      expect(after.edges).toEqual([]);
      expect(after.totalCount).toBe(13);
      expect(after.pageInfo).toMatchObject({ hasNextPage: false, endCursor: null });
    });

    it('refuses more than 100 per page, and cursors it did not issue', async () => {
      failed(await t.gql(DEALS, { first: 101 }), 'BAD_USER_INPUT', /first.*100/);
      for (const after of [
        'garbage',
        Buffer.from('o:-1').toString('base64url'),
        Buffer.from('offset 3').toString('base64url'),
      ]) {
        failed(await t.gql(DEALS, { after }), 'BAD_USER_INPUT', /after/);
      }
    });
  });
});
