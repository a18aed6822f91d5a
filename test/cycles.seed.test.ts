import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeed } from '../src/importer/seed.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
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
    const [amazon] = await cycles({ through: ['amazon-web-services'], maxLength: 2 });
    expect(amazon?.id).toBe('amazon>anthropic');
    const [out, back] = amazon!.steps;
    expect(out!.from.id).toBe('amazon');
    expect(out!.to.id).toBe('anthropic');
    expect(out!.deals.map((d) => d.__typename)).toEqual(expect.arrayContaining(['Investment']));
    expect(back!.from.id).toBe('anthropic');
    expect(back!.to.id).toBe('amazon');
    expect(back!.deals.map((d) => d.id)).toContain('anthropic-aws-seed-article');
  });
});
