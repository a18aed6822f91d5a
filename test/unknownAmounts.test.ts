/**
 * Unknown is never zero: a cycle or path whose deals include amounts nobody reported says how
 * many, and a ratio or bottleneck built on an unknown part is null or marked as a lower bound.
 *
 *   inv  chips -- $2B ------> lab
 *   com  lab   -- 10 GW ----> chips       (no dollar figure: the Nvidia -> OpenAI shape)
 *   inv  cloud -- $1B ------> lab
 *   com  lab   -- $3B ------> cloud
 *   com  lab   -- "tens of billions" --> cloud
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeed } from '../src/importer/seed.js';
import { startTestServer, type TestServer } from './support/harness.js';

const source = [{ publisher: 'Test Wire' }];
const GRAPH = {
  formatVersion: 1,
  companies: [
    { id: 'chips', name: 'Chips' },
    { id: 'cloud', name: 'Cloud' },
    { id: 'lab', name: 'Lab' },
  ],
  investments: [
    {
      id: 'i-chips-lab',
      investorId: 'chips',
      investeeId: 'lab',
      amountUsd: 2e9,
      status: 'COMPLETED',
      sources: source,
    },
    {
      id: 'i-cloud-lab',
      investorId: 'cloud',
      investeeId: 'lab',
      amountUsd: 1e9,
      status: 'COMPLETED',
      sources: source,
    },
  ],
  commitments: [
    {
      id: 'c-lab-chips',
      customerId: 'lab',
      providerId: 'chips',
      kind: 'HARDWARE',
      quantity: { value: 10, unit: 'GW' },
      status: 'LETTER_OF_INTENT',
      sources: source,
    },
    {
      id: 'c-lab-cloud',
      customerId: 'lab',
      providerId: 'cloud',
      kind: 'CLOUD',
      amountUsd: 3e9,
      status: 'ANNOUNCED',
      sources: source,
    },
    {
      id: 'c-lab-cloud-2',
      customerId: 'lab',
      providerId: 'cloud',
      kind: 'CLOUD',
      status: 'ANNOUNCED',
      sources: source,
    },
  ],
};

const FIGURES = `
  investedUsd investedUnknownCount committedUsd committedUnknownCount
  roundTripRatio roundTripRatioIsLowerBound bottleneckUsd bottleneckIsLowerBound
  steps { amountUsd unknownAmountCount deals { id amountUsd __typename } }`;

interface Figures {
  key: string;
  investedUsd: number;
  investedUnknownCount: number;
  committedUsd: number;
  committedUnknownCount: number;
  roundTripRatio: number | null;
  roundTripRatioIsLowerBound: boolean;
  bottleneckUsd: number | null;
  bottleneckIsLowerBound: boolean;
  steps: {
    amountUsd: number | null;
    unknownAmountCount: number;
    deals: { id: string; amountUsd: number | null; __typename: string }[];
  }[];
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function cycles(): Promise<Map<string, Figures>> {
  const res = await t.gql<{ circularDeals: { edges: { node: Figures }[] } }>(
    `{ circularDeals(first: 50) { edges { node { key ${FIGURES} } } } }`,
  );
  expect(res.errors).toBeUndefined();
  return new Map(res.data!.circularDeals!.edges.map((e) => [e.node.key, e.node]));
}

describe('unknown amounts in cycles and paths', () => {
  beforeAll(() => t.load(GRAPH));

  it('a commitment back of unknown amount gives no ratio, not a ratio of 0', async () => {
    const chips = (await cycles()).get('chips>lab')!;
    expect(chips).toMatchObject({
      investedUsd: 2e9,
      investedUnknownCount: 0,
      committedUsd: 0,
      committedUnknownCount: 1,
      roundTripRatio: null,
      roundTripRatioIsLowerBound: false,
      // The step back has no known amount at all: no bottleneck either.
      bottleneckUsd: null,
      bottleneckIsLowerBound: false,
    });
  });

  it('known and unknown commitments together make the ratio and bottleneck lower bounds', async () => {
    const cloud = (await cycles()).get('cloud>lab')!;
    expect(cloud).toMatchObject({
      investedUsd: 1e9,
      committedUsd: 3e9,
      committedUnknownCount: 1,
      roundTripRatio: 3,
      roundTripRatioIsLowerBound: true,
      bottleneckUsd: 1e9,
      bottleneckIsLowerBound: true,
    });
    expect(cloud.steps.map((s) => s.unknownAmountCount)).toEqual([0, 1]);
  });

  it('money paths count the amounts they could not include', async () => {
    const res = await t.gql<{
      moneyPaths: {
        edges: {
          node: {
            key: string;
            totalUsd: number;
            unknownAmountCount: number;
            bottleneckIsLowerBound: boolean;
          };
        }[];
      };
    }>(`{ moneyPaths(from: "lab", to: "cloud", maxLength: 1) {
      edges { node { key totalUsd unknownAmountCount bottleneckIsLowerBound } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.moneyPaths!.edges.map((e) => e.node)).toEqual([
      { key: 'lab>cloud', totalUsd: 3e9, unknownAmountCount: 1, bottleneckIsLowerBound: true },
    ]);
  });
});

describe('the seed: Nvidia -> OpenAI -> Nvidia', () => {
  beforeAll(() => t.load(readSeed()));

  it('reports the gigawatt commitment back as unknown, never as nothing coming back', async () => {
    const cycle = (await cycles()).get('nvidia>openai');
    expect(cycle).toBeDefined();
    const back = cycle!.steps[1]!;
    const unknownCommitments = back.deals.filter(
      (d) => d.__typename === 'CloudCommitment' && d.amountUsd === null,
    ).length;
    expect(unknownCommitments).toBeGreaterThan(0);
    expect(cycle!.committedUnknownCount).toBe(unknownCommitments);
    if (cycle!.committedUsd === 0) {
      // Nothing known comes back, but something does: the ratio is unknown, not 0.
      expect(cycle!.roundTripRatio).toBeNull();
    } else {
      expect(cycle!.roundTripRatioIsLowerBound).toBe(true);
    }
  });
});
