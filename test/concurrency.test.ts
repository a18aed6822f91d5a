/**
 * Writers racing over HTTP: ids stay unique, no relationship is doubled, every request succeeds
 * (the driver retries deadlocks), and what is left is what one of the requests wrote, whole.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { company, dataset, investment } from './fixtures/dataset.js';
import { duplicateIds, duplicateRelationships, graphSnapshot, ok } from './fixtures/graph.js';
import { startTestServer, type GraphQLResponse, type TestServer } from './support/harness.js';

/** Amazon ── AWS; Alphabet; Anthropic; OpenAI; one investment. */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon'),
    company('amazon-web-services', 'Amazon Web Services', { parentId: 'amazon' }),
    company('alphabet', 'Alphabet'),
    company('anthropic', 'Anthropic'),
    company('openai', 'OpenAI'),
  ],
  investments: [
    investment('amazon-anthropic-2023-09', 'amazon', 'anthropic', { amountUsd: 1.25e9 }),
  ],
});

const UPSERT_COMPANY = `mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { id } }`;
const RECORD_INVESTMENT = `mutation($input: RecordInvestmentInput!) { recordInvestment(input: $input) { id } }`;
const RECORD_COMMITMENT = `mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id } }`;

const WRITERS = 20;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
beforeEach(() => t.load(GRAPH));
afterAll(() => t.close());

/** Starts `n` requests at once and waits for all of them. */
function race(
  n: number,
  request: (i: number) => Promise<GraphQLResponse>,
): Promise<GraphQLResponse[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => request(i)));
}

async function expectNoDuplicates(): Promise<void> {
  expect(await duplicateIds(t)).toEqual([]);
  expect(await duplicateRelationships(t)).toEqual([]);
}

describe('parallel writers', () => {
  it('of one new company: one node, one parent, fields of one request', async () => {
    const responses = await race(WRITERS, (i) =>
      t.gql(UPSERT_COMPANY, {
        input: {
          id: 'mistral-ai',
          name: `Mistral AI ${i}`,
          parentId: i % 2 ? 'amazon' : 'alphabet',
        },
      }),
    );
    responses.forEach(ok);
    const stored = await t.cypher(`
      MATCH (c:Company {id: 'mistral-ai'})
      RETURN c.name AS name, [(c)-[:SUBSIDIARY_OF]->(p) | p.id] AS parents`);
    expect(stored).toHaveLength(1);
    const [{ name, parents }] = stored as [{ name: string; parents: string[] }];
    const i = Number(/(\d+)$/.exec(name)![1]);
    expect(parents).toEqual([i % 2 ? 'amazon' : 'alphabet']);
    await expectNoDuplicates();
  });

  it('of one new investment: one deal, one investor, one investee, sources of one request', async () => {
    const responses = await race(WRITERS, (i) =>
      t.gql(RECORD_INVESTMENT, {
        input: investment('anthropic-series-f', i % 2 ? 'amazon' : 'alphabet', 'anthropic', {
          amountUsd: (i + 1) * 1e9,
          sources: [{ publisher: `Publisher ${i % 3}` }, { publisher: 'Reuters' }],
        }),
      }),
    );
    responses.forEach(ok);
    const stored = await t.cypher(`
      MATCH (d:Deal {id: 'anthropic-series-f'})
      RETURN d.amountUsd AS amount,
             [(d)-[:FROM]->(c) | c.id] AS from,
             [(d)-[:TO]->(c) | c.id] AS to,
             [(d)-[:REPORTED_BY]->(s) | s.publisher] AS publishers`);
    expect(stored).toHaveLength(1);
    const [deal] = stored as [
      { amount: number; from: string[]; to: string[]; publishers: string[] },
    ];
    const i = deal.amount / 1e9 - 1;
    expect(deal.from).toEqual([i % 2 ? 'amazon' : 'alphabet']);
    expect(deal.to).toEqual(['anthropic']);
    expect(deal.publishers.sort()).toEqual([`Publisher ${i % 3}`, 'Reuters']);
    // Sources the other requests wrote and this one replaced are gone.
    expect(
      await t.cypher(`MATCH (s:Source) WHERE NOT (s)<-[:REPORTED_BY]-() RETURN s.publisher`),
    ).toEqual([]);
    await expectNoDuplicates();
  });

  it('of the same commitment: the graph one request alone would leave', async () => {
    const input = {
      id: 'openai-aws-2025-11',
      customerId: 'openai',
      providerId: 'amazon-web-services',
      kind: 'CLOUD',
      amountUsd: 38e9,
      status: 'ANNOUNCED',
      sources: [{ publisher: 'Amazon' }, { publisher: 'OpenAI', url: 'https://openai.com/' }],
    };
    (await race(WRITERS, () => t.gql(RECORD_COMMITMENT, { input }))).forEach(ok);
    const raced = await graphSnapshot(t);

    await t.load(GRAPH);
    ok(await t.gql(RECORD_COMMITMENT, { input }));
    expect(raced).toEqual(await graphSnapshot(t));
  });

  it('of many kinds at once: companies, deals and shared sources, each stored once', async () => {
    const shared = { publisher: 'The Information', title: 'AI deal roundup' };
    const writes: (() => Promise<GraphQLResponse>)[] = [
      // New companies, each under a parent written in the same race.
      ...Array.from(
        { length: 5 },
        (_, i) => () =>
          t.gql(UPSERT_COMPANY, {
            input: { id: `lab-${i}`, name: `Lab ${i}`, parentId: 'alphabet' },
          }),
      ),
      // The same existing company, again and again.
      ...Array.from(
        { length: 5 },
        () => () =>
          t.gql(UPSERT_COMPANY, { input: { id: 'openai', name: 'OpenAI', sectors: ['AI_LAB'] } }),
      ),
      // Distinct investments, all citing one new source.
      ...Array.from(
        { length: 5 },
        (_, i) => () =>
          t.gql(RECORD_INVESTMENT, {
            input: investment(`round-${i}`, 'amazon', i % 2 ? 'openai' : 'anthropic', {
              sources: [shared],
            }),
          }),
      ),
      // The existing investment, re-recorded.
      ...Array.from(
        { length: 5 },
        () => () =>
          t.gql(RECORD_INVESTMENT, {
            input: investment('amazon-anthropic-2023-09', 'amazon', 'anthropic', {
              amountUsd: 1.25e9,
              sources: [shared],
            }),
          }),
      ),
      // One commitment id, written by everyone.
      ...Array.from(
        { length: 5 },
        () => () =>
          t.gql(RECORD_COMMITMENT, {
            input: {
              id: 'anthropic-aws',
              customerId: 'anthropic',
              providerId: 'amazon-web-services',
              kind: 'CLOUD',
              status: 'ANNOUNCED',
              sources: [shared],
            },
          }),
      ),
    ];
    (await Promise.all(writes.map((write) => write()))).forEach(ok);

    const counts = await t.cypher(`
      MATCH (n) WHERE NOT n:Change AND NOT n:ChangeLogHead // the change log is not the graph
      UNWIND labels(n) AS label
      RETURN label, count(*) AS count ORDER BY label`);
    expect(Object.fromEntries(counts.map((r) => [r.label, r.count]))).toEqual({
      Company: 5 + 5,
      Deal: 1 + 5 + 1,
      Investment: 1 + 5,
      CloudCommitment: 1,
      Source: 1,
    });
    const ends = await t.cypher(`
      MATCH (d:Deal)
      RETURN d.id AS id, COUNT { (d)-[:FROM]->() } AS from, COUNT { (d)-[:TO]->() } AS to,
             COUNT { (d)-[:REPORTED_BY]->() } AS sources`);
    for (const deal of ends) expect(deal).toMatchObject({ from: 1, to: 1, sources: 1 });
    await expectNoDuplicates();
  });

  it('linking two companies to each other at once never makes a parent cycle', async () => {
    for (let round = 0; round < 3; round++) {
      await t.load(GRAPH);
      const [a, b] = await Promise.all([
        t.gql(UPSERT_COMPANY, {
          input: { id: 'anthropic', name: 'Anthropic', parentId: 'openai' },
        }),
        t.gql(UPSERT_COMPANY, { input: { id: 'openai', name: 'OpenAI', parentId: 'anthropic' } }),
      ]);
      const refused = [a, b].filter((r) => r.errors);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(refused[0]!.errors![0]!.message).toMatch(/would become its own ancestor/);
      expect(
        await t.cypher(`MATCH (c:Company) WHERE EXISTS { (c)-[:SUBSIDIARY_OF]->+(c) } RETURN c.id`),
      ).toEqual([]);
    }
  });

  it('of one new deal id as an investment and as a commitment: one type wins, the other is refused', async () => {
    const responses = await race(WRITERS, (i) =>
      i % 2
        ? t.gql(RECORD_INVESTMENT, {
            input: {
              id: 'contested',
              investorId: 'amazon',
              investeeId: 'anthropic',
              status: 'ANNOUNCED',
              sources: [{ publisher: 'Test' }],
            },
          })
        : t.gql(RECORD_COMMITMENT, {
            input: {
              id: 'contested',
              customerId: 'anthropic',
              providerId: 'amazon-web-services',
              kind: 'CLOUD',
              status: 'ANNOUNCED',
              sources: [{ publisher: 'Test' }],
            },
          }),
    );
    const refused = responses.filter((r) => r.errors);
    expect(refused).toHaveLength(WRITERS / 2);
    for (const r of refused) {
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/already the id of/);
    }
    const [node] = await t.cypher(
      `MATCH (d:Deal {id: 'contested'}) RETURN labels(d) AS labels, d.type AS type, count { (d)-[:FROM]->() } AS froms`,
    );
    const labels = (node?.labels as string[]).filter((l) => l !== 'Deal');
    expect(labels).toEqual([node?.type === 'INVESTMENT' ? 'Investment' : 'CloudCommitment']);
    expect(node?.froms).toBe(1);
    await expectNoDuplicates();
  });
});
