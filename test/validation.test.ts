/**
 * Every way to send bad input: each gets a GraphQL error with a stable `extensions.code` and a
 * message that names what to fix, and writes nothing (the whole graph is compared before and
 * after).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitment, company, dataset, investment } from './fixtures/dataset.js';
import { failed, graphSnapshot, ok } from './fixtures/graph.js';
import { startTestServer, type TestServer } from './support/harness.js';

/** Amazon ── AWS ── AWS Europe; Anthropic; OpenAI. One investment, one commitment. */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon'),
    company('amazon-web-services', 'Amazon Web Services', { parentId: 'amazon' }),
    company('aws-europe', 'AWS Europe', { parentId: 'amazon-web-services' }),
    company('anthropic', 'Anthropic'),
    company('openai', 'OpenAI'),
  ],
  investments: [
    investment('amazon-anthropic-2023-09', 'amazon', 'anthropic', { amountUsd: 1.25e9 }),
  ],
  commitments: [commitment('anthropic-aws-2025-10', 'anthropic', 'amazon-web-services')],
});

/** Valid inputs: each case below changes one thing (the last test checks they are accepted). */
const VALID_COMPANY = {
  id: 'mistral-ai',
  name: 'Mistral AI',
  aliases: ['Mistral'],
  country: 'FR',
  website: 'https://mistral.ai',
  parentId: null,
};
const VALID_INVESTMENT = {
  id: 'amazon-anthropic-2024-03',
  investorId: 'amazon',
  investeeId: 'anthropic',
  amountUsd: 2.75e9,
  announcedOn: '2024-03',
  status: 'COMPLETED',
  sources: [
    { publisher: 'Amazon', url: 'https://www.aboutamazon.com/news', publishedOn: '2024-03-27' },
  ],
};
const VALID_COMMITMENT = {
  id: 'openai-aws-2025-11',
  customerId: 'openai',
  providerId: 'amazon-web-services',
  kind: 'CLOUD',
  amountUsd: 38e9,
  announcedOn: '2025-11',
  status: 'ANNOUNCED',
  sources: [{ publisher: 'Amazon' }],
};

const UPSERT_COMPANY = `mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { id } }`;
const RECORD_INVESTMENT = `mutation($input: RecordInvestmentInput!) { recordInvestment(input: $input) { id } }`;
const RECORD_COMMITMENT = `mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id } }`;

interface Case {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  code: string;
  message: RegExp;
}

const companyCase = (name: string, change: object, message: RegExp): Case => ({
  name,
  query: UPSERT_COMPANY,
  variables: { input: { ...VALID_COMPANY, ...change } },
  code: 'BAD_USER_INPUT',
  message,
});
const investmentCase = (name: string, change: object, message: RegExp): Case => ({
  name,
  query: RECORD_INVESTMENT,
  variables: { input: { ...VALID_INVESTMENT, ...change } },
  code: 'BAD_USER_INPUT',
  message,
});
const commitmentCase = (name: string, change: object, message: RegExp): Case => ({
  name,
  query: RECORD_COMMITMENT,
  variables: { input: { ...VALID_COMMITMENT, ...change } },
  code: 'BAD_USER_INPUT',
  message,
});

const CASES: Case[] = [
  companyCase(
    'company id that is not a slug',
    { id: 'Mistral AI' },
    /input\.id: 'Mistral AI' is not a valid id/,
  ),
  companyCase(
    'company id with a double dash',
    { id: 'mistral--ai' },
    /input\.id: .*not a valid id/,
  ),
  companyCase('empty company name', { name: '' }, /input\.name: is required/),
  companyCase('blank company name', { name: '   ' }, /input\.name: is required/),
  companyCase('empty alias', { aliases: ['Mistral', ' '] }, /input\.aliases\[1\]/),
  companyCase('three-letter country code', { country: 'FRA' }, /input\.country/),
  companyCase(
    'country code with a digit',
    { country: 'F1' },
    /input\.country: 'F1' is not an ISO 3166-1/,
  ),
  companyCase(
    'website without a scheme',
    { website: 'mistral.ai' },
    /input\.website: 'mistral.ai' is not an http\(s\) URL/,
  ),
  companyCase('website on ftp', { website: 'ftp://mistral.ai' }, /input\.website/),
  companyCase(
    'company as its own parent',
    { parentId: 'mistral-ai' },
    /input\.parentId: a company cannot be its own parent/,
  ),
  companyCase(
    'unknown parent',
    { parentId: 'no-such-company' },
    /parentId: no company with id 'no-such-company'/,
  ),
  companyCase(
    'parent cycle A -> B -> A',
    { id: 'amazon', name: 'Amazon', parentId: 'amazon-web-services' },
    /parentId: company 'amazon' would become its own ancestor/,
  ),
  companyCase(
    'parent cycle A -> B -> C -> A',
    { id: 'amazon', name: 'Amazon', parentId: 'aws-europe' },
    /parentId: company 'amazon' would become its own ancestor/,
  ),

  investmentCase(
    'investment id that is not a slug',
    { id: 'Amazon/Anthropic' },
    /input\.id: .*not a valid id/,
  ),
  investmentCase('negative amount', { amountUsd: -1 }, /input\.amountUsd: must not be negative/),
  investmentCase(
    'amount in the wrong units',
    { amountUsd: 2.75e15 },
    /input\.amountUsd: .*implausibly large/,
  ),
  investmentCase(
    'month 13 (variable)',
    { announcedOn: '2025-13' },
    /input\.announcedOn.*'2025-13' has no month 13/,
  ),
  investmentCase(
    'February 30 (variable)',
    { announcedOn: '2025-02-30' },
    /input\.announcedOn.*'2025-02-30' has no day 30/,
  ),
  investmentCase(
    'date in another format (variable)',
    { announcedOn: '03/27/2024' },
    /input\.announcedOn.*YYYY-MM-DD or YYYY-MM/,
  ),
  investmentCase('no sources', { sources: [] }, /input\.sources: at least one source is required/),
  investmentCase(
    'empty publisher',
    { sources: [{ publisher: '' }] },
    /input\.sources\[0\]\.publisher: is required/,
  ),
  investmentCase(
    'source URL that is not a URL',
    { sources: [{ publisher: 'Amazon', url: 'about amazon' }] },
    /input\.sources\[0\]\.url: .*http\(s\) URL/,
  ),
  investmentCase(
    'source date February 30 (variable)',
    { sources: [{ publisher: 'Amazon', publishedOn: '2024-02-30' }] },
    /input\.sources\[0\]\.publishedOn.*no day 30/,
  ),
  investmentCase(
    'negative quantity',
    { quantity: { value: -10, unit: 'GW' } },
    /input\.quantity\.value: must be a non-negative number/,
  ),
  investmentCase(
    'unknown investor',
    { investorId: 'no-such-company' },
    /investorId: no company with id 'no-such-company'/,
  ),
  investmentCase(
    'unknown investee',
    { investeeId: 'no-such-company' },
    /investeeId: no company with id 'no-such-company'/,
  ),
  investmentCase(
    'investor is the investee',
    { investeeId: 'amazon' },
    /input\.investeeId: must differ from investorId/,
  ),
  investmentCase(
    'id of a commitment',
    { id: 'anthropic-aws-2025-10' },
    /id: 'anthropic-aws-2025-10' is already the id of a commitment/,
  ),
  investmentCase('unknown status', { status: 'RUMOURED' }, /RUMOURED.*input\.status/),

  commitmentCase(
    'commitment with a negative amount',
    { amountUsd: -38e9 },
    /input\.amountUsd: must not be negative/,
  ),
  commitmentCase(
    'commitment dated month 13 (variable)',
    { announcedOn: '2025-13' },
    /input\.announcedOn.*no month 13/,
  ),
  commitmentCase(
    'commitment without sources',
    { sources: [] },
    /input\.sources: at least one source/,
  ),
  commitmentCase(
    'unknown provider',
    { providerId: 'no-such-company' },
    /providerId: no company with id 'no-such-company'/,
  ),
  commitmentCase(
    'customer is the provider',
    { providerId: 'openai' },
    /input\.providerId: must differ from customerId/,
  ),
  commitmentCase(
    'id of an investment',
    { id: 'amazon-anthropic-2023-09' },
    /id: 'amazon-anthropic-2023-09' is already the id of an investment/,
  ),
  commitmentCase('unknown kind', { kind: 'GPU' }, /GPU.*input\.kind/),
];

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(GRAPH);
});
afterAll(() => t.close());

describe('mutations refuse bad input and write nothing', () => {
  it.each(CASES)('$name', async ({ query, variables, code, message }) => {
    const before = await graphSnapshot(t);
    failed(await t.gql(query, variables), code, message);
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('lists every problem of an input at once', async () => {
    const before = await graphSnapshot(t);
    const error = failed(
      await t.gql(UPSERT_COMPANY, {
        input: { ...VALID_COMPANY, id: 'Bad Id', name: '', country: 'F1', website: 'nope' },
      }),
      'BAD_USER_INPUT',
      /input\.id: .*input\.name: .*input\.country: .*input\.website: /,
    );
    expect((error.extensions!.problems as { field: string }[]).map((p) => p.field)).toEqual([
      'input.id',
      'input.name',
      'input.country',
      'input.website',
    ]);
    expect(await graphSnapshot(t)).toEqual(before);
  });
});

describe('dates written as literals in the document', () => {
  // Apollo checks literals while validating the document: a bad one fails validation and points
  // at where it is written.
  const cases = [
    { date: '2025-13', message: /PartialDate.*"2025-13".*'2025-13' has no month 13/ },
    { date: '2025-02-30', message: /PartialDate.*"2025-02-30".*'2025-02-30' has no day 30/ },
  ];
  it.each(cases)('$date is refused, with its location', async ({ date, message }) => {
    const before = await graphSnapshot(t);
    const document = [
      'mutation {',
      '  recordInvestment(input: {',
      '    id: "amazon-anthropic-2024-03", investorId: "amazon", investeeId: "anthropic",',
      '    status: COMPLETED, sources: [{publisher: "Amazon"}],',
      `    announcedOn: "${date}"`,
      '  }) { id }',
      '}',
    ].join('\n');
    const res = await t.gql(document);
    expect(res.status).toBe(400);
    const error = failed(res, 'GRAPHQL_VALIDATION_FAILED', message);
    expect((error as { locations?: unknown }).locations).toEqual([
      { line: 5, column: '    announcedOn: '.length + 1 },
    ]);
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('a literal source date is refused too', async () => {
    const res = await t.gql(`mutation {
      recordCommitment(input: {
        id: "openai-aws-2025-11", customerId: "openai", providerId: "amazon-web-services",
        kind: CLOUD, status: ANNOUNCED, sources: [{publisher: "Amazon", publishedOn: "2025-11-31"}]
      }) { id }
    }`);
    failed(res, 'GRAPHQL_VALIDATION_FAILED', /'2025-11-31' has no day 31/);
    expect(ok(await t.gql(`{ deal(id: "openai-aws-2025-11") { id } }`))).toEqual({ deal: null });
  });
});

describe('queries refuse contradictory filters', () => {
  const DEALS = `query($where: DealFilter) { deals(where: $where) { totalCount } }`;

  it('announcedFrom after announcedTo', async () => {
    failed(
      await t.gql(DEALS, { where: { announcedFrom: '2025-10', announcedTo: '2025-09' } }),
      'BAD_USER_INPUT',
      /where\.announcedFrom: must not be after announcedTo/,
    );
    failed(
      await t.gql(DEALS, { where: { announcedFrom: '2025-09-02', announcedTo: '2025-09-01' } }),
      'BAD_USER_INPUT',
      /where\.announcedFrom/,
    );
  });

  it('minAmountUsd above maxAmountUsd, or negative', async () => {
    failed(
      await t.gql(DEALS, { where: { minAmountUsd: 5e9, maxAmountUsd: 1e9 } }),
      'BAD_USER_INPUT',
      /where\.minAmountUsd: must not exceed maxAmountUsd/,
    );
    failed(
      await t.gql(DEALS, { where: { minAmountUsd: -1 } }),
      'BAD_USER_INPUT',
      /where\.minAmountUsd: must not be negative/,
    );
  });

  it('a bad date in a filter', async () => {
    failed(
      await t.gql(DEALS, { where: { announcedFrom: '2025-13' } }),
      'BAD_USER_INPUT',
      /where\.announcedFrom.*no month 13/,
    );
  });

  it("the same checks on a company's deal connections", async () => {
    const res = await t.gql(`{
      company(id: "anthropic") {
        commitmentsMade(where: { minAmountUsd: 2, maxAmountUsd: 1 }) { totalCount }
      }
    }`);
    failed(res, 'BAD_USER_INPUT', /where\.minAmountUsd: must not exceed maxAmountUsd/);
  });
});

describe('the valid inputs the cases start from', () => {
  it('are accepted as they are', async () => {
    ok(await t.gql(UPSERT_COMPANY, { input: VALID_COMPANY }));
    ok(await t.gql(RECORD_INVESTMENT, { input: VALID_INVESTMENT }));
    ok(await t.gql(RECORD_COMMITMENT, { input: VALID_COMMITMENT }));
  });
});
