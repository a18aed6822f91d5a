/**
 * The cycle and money-path API on a small graph drawn here:
 *
 *   inv   alpha ---------------> lab          (alpha owns alpha-cloud)
 *   com   lab   ---------------> alpha-cloud  => alpha -> lab -> alpha
 *   inv   chips ---------------> lab
 *   com   lab   ---------------> neo          neo buys chips:
 *   com   neo   ---------------> chips        => chips -> lab -> neo -> chips
 *   inv   alpha ---------------> alpha-cloud  internal: never part of a flow
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

const source = [{ publisher: 'Test' }];
const GRAPH = {
  formatVersion: 1,
  companies: [
    { id: 'alpha', name: 'Alpha' },
    { id: 'alpha-cloud', name: 'Alpha Cloud', parentId: 'alpha' },
    { id: 'lab', name: 'Lab' },
    { id: 'chips', name: 'Chips' },
    { id: 'neo', name: 'Neo Cloud' },
  ],
  investments: [
    {
      id: 'i-alpha-lab',
      investorId: 'alpha',
      investeeId: 'lab',
      amountUsd: 4e9,
      announcedOn: '2024-01',
      status: 'COMPLETED',
      sources: source,
    },
    {
      id: 'i-chips-lab',
      investorId: 'chips',
      investeeId: 'lab',
      amountUsd: 1e9,
      announcedOn: '2024-06-10',
      status: 'ANNOUNCED',
      sources: source,
    },
    {
      id: 'i-internal',
      investorId: 'alpha',
      investeeId: 'alpha-cloud',
      amountUsd: 9e9,
      announcedOn: '2024-02',
      status: 'COMPLETED',
      sources: source,
    },
  ],
  commitments: [
    {
      id: 'c-lab-cloud',
      customerId: 'lab',
      providerId: 'alpha-cloud',
      kind: 'CLOUD',
      amountUsd: 2e10,
      announcedOn: '2024-03',
      status: 'ANNOUNCED',
      sources: source,
    },
    {
      id: 'c-lab-neo',
      customerId: 'lab',
      providerId: 'neo',
      kind: 'CAPACITY',
      amountUsd: 5e8,
      announcedOn: '2024-07',
      status: 'ANNOUNCED',
      sources: source,
    },
    {
      id: 'c-neo-chips',
      customerId: 'neo',
      providerId: 'chips',
      kind: 'HARDWARE',
      amountUsd: null,
      quantity: { value: 1, unit: 'GW' },
      announcedOn: '2024-09',
      status: 'LETTER_OF_INTENT',
      sources: source,
    },
  ],
};

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(GRAPH);
});
afterAll(() => t.close());

const CYCLES = `query($where: CycleFilter, $orderBy: CycleOrder) {
  circularDeals(where: $where, orderBy: $orderBy, first: 10) {
    totalCount
    edges { node {
      id key length companies { id } investedUsd committedUsd roundTripRatio bottleneckUsd
      investedUnknownCount committedUnknownCount roundTripRatioIsLowerBound bottleneckIsLowerBound
      firstDate lastDate timeRespecting
      steps { from { id } to { id } amountUsd unknownAmountCount deals { id } }
    } }
  }
}`;

async function cycles(where: Record<string, unknown> = {}, orderBy?: Record<string, unknown>) {
  const res = await t.gql<{
    circularDeals: {
      totalCount: number;
      edges: { node: Record<string, unknown> & { id: string; key: string } }[];
    };
  }>(CYCLES, { where, orderBy });
  expect(res.errors).toBeUndefined();
  return res.data!.circularDeals;
}

describe('circularDeals', () => {
  it('reports each cycle once with its figures', async () => {
    const result = await cycles();
    expect(result.totalCount).toBe(2);
    const alpha = result.edges.find((e) => e.node.key === 'alpha>lab')!.node;
    expect(alpha).toMatchObject({
      length: 2,
      companies: [{ id: 'alpha' }, { id: 'lab' }],
      investedUsd: 4e9,
      committedUsd: 2e10,
      investedUnknownCount: 0,
      committedUnknownCount: 0,
      roundTripRatio: 5,
      roundTripRatioIsLowerBound: false,
      bottleneckUsd: 4e9,
      bottleneckIsLowerBound: false,
      firstDate: '2024-01',
      lastDate: '2024-03',
      timeRespecting: true,
      steps: [
        {
          from: { id: 'alpha' },
          to: { id: 'lab' },
          amountUsd: 4e9,
          unknownAmountCount: 0,
          deals: [{ id: 'i-alpha-lab' }],
        },
        {
          from: { id: 'lab' },
          to: { id: 'alpha' },
          amountUsd: 2e10,
          unknownAmountCount: 0,
          deals: [{ id: 'c-lab-cloud' }],
        },
      ],
    });
    const chips = result.edges.find((e) => e.node.key === 'chips>lab>neo')!.node;
    expect(chips).toMatchObject({
      length: 3,
      bottleneckUsd: null,
      bottleneckIsLowerBound: false,
      // 0.5 from the known commitment; the 1 GW one back to chips may add to it.
      committedUsd: 5e8,
      committedUnknownCount: 1,
      roundTripRatio: 0.5,
      roundTripRatioIsLowerBound: true,
      timeRespecting: true,
    });
  });

  it('orders by total amount, largest first, by default; by length on request', async () => {
    expect((await cycles()).edges.map((e) => e.node.key)).toEqual(['alpha>lab', 'chips>lab>neo']);
    expect(
      (await cycles({}, { field: 'LENGTH', direction: 'DESC' })).edges.map((e) => e.node.key),
    ).toEqual(['chips>lab>neo', 'alpha>lab']);
  });

  it('applies deal filters per step: a minimum amount drops the step whose amount is unknown', async () => {
    expect((await cycles({ deals: { minAmountUsd: 4e8 } })).edges.map((e) => e.node.key)).toEqual([
      'alpha>lab',
    ]);
    const withUnknown = await cycles({ deals: { minAmountUsd: 4e8, includeUnknownAmounts: true } });
    expect(withUnknown.totalCount).toBe(2);
    // Its figures depend on the filter, and so does its id (a cache identity per filter).
    const ids = withUnknown.edges.map((e) => e.node.id);
    expect(ids).toEqual([
      expect.stringMatching(/^alpha>lab@[0-9a-f]{12}$/),
      expect.stringMatching(/^chips>lab>neo@[0-9a-f]{12}$/),
    ]);
  });

  it('honours maxLength, through (a subsidiary counts as its parent), statuses and the date window', async () => {
    expect((await cycles({ maxLength: 2 })).edges.map((e) => e.node.key)).toEqual(['alpha>lab']);
    expect((await cycles({ through: ['alpha-cloud'] })).edges.map((e) => e.node.key)).toEqual([
      'alpha>lab',
    ]);
    expect((await cycles({ through: ['neo', 'chips'] })).edges.map((e) => e.node.key)).toEqual([
      'chips>lab>neo',
    ]);
    expect((await cycles({ deals: { statuses: ['COMPLETED', 'ANNOUNCED'] } })).totalCount).toBe(1);
    expect((await cycles({ deals: { from: '2024-02', to: '2024-12' } })).totalCount).toBe(1);
  });

  it('keeps only time-respecting cycles when asked, optionally within a span', async () => {
    expect((await cycles({ timeRespecting: true })).totalCount).toBe(2);
    // A month is the whole month: alpha's 2024-01 -> 2024-03 spans up to 90 days (Jan 1 to
    // Mar 31); chips' 2024-06-10 -> 2024-09 up to 112 (Jun 10 to Sep 30).
    const spanned = async (maxSpanDays: number) =>
      (await cycles({ timeRespecting: true, maxSpanDays })).edges.map((e) => e.node.key);
    expect(await spanned(90)).toEqual(['alpha>lab']);
    expect(await spanned(89)).toEqual([]);
    expect((await spanned(112)).length).toBe(2);
  });

  it('with mix ANY also reports cycles without an investment', async () => {
    await t.gql(
      `mutation { recordCommitment(input: { id: "c-chips-neo", customerId: "chips", providerId: "neo", kind: CAPACITY, status: ANNOUNCED, sources: [{ publisher: "Test" }] }) { id } }`,
    );
    try {
      expect((await cycles()).edges.map((e) => e.node.key)).not.toContain('chips>neo');
      expect((await cycles({ mix: 'ANY' })).edges.map((e) => e.node.key)).toContain('chips>neo');
    } finally {
      await t.gql(`mutation { deleteDeal(id: "c-chips-neo") { dealId } }`);
    }
  });

  it('Company.cycles lists the cycles through that company, subsidiaries rolled up', async () => {
    const res = await t.gql<{
      company: { cycles: { totalCount: number; edges: { node: { key: string } }[] } };
    }>(`{ company(id: "alpha-cloud") { cycles { totalCount edges { node { key } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.company.cycles.edges.map((e) => e.node.key)).toEqual(['alpha>lab']);
  });

  it('refuses lengths past the hard cap and unknown companies, with BAD_USER_INPUT', async () => {
    for (const where of [
      { maxLength: 9 },
      { maxLength: 1 },
      { minLength: 4, maxLength: 3 },
      { through: ['nobody'] },
      { maxSpanDays: 10 },
    ]) {
      const res = await t.gql(CYCLES, { where });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(where)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('flows stay in step with writes', () => {
  it('moving a company under another parent re-rolls its deals, and back', async () => {
    // lab becomes a subsidiary of alpha: alpha -> lab is now internal, the alpha cycle is gone.
    // (parentId: null detaches it again; left out, the parent would stay.)
    const move = (parentId: string | null) =>
      t.gql(`mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { id } }`, {
        input: { id: 'lab', name: 'Lab', parentId },
      });
    expect((await move('alpha')).errors).toBeUndefined();
    try {
      const ids = (await cycles({ mix: 'ANY', maxLength: 4 })).edges.map((e) => e.node.key);
      expect(ids).not.toContain('alpha>lab');
      // chips -> lab -> neo -> chips is now chips -> alpha -> neo -> chips, from its smallest id.
      expect(ids).toContain('alpha>neo>chips');
    } finally {
      expect((await move(null)).errors).toBeUndefined();
    }
    expect((await cycles()).edges.map((e) => e.node.key)).toEqual(['alpha>lab', 'chips>lab>neo']);
  });

  it('FLOWS_TO after writes equals a rebuild from scratch', async () => {
    const snapshot = () =>
      t.cypher(
        `MATCH (a)-[f:FLOWS_TO]->(b) RETURN a.id AS a, b.id AS b, f.dealIds AS deals ORDER BY a, b`,
      );
    await t.gql(
      `mutation { recordInvestment(input: { id: "i-neo-lab", investorId: "neo", investeeId: "lab", status: ANNOUNCED, sources: [{ publisher: "Test" }] }) { id } }`,
    );
    await t.gql(`mutation { deleteDeal(id: "i-chips-lab") { dealId } }`);
    const maintained = await snapshot();
    await t.stores.flows.rebuildAll();
    expect(await snapshot()).toEqual(maintained);
    expect(maintained).toContainEqual({ a: 'neo', b: 'lab', deals: ['i-neo-lab'] });
    expect(maintained.find((f) => f.a === 'chips' && f.b === 'lab')).toBeUndefined();
    await t.load(GRAPH);
  });
});

describe('moneyPaths', () => {
  const PATHS = `query($from: ID!, $to: ID!, $maxLength: Int, $where: MoneyPathFilter) {
    moneyPaths(from: $from, to: $to, maxLength: $maxLength, where: $where) {
      totalCount edges { node { id key length companies { id } totalUsd bottleneckUsd timeRespecting steps { deals { id } } } }
    }
  }`;

  it('finds the chains along which money flows from one company to another', async () => {
    const res = await t.gql<{
      moneyPaths: { totalCount: number; edges: { node: Record<string, unknown> }[] };
    }>(PATHS, { from: 'chips', to: 'alpha-cloud' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.moneyPaths.edges.map((e) => e.node)).toEqual([
      {
        id: 'path:chips>lab>alpha',
        key: 'chips>lab>alpha',
        length: 2,
        companies: [{ id: 'chips' }, { id: 'lab' }, { id: 'alpha' }],
        totalUsd: 2.1e10,
        bottleneckUsd: 1e9,
        timeRespecting: false, // 2024-06-10 then 2024-03: the money came back before it went out
        steps: [{ deals: [{ id: 'i-chips-lab' }] }, { deals: [{ id: 'c-lab-cloud' }] }],
      },
    ]);
  });

  it('respects maxLength and time-respecting filters', async () => {
    const short = await t.gql<{ moneyPaths: { totalCount: number } }>(PATHS, {
      from: 'alpha',
      to: 'chips',
      maxLength: 2,
    });
    expect(short.data!.moneyPaths.totalCount).toBe(0);
    const long = await t.gql<{ moneyPaths: { totalCount: number } }>(PATHS, {
      from: 'alpha',
      to: 'chips',
      maxLength: 3,
    });
    expect(long.data!.moneyPaths.totalCount).toBe(1);
    const timed = await t.gql<{ moneyPaths: { totalCount: number } }>(PATHS, {
      from: 'chips',
      to: 'alpha',
      where: { timeRespecting: true },
    });
    expect(timed.data!.moneyPaths.totalCount).toBe(0);
  });

  it('refuses companies of one corporate tree and unknown companies', async () => {
    for (const vars of [
      { from: 'alpha', to: 'alpha-cloud' },
      { from: 'alpha', to: 'nobody' },
      { from: 'alpha', to: 'lab', maxLength: 9 },
    ]) {
      const res = await t.gql(PATHS, vars);
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(vars)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('limits of cycle queries', () => {
  // A complete graph of 9 companies where every pair deals both ways: cycles abound.
  const dense = () => {
    const ids = Array.from({ length: 9 }, (_, i) => `k${i}`);
    const commitments = ids.flatMap((a) =>
      ids
        .filter((b) => b !== a)
        .map((b) => ({
          id: `c-${a}-${b}`,
          customerId: a,
          providerId: b,
          kind: 'CLOUD',
          amountUsd: 1e9,
          status: 'ANNOUNCED',
          sources: source,
        })),
    );
    return {
      formatVersion: 1,
      companies: ids.map((id) => ({ id, name: id })),
      investments: [],
      commitments,
    };
  };

  it('ranks first pages past the result cap; answers RESULT_LIMIT_EXCEEDED, naming it, only for requests that need every cycle', async () => {
    const small = await startTestServer({ cycleLimits: { timeoutMs: 60_000, resultCap: 50 } });
    try {
      await small.load(dense());
      // 204 cycles: a first page (and the next) is ranked without listing them all.
      const PAGE = `query($where: CycleFilter, $orderBy: CycleOrder, $after: String) {
        circularDeals(where: $where, orderBy: $orderBy, first: 10, after: $after) {
          pageInfo { hasNextPage endCursor } edges { node { key } }
        }
      }`;
      const where = { mix: 'ANY', maxLength: 3 };
      const first = await small.gql<{
        circularDeals: {
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: { node: { key: string } }[];
        };
      }>(PAGE, { where, orderBy: { field: 'LENGTH', direction: 'DESC' } });
      expect(first.errors).toBeUndefined();
      const keys = first.data!.circularDeals.edges.map((e) => e.node.key);
      // Longest first, ties by id: k0>k1>k2, k0>k1>k3, ..., k0>k1>k8, k0>k2>k1, ...
      expect(keys.slice(0, 8)).toEqual(
        ['k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'].map((c) => `k0>k1>${c}`).concat('k0>k2>k1'),
      );
      expect(first.data!.circularDeals.pageInfo.hasNextPage).toBe(true);
      // From the end, the whole ordered list is needed: past the cap, the error says what works.
      const res = await small.gql(
        `query($where: CycleFilter) { circularDeals(where: $where, last: 5) { edges { node { key } } } }`,
        { where },
      );
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'RESULT_LIMIT_EXCEEDED', max: 50 });
      expect(res.errors?.[0]?.message).toMatch(/50/);
      expect(res.errors?.[0]?.message).toMatch(/first/);
    } finally {
      await small.close();
    }
  });

  it('counts past the result cap when only totalCount is asked for', async () => {
    const small = await startTestServer({ cycleLimits: { timeoutMs: 60_000, resultCap: 50 } });
    try {
      await small.load(dense());
      const count = async (query: string, variables: Record<string, unknown>) => {
        const res = await small.gql<Record<string, { totalCount: number }>>(query, variables);
        expect(res.errors).toBeUndefined();
        return Object.values(res.data!)[0]!.totalCount;
      };
      const WHOLE = `query($where: CycleFilter) { circularDeals(where: $where) { totalCount } }`;
      // Directed cycles of k companies among 9 that all deal both ways: C(9, k) * (k - 1)!.
      expect(await count(WHOLE, { where: { mix: 'ANY', maxLength: 3 } })).toBe(36 + 168);
      expect(await count(WHOLE, { where: { mix: 'ANY', maxLength: 4 } })).toBe(36 + 168 + 756);
      expect(await count(WHOLE, { where: { mix: 'ANY', minLength: 3, maxLength: 3 } })).toBe(168);
      // Only commitments: no cycle has an investment, so none passes the default mix.
      expect(await count(WHOLE, { where: { maxLength: 4 } })).toBe(0);
      // Through k0: C(8, k - 1) * (k - 1)! cycles of k companies.
      const THROUGH = `query($where: CycleFilter) {
        company(id: "k0") { cycles(where: $where) { totalCount } }
      }`;
      const through = await small.gql<{ company: { cycles: { totalCount: number } } }>(THROUGH, {
        where: { mix: 'ANY', maxLength: 3 },
      });
      expect(through.errors).toBeUndefined();
      expect(through.data!.company.cycles.totalCount).toBe(8 + 56);
      // Listing them all (from the end) still meets the cap.
      const listed = await small.gql(
        `query($where: CycleFilter) { circularDeals(where: $where, last: 10) { edges { node { key } } } }`,
        { where: { mix: 'ANY', maxLength: 3 } },
      );
      expect(listed.errors?.[0]?.extensions).toMatchObject({ code: 'RESULT_LIMIT_EXCEEDED' });
    } finally {
      await small.close();
    }
  });

  it('answers QUERY_TIMEOUT past the time limit, without retrying', async () => {
    const quick = await startTestServer({ cycleLimits: { timeoutMs: 200, resultCap: 10_000_000 } });
    try {
      await quick.load(dense());
      const started = Date.now();
      const res = await quick.gql(CYCLES, { where: { mix: 'ANY', maxLength: 8 } });
      expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await quick.close();
      await t.load(GRAPH);
    }
  });
});
