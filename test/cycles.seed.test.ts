import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeed } from '../src/importer/seed.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  // What is checked is which cycles come back: a time limit far above the default, since a long
  // search planned cold on a busy machine (maxLength 8) can take seconds (QUERY_TIMEOUT at load 8).
  t = await startTestServer({
    adminToken: ADMIN_TOKEN,
    cycleLimits: { timeoutMs: 180_000, resultCap: 5_000 },
  });
  await t.load(readSeed());
});
afterAll(() => t.close());

interface Cycle {
  id: string;
  length: number;
  companies: { id: string }[];
  steps: {
    from: { id: string };
    to: { id: string };
    deals: { id: string; __typename: string }[];
  }[];
}

async function cycles(where: Record<string, unknown> = {}): Promise<Cycle[]> {
  const res = await t.gql<{ circularDeals: { totalCount: number; edges: { node: Cycle }[] } }>(
    `query($where: CycleFilter) {
      circularDeals(where: $where, first: 100) {
        totalCount
        edges { node { id length companies { id } steps { from { id } to { id } deals { id __typename } } } }
      }
    }`,
    { where },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.circularDeals.edges.map((e) => e.node);
}

describe('circular deals in the seed dataset', () => {
  it('finds the circles the fact sheet names, each once, rolled up to parents', async () => {
    const ids = (await cycles({ maxLength: 4 })).map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'amazon>anthropic', // Amazon -> Anthropic -> AWS (Amazon)
        'alphabet>anthropic', // Google -> Anthropic -> Google Cloud
        'microsoft>openai', // Microsoft -> OpenAI -> Azure
        'anthropic>microsoft', // Microsoft -> Anthropic -> Azure
        'nvidia>openai', // Nvidia -> OpenAI -> Nvidia (hardware)
        'anthropic>nvidia', // Nvidia -> Anthropic -> Nvidia
        'amd>openai', // AMD -> OpenAI (warrant) -> AMD
      ]),
    );
    // Nvidia -> OpenAI -> Oracle -> Nvidia, started at its smallest id.
    expect(ids).toContain('nvidia>openai>oracle');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('does not report Nvidia -> CoreWeave as a circle: money flows one way only', async () => {
    const ids = (await cycles({ maxLength: 8, mix: 'ANY' })).map((c) => c.id);
    expect(
      ids.filter((id) => id.split('>').includes('coreweave') && id.split('>').length === 2),
    ).toEqual([]);
  });

  it('backs each step with the deals that flow that way, subsidiaries rolled up', async () => {
    const [amazon] = await cycles({ through: ['amazon-web-services', 'anthropic'], maxLength: 2 });
    expect(amazon?.id).toBe('amazon>anthropic');
    const [out, back] = amazon!.steps;
    expect(out!.from.id).toBe('amazon');
    expect(out!.to.id).toBe('anthropic');
    expect(out!.deals.map((d) => d.__typename)).toEqual(expect.arrayContaining(['Investment']));
    expect(back!.from.id).toBe('anthropic');
    expect(back!.to.id).toBe('amazon');
    expect(back!.deals.map((d) => d.id)).toContain('anthropic-aws-2026-04');
  });
});

/** The step of `cycle` from one company to another. */
function stepOf(cycle: Cycle | undefined, from: string, to: string) {
  const found = cycle?.steps.find((s) => s.from.id === from && s.to.id === to);
  expect(found, `${cycle?.id}: ${from} -> ${to}`).toBeDefined();
  return found!.deals.map((d) => d.id);
}

describe('circular deals of 2025-2026 (data/seed.json, the addendum)', () => {
  it('finds Amazon <-> OpenAI: the $50B investment and the AWS contract grown to $100B', async () => {
    const [cycle] = await cycles({ through: ['openai', 'amazon'], maxLength: 2 });
    expect(cycle?.id).toBe('amazon>openai');
    expect(stepOf(cycle, 'amazon', 'openai')).toEqual(
      expect.arrayContaining(['amazon-openai-2026-02', 'amazon-openai-2026-02-contingent']),
    );
    expect(stepOf(cycle, 'openai', 'amazon')).toEqual(
      expect.arrayContaining(['openai-aws-2025-11', 'openai-aws-2026-02']),
    );
  });

  it('finds Alphabet <-> Anthropic with the 2023-2026 investments and the new commitments', async () => {
    const [cycle] = await cycles({ through: ['google-cloud', 'anthropic'], maxLength: 2 });
    expect(cycle?.id).toBe('alphabet>anthropic');
    expect(stepOf(cycle, 'alphabet', 'anthropic').sort()).toEqual([
      'alphabet-anthropic-2023-10',
      'alphabet-anthropic-2025-01',
      'alphabet-anthropic-2026-04',
      'alphabet-anthropic-2026-04-contingent',
    ]);
    expect(stepOf(cycle, 'anthropic', 'alphabet').sort()).toEqual([
      'anthropic-google-cloud-2025-10',
      'anthropic-google-cloud-2026-04',
      'anthropic-google-cloud-2026-05',
    ]);
  });

  it("finds AMD <-> Meta: the warrant for Meta and Meta's up-to-6 GW GPU agreement", async () => {
    const [cycle] = await cycles({ through: ['amd', 'meta'], maxLength: 2 });
    expect(cycle?.id).toBe('amd>meta');
    expect(stepOf(cycle, 'amd', 'meta')).toEqual(['amd-meta-2026-02']);
    expect(stepOf(cycle, 'meta', 'amd')).toEqual(['meta-amd-2026-02']);
  });

  it('closes no circle with Poolside -> CoreWeave, which fell through, unless asked for cancelled deals', async () => {
    const count = async (where: Record<string, unknown>): Promise<number> => {
      const res = await t.gql<{ company: { cycles: { totalCount: number } } }>(
        `query($where: CycleFilter) { company(id: "poolside") { cycles(where: $where) { totalCount } } }`,
        { where },
      );
      expect(res.errors).toBeUndefined();
      return res.data!.company.cycles.totalCount;
    };
    expect(await count({ mix: 'ANY', maxLength: 6 })).toBe(0);
    expect(await cycles({ through: ['poolside'], mix: 'ANY', maxLength: 6 })).toEqual([]);
    const asked = await cycles({
      through: ['poolside'],
      mix: 'ANY',
      deals: { statuses: ['CANCELLED'] },
    });
    // A filtered cycle's id may carry the filter (`@<hash>`); its companies are the same.
    expect(asked.map((c) => c.id.split('@')[0])).toEqual(['coreweave>poolside']);
    expect(asked[0]!.steps.flatMap((s) => s.deals.map((d) => d.id)).sort()).toEqual([
      'coreweave-poolside-2025-10',
      'poolside-coreweave-2025-10',
    ]);
  });
});
