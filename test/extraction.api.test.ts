/**
 * extractDeals and recordDrafts over HTTP against the real server and Neo4j: the seed article
 * drafted into exactly its two deals, recorded once however often it is confirmed, flagged as
 * `existing` afterwards, and refused without a token, on bad input or past the size cap.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { company, dataset, investment } from './fixtures/dataset.js';
import { failed, graphSnapshot, ok } from './fixtures/graph.js';
import { startTestServer, type TestServer } from './support/harness.js';

/** The article the seed dataset was made from (a copy of ../shared/domain/'s). */
const SEED_ARTICLE = readFileSync(
  new URL('./fixtures/articles/seed-article-amazon-anthropic.txt', import.meta.url),
  'utf8',
);

/**
 * Amazon ── Amazon Web Services (alias AWS); Alphabet (alias Google); Anthropic; OpenAI.
 * One recorded deal: Amazon -> Anthropic $1.25B in 2023-09, which is not the article's $5B.
 */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon', { aliases: ['Amazon.com'], sectors: ['HYPERSCALER'] }),
    company('amazon-web-services', 'Amazon Web Services', {
      aliases: ['AWS'],
      sectors: ['CLOUD_PROVIDER'],
      parentId: 'amazon',
    }),
    company('alphabet', 'Alphabet', { aliases: ['Google'], sectors: ['HYPERSCALER'] }),
    company('anthropic', 'Anthropic', { sectors: ['AI_LAB'] }),
    company('openai', 'OpenAI', { sectors: ['AI_LAB'] }),
  ],
  investments: [
    investment('amazon-anthropic-2023-09', 'amazon', 'anthropic', {
      amountUsd: 1.25e9,
      announcedOn: '2023-09',
      status: 'COMPLETED',
    }),
  ],
});

const EXTRACT = /* GraphQL */ `
  query Extract($text: String!, $source: SourceInput) {
    extractDeals(text: $text, source: $source) {
      drafts {
        type
        from {
          name
          company {
            id
          }
          suggestedId
        }
        to {
          name
          company {
            id
          }
          suggestedId
        }
        amountUsd
        amountIsUpperBound
        quantity {
          value
          unit
        }
        commitmentKind
        status
        announcedOn
        evidence {
          sentence
          start
          end
        }
        confidence
        problems
        existing {
          id
          amountUsd
        }
      }
    }
  }
`;

const RECORD = /* GraphQL */ `
  mutation Record($input: [DealDraftInput!]!) {
    recordDrafts(input: $input) {
      id
      __typename
      from {
        id
      }
      to {
        id
      }
      amountUsd
      announcedOn
      status
    }
  }
`;

interface Party {
  name: string;
  company: { id: string } | null;
  suggestedId: string | null;
}
interface Draft {
  type: 'INVESTMENT' | 'COMMITMENT';
  from: Party;
  to: Party;
  amountUsd: number | null;
  amountIsUpperBound: boolean;
  quantity: { value: number; unit: string } | null;
  commitmentKind: string | null;
  status: string | null;
  announcedOn: string | null;
  evidence: { sentence: string; start: number; end: number };
  confidence: number;
  problems: string[];
  existing: { id: string; amountUsd: number | null }[];
}

const SOURCE = { publisher: 'Example News', title: 'Amazon and Anthropic', publishedOn: '2025-11' };

/** A draft as a reviewer confirms it: the parties by id (a new one with its name). */
function confirm(draft: Draft): Record<string, unknown> {
  const party = (p: Party) =>
    p.company ? { id: p.company.id } : { id: p.suggestedId, name: p.name };
  return {
    type: draft.type,
    from: party(draft.from),
    to: party(draft.to),
    amountUsd: draft.amountUsd,
    amountIsUpperBound: draft.amountIsUpperBound,
    quantity: draft.quantity,
    commitmentKind: draft.commitmentKind,
    status: draft.status,
    announcedOn: draft.announcedOn,
    sources: [SOURCE],
  };
}

let t: TestServer;

async function extract(text: string, source?: unknown): Promise<Draft[]> {
  const data = ok(await t.gql<{ extractDeals: { drafts: Draft[] } }>(EXTRACT, { text, source }));
  return data.extractDeals.drafts;
}

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.load(GRAPH);
});

describe('extractDeals', () => {
  it('drafts exactly the seed article two deals, each with its sentence as evidence', async () => {
    const drafts = await extract(SEED_ARTICLE, SOURCE);
    expect(drafts).toHaveLength(2);
    const [investmentDraft, commitmentDraft] = drafts as [Draft, Draft];

    expect(investmentDraft).toMatchObject({
      type: 'INVESTMENT',
      from: { name: 'Amazon', company: { id: 'amazon' }, suggestedId: null },
      to: { name: 'Anthropic', company: { id: 'anthropic' }, suggestedId: null },
      amountUsd: 5e9,
      amountIsUpperBound: false,
      commitmentKind: null,
      status: 'ANNOUNCED',
      announcedOn: '2025-11', // no date in the text: the source's
      existing: [], // the recorded $1.25B of 2023 is another deal
    });
    expect(commitmentDraft).toMatchObject({
      type: 'COMMITMENT',
      from: { company: { id: 'anthropic' } },
      to: { name: 'Amazon Web Services', company: { id: 'amazon-web-services' } },
      amountUsd: 100e9,
      commitmentKind: 'CLOUD',
      existing: [],
    });
    for (const [draft, figure] of [
      [investmentDraft, '$5 billion'],
      [commitmentDraft, '$100 billion'],
    ] as const) {
      const { sentence, start, end } = draft.evidence;
      expect(SEED_ARTICLE.slice(start, end)).toBe(sentence);
      expect(sentence).toContain(figure);
      expect(draft.confidence).toBeGreaterThan(0.5);
      expect(draft.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('proposes a company the graph does not have, with a suggested id and a problem', async () => {
    const [draft, ...rest] = await extract('Amazon invests $16 million in Mistral AI.');
    expect(rest).toHaveLength(0);
    expect(draft).toMatchObject({
      from: { company: { id: 'amazon' } },
      to: { name: 'Mistral AI', company: null, suggestedId: 'mistral-ai' },
      amountUsd: 16e6,
    });
    expect(draft!.problems.join('\n')).toMatch(/'Mistral AI' is not in the graph.*mistral-ai/);
  });

  it('resolves aliases and reads direction from the words: AWS, Google, raises from, passive', async () => {
    const text = [
      'OpenAI will spend $38 billion on AWS over seven years.',
      'Anthropic raises $2 billion from Google.',
      'Up to $4 billion was invested in OpenAI by Amazon, the company said on March 3, 2025.',
    ].join(' ');
    const drafts = await extract(text);
    expect(drafts.map((d) => [d.type, d.from.company?.id, d.to.company?.id, d.amountUsd])).toEqual([
      ['COMMITMENT', 'openai', 'amazon-web-services', 38e9],
      ['INVESTMENT', 'alphabet', 'anthropic', 2e9],
      ['INVESTMENT', 'amazon', 'openai', 4e9],
    ]);
    expect(drafts[2]).toMatchObject({ amountIsUpperBound: true, announcedOn: '2025-03-03' });
  });

  it('drafts nothing from money that is not a deal between two companies', async () => {
    const texts = [
      'Amazon reported quarterly revenue of $180 billion, with Anthropic among AWS customers.',
      'Anthropic is now valued at $183 billion, ahead of OpenAI on some measures.',
      'Amazon plans to spend more than $100 billion on capital expenditures, mostly at AWS.',
      'Regulators fined Google $3.5 billion; OpenAI was not involved.',
    ];
    for (const text of texts) expect(await extract(text), text).toEqual([]);
  });

  it('survives markup, odd unicode and texts without sentences, drafting nothing', async () => {
    const texts = [
      '',
      '   \n\t  ',
      '<div><script>Amazon invests $5 billion in Anthropic.</script><style>p{}</style></div>',
      '<!-- Amazon invests $5 billion in Anthropic. -->',
      '\u200B\u202E\uFEFF\u0000\u0007',
      '\uD800 Amazon \uDFFF $5B \uD83D\uDCB8\uD83D\uDCB8',
      '💸💸💸 $$$ 5 billion !!! ???',
      '---\n***\n...\n$5 billion',
      'Amazon Amazon Amazon invests $5 billion in Amazon.',
      '€€€ ＄５ billion 𝐀𝐦𝐚𝐳𝐨𝐧 invests in 𝐀𝐧𝐭𝐡𝐫𝐨𝐩𝐢𝐜',
    ];
    for (const text of texts) expect(await extract(text), JSON.stringify(text)).toEqual([]);
  });

  it('reads a deal out of markup, its offsets pointing into the text as given', async () => {
    const text = '<p>Amazon invests <b>$5 billion</b> in <i>Anthropic</i>.</p>';
    const [draft] = await extract(text);
    expect(draft).toMatchObject({ amountUsd: 5e9, to: { company: { id: 'anthropic' } } });
    const { start, end, sentence } = draft!.evidence;
    expect(text.slice(start, end).replace(/<[^>]*>/g, (tag) => ' '.repeat(tag.length))).toBe(
      sentence,
    );
  });

  it('refuses a text past the size cap with BAD_USER_INPUT and the limit', async () => {
    const res = await t.gql(EXTRACT, { text: 'a'.repeat(20_001) });
    const error = failed(res, 'BAD_USER_INPUT', /at most 20000 characters/);
    expect(error.extensions).toMatchObject({ limit: 'text', max: 20_000 });
    // At the cap exactly, it answers.
    expect(await extract('b '.repeat(10_000))).toEqual([]);
  });
});

describe('recordDrafts', () => {
  it('records confirmed drafts, once however often they are confirmed, and flags them afterwards', async () => {
    const drafts = await extract(SEED_ARTICLE, SOURCE);
    const input = drafts.map(confirm);

    const first = ok(await t.gql<{ recordDrafts: Record<string, unknown>[] }>(RECORD, { input }));
    expect(first.recordDrafts).toEqual([
      {
        id: 'amazon-anthropic-2025-11-5b',
        __typename: 'Investment',
        from: { id: 'amazon' },
        to: { id: 'anthropic' },
        amountUsd: 5e9,
        announcedOn: '2025-11',
        status: 'ANNOUNCED',
      },
      {
        id: 'anthropic-amazon-web-services-2025-11-100b',
        __typename: 'CloudCommitment',
        from: { id: 'anthropic' },
        to: { id: 'amazon-web-services' },
        amountUsd: 100e9,
        announcedOn: '2025-11',
        status: 'ANNOUNCED',
      },
    ]);
    const afterFirst = await graphSnapshot(t);
    const again = ok(await t.gql<{ recordDrafts: Record<string, unknown>[] }>(RECORD, { input }));
    expect(again.recordDrafts).toEqual(first.recordDrafts);
    expect(await graphSnapshot(t)).toEqual(afterFirst);

    // The article read again: both drafts now point at what was recorded.
    const reread = await extract(SEED_ARTICLE, SOURCE);
    expect(reread.map((d) => d.existing)).toEqual([
      [{ id: 'amazon-anthropic-2025-11-5b', amountUsd: 5e9 }],
      [{ id: 'anthropic-amazon-web-services-2025-11-100b', amountUsd: 100e9 }],
    ]);
  });

  it('flags a recorded deal of the same companies families and a close amount as existing', async () => {
    // Recorded against Amazon; the text names AWS. A different amount is not flagged.
    await t.load({
      ...GRAPH,
      commitments: [
        {
          id: 'anthropic-amazon-2025-10',
          customerId: 'anthropic',
          providerId: 'amazon',
          kind: 'CLOUD',
          amountUsd: 98e9,
          announcedOn: '2025-10',
          status: 'ANNOUNCED',
          sources: [{ publisher: 'Reuters' }],
        },
        {
          id: 'anthropic-aws-small-2025-10',
          customerId: 'anthropic',
          providerId: 'amazon-web-services',
          kind: 'CLOUD',
          amountUsd: 1e9,
          announcedOn: '2025-10',
          status: 'ANNOUNCED',
          sources: [{ publisher: 'Reuters' }],
        },
      ],
    });
    const [draft] = await extract('Anthropic will spend $100 billion on AWS.', SOURCE);
    expect(draft!.existing).toEqual([{ id: 'anthropic-amazon-2025-10', amountUsd: 98e9 }]);
  });

  it('creates a proposed company with the deal, in the same transaction', async () => {
    const drafts = await extract('Amazon invests $16 million in Mistral AI.', SOURCE);
    const data = ok(
      await t.gql<{ recordDrafts: { id: string; to: { id: string } }[] }>(RECORD, {
        input: drafts.map(confirm),
      }),
    );
    expect(data.recordDrafts).toMatchObject([
      { id: 'amazon-mistral-ai-2025-11-16m', to: { id: 'mistral-ai' } },
    ]);
    const rows = await t.cypher(`MATCH (c:Company {id: 'mistral-ai'}) RETURN c.name AS name`);
    expect(rows).toEqual([{ name: 'Mistral AI' }]);
  });

  it('refuses without the token and writes nothing', async () => {
    const input = (await extract(SEED_ARTICLE, SOURCE)).map(confirm);
    const before = await graphSnapshot(t);
    failed(await t.gql(RECORD, { input }, { token: null }), 'UNAUTHENTICATED', /ADMIN_TOKEN/);
    failed(
      await t.gql(RECORD, { input }, { token: 'not-the-admin-token-at-all' }),
      'UNAUTHENTICATED',
      /not this server/,
    );
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('refuses the whole list when one draft is invalid, naming each problem, and writes nothing', async () => {
    const [good, bad] = (await extract(SEED_ARTICLE, SOURCE)).map(confirm) as [
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    const before = await graphSnapshot(t);
    const cases: [Record<string, unknown>[], string, RegExp][] = [
      [[good, { ...bad, amountUsd: -1 }], 'input[1].amountUsd', /must not be negative/],
      [[good, { ...bad, commitmentKind: null }], 'input[1].commitmentKind', /is required/],
      [[good, { ...bad, sources: [] }], 'input[1].sources', /at least one source/],
      [[{ ...good, to: { id: 'nobody-known' } }], 'input[0].to.id', /no company with id/],
      [[{ ...good, to: { id: 'Not A Slug', name: 'X' } }], 'input[0].to.id', /not a valid id/],
      [[good, { ...good, amountIsUpperBound: true }], 'input[1].id', /also the id of input\[0\]/],
      [
        [{ ...good, commitmentKind: 'CLOUD' }],
        'input[0].commitmentKind',
        /not a field of an investment/,
      ],
    ];
    for (const [input, field, message] of cases) {
      const error = failed(await t.gql(RECORD, { input }), 'BAD_USER_INPUT', message);
      const problems = error.extensions?.problems as { field: string }[];
      expect(
        problems.map((p) => p.field),
        field,
      ).toContain(field);
      expect(await graphSnapshot(t)).toEqual(before);
    }
  });
});
