import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeed } from '../src/importer/seed.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(readSeed());
});
afterAll(() => t.close());

describe('the seed graph over HTTP', () => {
  it("shows Amazon's $5B investment in Anthropic and Anthropic's $100B AWS commitment", async () => {
    const res = await t.gql<{
      company: {
        investmentsReceived: {
          edges: { node: { investor: { id: string }; amountUsd: number | null } }[];
        };
        commitmentsMade: {
          edges: { node: { provider: { id: string }; amountUsd: number | null } }[];
        };
      };
    }>(`{
      company(id: "anthropic") {
        investmentsReceived(first: 20) { edges { node { investor { id } amountUsd } } }
        commitmentsMade(first: 20) { edges { node { provider { id } amountUsd } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const investments = res.data!.company.investmentsReceived.edges.map((e) => e.node);
    const commitments = res.data!.company.commitmentsMade.edges.map((e) => e.node);
    expect(investments).toContainEqual({ investor: { id: 'amazon' }, amountUsd: 5e9 });
    expect(commitments).toContainEqual({
      provider: { id: 'amazon-web-services' },
      amountUsd: 100e9,
    });
  });
});
