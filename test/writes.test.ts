/**
 * Writes that never lose data silently: partial company updates, versions with `ifVersion`, and
 * deletes with clear rules.
 */
import { beforeEach, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { company, commitment, dataset, investment } from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';

/**
 *   Amazon ── AWS (subsidiary)
 *   Amazon ==I1 4e9==> Anthropic ==C1 100e9==> AWS      (a cycle amazon>anthropic)
 *   Lonely has no deals.
 */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon', { country: 'US' }),
    company('aws', 'Amazon Web Services', {
      parentId: 'amazon',
      aliases: ['AWS'],
      country: 'US',
      website: 'https://aws.amazon.com',
    }),
    company('anthropic', 'Anthropic'),
    company('lonely', 'Lonely'),
  ],
  investments: [investment('i1', 'amazon', 'anthropic', { amountUsd: 4e9 })],
  commitments: [commitment('c1', 'anthropic', 'aws', { amountUsd: 100e9 })],
});

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
beforeEach(() => t.load(GRAPH));
afterAll(() => t?.close());

interface CompanyData {
  id: string;
  name: string;
  version: number;
  aliases: string[];
  country: string | null;
  website: string | null;
  parent: { id: string } | null;
}
const COMPANY_FIELDS = 'id name version aliases country website parent { id }';

async function upsert(input: Record<string, unknown>) {
  return t.gql<{ upsertCompany: CompanyData | null }>(
    `mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { ${COMPANY_FIELDS} } }`,
    { input },
  );
}

async function read(id: string): Promise<CompanyData | null> {
  const res = await t.gql<{ company: CompanyData | null }>(
    `query($id: ID!) { company(id: $id) { ${COMPANY_FIELDS} } }`,
    { id },
  );
  return res.data!.company;
}

async function cycleKeys(): Promise<string[]> {
  const res = await t.gql<{ circularDeals: { edges: { node: { key: string } }[] } }>(
    '{ circularDeals { edges { node { key } } } }',
  );
  return res.data!.circularDeals.edges.map((e) => e.node.key);
}

describe('upsertCompany changes only the fields given', () => {
  it('renaming AWS without parentId keeps it under Amazon, and its deals count as Amazon’s', async () => {
    const res = await upsert({ id: 'aws', name: 'AWS' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.upsertCompany).toEqual({
      id: 'aws',
      name: 'AWS',
      version: 2,
      aliases: ['AWS'],
      country: 'US',
      website: 'https://aws.amazon.com',
      parent: { id: 'amazon' },
    });
    expect(await cycleKeys()).toEqual(['amazon>anthropic']);
  });

  it('an explicit null clears a field; parentId: null detaches', async () => {
    const res = await upsert({ id: 'aws', website: null, aliases: null, parentId: null });
    expect(res.data!.upsertCompany).toMatchObject({
      name: 'Amazon Web Services',
      aliases: [],
      country: 'US',
      website: null,
      parent: null,
    });
    // Detached, AWS is its own top-level company: no money comes back to Amazon.
    expect(await cycleKeys()).toEqual([]);
  });

  it('needs a name to create a company, and never clears one', async () => {
    const created = await upsert({ id: 'mistral' });
    expect(created.data).toEqual({ upsertCompany: null });
    expect(created.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(created.errors![0]!.message).toMatch(/name/);
    expect(await read('mistral')).toBeNull();
    const cleared = await upsert({ id: 'aws', name: null });
    expect(cleared.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await read('aws'))!.name).toBe('Amazon Web Services');
  });

  it('checks the merged company: an unknown parent or a parent cycle changes nothing', async () => {
    expect((await upsert({ id: 'aws', parentId: 'nope' })).errors![0]!.message).toMatch(/nope/);
    expect((await upsert({ id: 'amazon', parentId: 'aws' })).errors![0]!.message).toMatch(
      /own ancestor/,
    );
    expect(await read('aws')).toMatchObject({ version: 1, parent: { id: 'amazon' } });
    expect(await read('amazon')).toMatchObject({ version: 1, parent: null });
  });
});

describe('versions refuse stale writes with CONFLICT', () => {
  it('counts changes only: the same input twice leaves the version alone', async () => {
    expect((await upsert({ id: 'lonely', country: 'FR' })).data!.upsertCompany!.version).toBe(2);
    expect((await upsert({ id: 'lonely', country: 'FR' })).data!.upsertCompany!.version).toBe(2);
    expect((await upsert({ id: 'lonely', name: 'Lonely' })).data!.upsertCompany!.version).toBe(2);
    expect((await upsert({ id: 'lonely', country: 'DE' })).data!.upsertCompany!.version).toBe(3);
  });

  it('two editors who read the same version: the second is refused, and nothing is lost', async () => {
    const seen = (await read('aws'))!.version;
    const first = await upsert({ id: 'aws', name: 'AWS', ifVersion: seen });
    expect(first.data!.upsertCompany!.version).toBe(seen + 1);
    const second = await upsert({ id: 'aws', country: 'IE', ifVersion: seen });
    expect(second.data).toEqual({ upsertCompany: null });
    expect(second.errors![0]!.extensions).toMatchObject({
      code: 'CONFLICT',
      currentVersion: seen + 1,
      ifVersion: seen,
    });
    expect(await read('aws')).toMatchObject({ name: 'AWS', country: 'US', version: seen + 1 });
  });

  it('ifVersion 0 creates only what does not exist yet', async () => {
    expect((await upsert({ id: 'mistral', name: 'Mistral', ifVersion: 0 })).data).toEqual({
      upsertCompany: expect.objectContaining({ id: 'mistral', version: 1 }),
    });
    const again = await upsert({ id: 'mistral', name: 'Mistral AI', ifVersion: 0 });
    expect(again.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
  });

  it('deals carry versions too', async () => {
    const RECORD = `mutation($input: RecordInvestmentInput!) {
      recordInvestment(input: $input) { id version amountUsd }
    }`;
    const input = {
      id: 'i1',
      investorId: 'amazon',
      investeeId: 'anthropic',
      amountUsd: 4e9,
      status: 'ANNOUNCED',
      sources: [{ publisher: 'Reuters' }],
    };
    const same = await t.gql<{ recordInvestment: { version: number } }>(RECORD, { input });
    expect(same.data!.recordInvestment).toEqual({ id: 'i1', version: 1, amountUsd: 4e9 });
    const changed = await t.gql(RECORD, { input: { ...input, amountUsd: 5e9, ifVersion: 1 } });
    expect(changed.data).toEqual({ recordInvestment: { id: 'i1', version: 2, amountUsd: 5e9 } });
    const stale = await t.gql(RECORD, { input: { ...input, amountUsd: 6e9, ifVersion: 1 } });
    expect(stale.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    const res = await t.gql<{ deal: { version: number; amountUsd: number } }>(
      '{ deal(id: "i1") { version amountUsd } }',
    );
    expect(res.data!.deal).toEqual({ version: 2, amountUsd: 5e9 });
    const staleDelete = await t.gql('mutation { deleteDeal(id: "i1", ifVersion: 1) { dealId } }');
    expect(staleDelete.errors![0]!.extensions?.code).toBe('CONFLICT');
  });
});

describe('deletes', () => {
  it('deleteDeal says which deal it deleted, so a client can evict it', async () => {
    const res = await t.gql('mutation { deleteDeal(id: "c1") { dealId type typeName } }');
    expect(res.data).toEqual({
      deleteDeal: { dealId: 'c1', type: 'COMMITMENT', typeName: 'CloudCommitment' },
    });
    expect(await cycleKeys()).toEqual([]);
    const again = await t.gql('mutation { deleteDeal(id: "c1") { dealId } }');
    expect(again.errors![0]!.extensions?.code).toBe('NOT_FOUND');
  });

  const DELETE = `mutation($id: ID!, $cascade: Boolean) {
    deleteCompany(id: $id, cascade: $cascade) {
      companyId deletedCompanyIds deletedDeals { dealId type typeName }
    }
  }`;

  it('refuses to delete a company that deals or subsidiaries reference, naming them', async () => {
    const res = await t.gql(DELETE, { id: 'amazon' });
    expect(res.data).toEqual({ deleteCompany: null });
    expect(res.errors![0]!.extensions).toMatchObject({
      code: 'COMPANY_IN_USE',
      dealIds: ['c1', 'i1'],
      subsidiaryIds: ['aws'],
    });
    expect(await read('amazon')).not.toBeNull();
    expect(await cycleKeys()).toEqual(['amazon>anthropic']);
  });

  it('deletes a company nothing references', async () => {
    expect((await t.gql(DELETE, { id: 'lonely' })).data).toEqual({
      deleteCompany: { companyId: 'lonely', deletedCompanyIds: ['lonely'], deletedDeals: [] },
    });
    expect(await read('lonely')).toBeNull();
    const again = await t.gql(DELETE, { id: 'lonely' });
    expect(again.errors![0]!.extensions?.code).toBe('NOT_FOUND');
  });

  it('with cascade deletes the subsidiaries and every deal of the tree, and reports them', async () => {
    const res = await t.gql<{
      deleteCompany: { deletedCompanyIds: string[]; deletedDeals: unknown[] };
    }>(DELETE, { id: 'amazon', cascade: true });
    expect(res.errors).toBeUndefined();
    expect(res.data!.deleteCompany.deletedCompanyIds.sort()).toEqual(['amazon', 'aws']);
    expect(res.data!.deleteCompany.deletedDeals).toEqual([
      { dealId: 'c1', type: 'COMMITMENT', typeName: 'CloudCommitment' },
      { dealId: 'i1', type: 'INVESTMENT', typeName: 'Investment' },
    ]);
    expect(await read('aws')).toBeNull();
    expect(await read('anthropic')).toMatchObject({ name: 'Anthropic' });
    expect(await cycleKeys()).toEqual([]);
    // Nothing dangles: no deal, source or flow is left without its companies.
    expect(
      await t.cypher(`
        MATCH (n) WHERE n:Deal OR n:Source OR (n:Company AND n.id IN ['amazon', 'aws'])
        RETURN count(n) AS left`),
    ).toEqual([{ left: 0 }]);
    expect(await t.cypher('MATCH ()-[f:FLOWS_TO]->() RETURN count(f) AS flows')).toEqual([
      { flows: 0 },
    ]);
  });
});
