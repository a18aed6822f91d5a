/** The writes live-event tests make, as mutations over HTTP with the admin token. */
import { expect } from 'vitest';
import type { TestServer } from './harness.js';

const SOURCE = [{ publisher: 'Test Wire', url: 'https://example.com/a' }];

export interface LiveWrites {
  company(id: string, parentId?: string): Promise<void>;
  invest(
    id: string,
    from: string,
    to: string,
    amountUsd: number | null,
    on?: string,
  ): Promise<void>;
  commit(
    id: string,
    from: string,
    to: string,
    amountUsd: number | null,
    on?: string,
  ): Promise<void>;
  deleteDeal(id: string): Promise<void>;
}

export function liveWrites(t: TestServer): LiveWrites {
  const ok = async (query: string, variables: Record<string, unknown>): Promise<void> => {
    expect((await t.gql(query, variables)).errors).toBeUndefined();
  };
  return {
    company: (id, parentId) =>
      ok(`mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { id } }`, {
        input: { id, name: id, ...(parentId ? { parentId } : {}) },
      }),
    invest: (id, from, to, amountUsd, announcedOn) =>
      ok(`mutation($input: RecordInvestmentInput!) { recordInvestment(input: $input) { id } }`, {
        input: {
          id,
          investorId: from,
          investeeId: to,
          amountUsd,
          announcedOn,
          status: 'ANNOUNCED',
          sources: SOURCE,
        },
      }),
    commit: (id, from, to, amountUsd, announcedOn) =>
      ok(`mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id } }`, {
        input: {
          id,
          customerId: from,
          providerId: to,
          kind: 'CLOUD',
          amountUsd,
          announcedOn,
          status: 'ANNOUNCED',
          sources: SOURCE,
        },
      }),
    deleteDeal: (id) => ok(`mutation($id: ID!) { deleteDeal(id: $id) { dealId } }`, { id }),
  };
}
