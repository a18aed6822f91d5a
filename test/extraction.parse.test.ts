/**
 * The article parser without a database: figures, quantities, dates, sentences, and which way
 * the money goes, over a small gazetteer spelled out here.
 */
import { describe, expect, it } from 'vitest';
import { findDates } from '../src/extraction/dates.js';
import { looksLikeSameDeal } from '../src/extraction/existing.js';
import { MAX_SENTENCE_CHARS, extractDrafts, type DraftRow } from '../src/extraction/extract.js';
import { Gazetteer, slugify } from '../src/extraction/gazetteer.js';
import { findMoney, findQuantities } from '../src/extraction/money.js';
import { checkDraftInputs, draftDealId } from '../src/extraction/recordInput.js';
import { splitSentences } from '../src/extraction/sentences.js';
import type { DealDraftInput, Sector } from '../src/generated/graphql.js';
import type { CompanyRow, DealRow } from '../src/stores/rows.js';

function company(
  id: string,
  name: string,
  sectors: Sector[],
  more: Partial<CompanyRow> = {},
): CompanyRow {
  return {
    id,
    name,
    version: 1,
    aliases: [],
    sectors,
    country: null,
    website: null,
    parentId: null,
    ...more,
  };
}

/** Amazon ── Amazon Web Services (AWS); Alphabet (Google) ── Google Cloud; labs; chips; neoclouds. */
const GAZETTEER = new Gazetteer([
  company('amazon', 'Amazon', ['HYPERSCALER']),
  company('amazon-web-services', 'Amazon Web Services', ['CLOUD_PROVIDER'], {
    aliases: ['AWS'],
    parentId: 'amazon',
  }),
  company('alphabet', 'Alphabet', ['HYPERSCALER'], { aliases: ['Google'] }),
  company('google-cloud', 'Google Cloud', ['CLOUD_PROVIDER'], { parentId: 'alphabet' }),
  company('oracle', 'Oracle', ['SOFTWARE', 'HYPERSCALER']),
  company('anthropic', 'Anthropic', ['AI_LAB']),
  company('openai', 'OpenAI', ['AI_LAB']),
  company('nvidia', 'Nvidia', ['CHIPMAKER'], { aliases: ['NVIDIA'] }),
  company('coreweave', 'CoreWeave', ['NEOCLOUD']),
  company('lambda', 'Lambda', ['NEOCLOUD']),
  company('microsoft', 'Microsoft', ['HYPERSCALER', 'SOFTWARE']),
  company('meta', 'Meta Platforms', ['CONSUMER_INTERNET'], { aliases: ['Meta'] }),
]);

const id = (p: DraftRow['from']): string => p.company?.id ?? `new:${p.suggestedId}`;
const brief = (d: DraftRow) => [d.type, id(d.from), id(d.to), d.amountUsd];
const drafts = (text: string, sourceDate?: string) =>
  extractDrafts(text, GAZETTEER, { sourceDate: sourceDate ?? null });

describe('money', () => {
  it.each([
    ['Amazon invests $5 billion', 5e9],
    ['a $5B check', 5e9],
    ['a $100bn pledge', 100e9],
    ['5 billion dollars in all', 5e9],
    ['US$350m of stock', 350e6],
    ['$1.25 billion now', 1.25e9],
    ['$38B, seven years', 38e9],
    ['USD 2 billion', 2e9],
    ['$2.5 trillion', 2.5e12],
    ['$16 million', 16e6],
  ])('%s -> %d', (text, amount) => {
    const [money, ...rest] = findMoney(text);
    expect(rest).toEqual([]);
    expect(money).toMatchObject({
      amountUsd: amount,
      upperBound: false,
      vague: false,
      role: 'deal',
    });
  });

  it('marks "up to" as an upper bound and "more than" as a floor', () => {
    expect(findMoney('up to $10 billion')[0]).toMatchObject({ amountUsd: 10e9, upperBound: true });
    expect(findMoney('as much as $4bn')[0]).toMatchObject({ amountUsd: 4e9, upperBound: true });
    expect(findMoney('more than $10 billion')[0]).toMatchObject({
      lowerBound: true,
      upperBound: false,
    });
  });

  it('leaves vague figures and other currencies without a dollar amount', () => {
    for (const text of [
      'tens of billions of dollars',
      'a multibillion-dollar investment',
      'billions of dollars',
    ])
      expect(findMoney(text), text).toMatchObject([{ amountUsd: null, vague: true }]);
    expect(findMoney('€2.95 billion')).toMatchObject([
      { amountUsd: null, currency: 'EUR', vague: false },
    ]);
  });

  it.each([
    ['OpenAI is valued at $500 billion', 'valuation'],
    ['a round that values it at $300 billion', 'valuation'],
    ['record quarterly revenue of $35.1 billion', 'financials'],
    ['it booked $2 billion in revenue', 'financials'],
    ['regulators fined Google $3.5 billion', 'fine'],
    ['stock at $23.28 a share', 'sharePrice'],
    ['spend $100 billion on capital expenditures', 'capex'],
    ['bringing its total to $8bn', 'total'],
    ['saving the company more than $1 billion a year', 'savings'],
    ['a funding round of up to $40 billion', 'roundSize'],
    ['a five-year agreement valued at $17.4 billion', 'deal'],
  ])('%s: %s', (text, role) => {
    expect(findMoney(text).at(-1)?.role).toBe(role);
  });

  it('finds no money where there is none', () => {
    expect(findMoney('10 gigawatts, 9,000 jobs, 94% growth, in 2025')).toEqual([]);
  });
});

describe('quantities', () => {
  it('reads power in GW or MW, not dollars', () => {
    const found = findQuantities(
      'at least 10 gigawatts, up to 1 gigawatt, 1.5GW, 500 MW, a gigawatt',
    );
    expect(found.map((q) => [q.value, q.unit, q.upperBound])).toEqual([
      [10, 'GW', false],
      [1, 'GW', true],
      [1.5, 'GW', false],
      [500, 'MW', false],
      [1, 'GW', false],
    ]);
    expect(findQuantities('$10 billion')).toEqual([]);
    expect(findMoney('10 gigawatts')).toEqual([]);
  });
});

describe('dates', () => {
  it.each([
    ['REDMOND, July 22, 2019 - Microsoft', ['2019-07-22']],
    ['said on Sept. 18, 2025, that', ['2025-09-18']],
    ['on 22 September 2025', ['2025-09-22']],
    ['reported in May 2025', ['2025-05']],
    ['dated 2025-09-30 and 2025-10', ['2025-09-30', '2025-10']],
    ['in a filing made in September 2025, through April 2032', ['2025-09']],
    ['starting in 2027', []],
    ['on February 30, 2025', ['2025-02']],
  ])('%s', (text, dates) => {
    expect(findDates(text).map((d) => d.date)).toEqual(dates);
  });
});

describe('sentences', () => {
  it('splits lines and sentences, past abbreviations and decimals, with true offsets', () => {
    const text =
      'Headline Without A Stop\n- Bullet: Amazon paid $1.25 billion on Sept. 25, 2023. Then U.S. firms followed!\n\nLast one';
    const sentences = splitSentences(text);
    expect(sentences.map((s) => s.text)).toEqual([
      'Headline Without A Stop',
      'Bullet: Amazon paid $1.25 billion on Sept. 25, 2023.',
      'Then U.S. firms followed!',
      'Last one',
    ]);
    for (const s of sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('gives nothing for text without words', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\t--- *** $$$ 123 ')).toEqual([]);
    expect(splitSentences('<p><br/></p>&nbsp;\u200B\uFEFF')).toEqual([]);
  });
});

describe('deal cues and direction', () => {
  it.each([
    ['Amazon invests $5 billion in Anthropic.', ['INVESTMENT', 'amazon', 'anthropic', 5e9]],
    ['Google pumps another $1B into Anthropic.', ['INVESTMENT', 'alphabet', 'anthropic', 1e9]],
    ['Anthropic raises $2 billion from Google.', ['INVESTMENT', 'alphabet', 'anthropic', 2e9]],
    [
      'Anthropic has been handed a further $4bn by Amazon.',
      ['INVESTMENT', 'amazon', 'anthropic', 4e9],
    ],
    [
      '$10 billion will be invested in Anthropic by Nvidia.',
      ['INVESTMENT', 'nvidia', 'anthropic', 10e9],
    ],
    ['Nvidia to take $5 billion stake in OpenAI.', ['INVESTMENT', 'nvidia', 'openai', 5e9]],
    [
      'OpenAI will spend $300 billion on Oracle\u2019s cloud.',
      ['COMMITMENT', 'openai', 'oracle', 300e9],
    ],
    [
      'Anthropic will spend $100 billion on AWS.',
      ['COMMITMENT', 'anthropic', 'amazon-web-services', 100e9],
    ],
    [
      'Nvidia buys $6.3 billion of capacity from CoreWeave.',
      ['COMMITMENT', 'nvidia', 'coreweave', 6.3e9],
    ],
    ['Oracle is set to buy $40bn of Nvidia chips.', ['COMMITMENT', 'oracle', 'nvidia', 40e9]],
    [
      'CoreWeave will provide OpenAI with compute under an $11.9 billion contract.',
      ['COMMITMENT', 'openai', 'coreweave', 11.9e9],
    ],
    [
      'Nvidia will rent servers from Lambda in a $1.5 billion lease.',
      ['COMMITMENT', 'nvidia', 'lambda', 1.5e9],
    ],
    [
      'OpenAI will deploy 10 gigawatts of Nvidia systems.',
      ['COMMITMENT', 'openai', 'nvidia', null],
    ],
    [
      'Anthropic to use Google Cloud in a deal worth tens of billions of dollars.',
      ['COMMITMENT', 'anthropic', 'google-cloud', null],
    ],
    [
      'Meta is paying CoreWeave $14.2 billion for computing power.',
      ['COMMITMENT', 'meta', 'coreweave', 14.2e9],
    ],
    [
      'OpenAI is getting another $10 billion from Microsoft.',
      ['INVESTMENT', 'microsoft', 'openai', 10e9],
    ],
    [
      'OpenAI and AWS signed a cloud partnership worth $38 billion.',
      ['COMMITMENT', 'openai', 'amazon-web-services', 38e9],
    ],
  ])('%s', (text, expected) => {
    const found = drafts(text);
    expect(found.map(brief)).toEqual([expected]);
  });

  it('takes the direction of a deal "with" someone from the sectors, and says so', () => {
    for (const text of [
      'OpenAI inks $38B cloud deal with AWS.',
      'AWS inks $38B cloud deal with OpenAI.',
    ]) {
      const [draft, ...rest] = drafts(text);
      expect(rest).toEqual([]);
      expect(brief(draft!)).toEqual(['COMMITMENT', 'openai', 'amazon-web-services', 38e9]);
      expect(draft!.problems.join()).toMatch(/direction inferred from the companies' sectors/);
    }
  });

  it('reads two deals in one sentence with their own figures', () => {
    const found = drafts(
      'Microsoft said it would invest up to $5 billion in Anthropic, while Anthropic committed to spend $30 billion on Microsoft cloud services.',
    );
    expect(found.map(brief).sort()).toEqual([
      ['COMMITMENT', 'anthropic', 'microsoft', 30e9],
      ['INVESTMENT', 'microsoft', 'anthropic', 5e9],
    ]);
    expect(found.find((d) => d.type === 'INVESTMENT')?.amountIsUpperBound).toBe(true);
  });

  it('sets the kind from the provider and the words', () => {
    expect(drafts('Oracle will buy $40 billion of Nvidia chips.')[0]?.commitmentKind).toBe(
      'HARDWARE',
    );
    expect(drafts('OpenAI will spend $38 billion on AWS.')[0]?.commitmentKind).toBe('CLOUD');
    expect(
      drafts('Nvidia will lease $1.5 billion of capacity from Lambda.')[0]?.commitmentKind,
    ).toBe('CAPACITY');
    expect(drafts('Amazon invests $5 billion in Anthropic.')[0]?.commitmentKind).toBeNull();
  });

  it('sets the status from the words', () => {
    expect(
      drafts('Nvidia signed a letter of intent to invest up to $100 billion in OpenAI.')[0]?.status,
    ).toBe('LETTER_OF_INTENT');
    expect(drafts('Anthropic signed a contract to spend $30 billion on AWS.')[0]?.status).toBe(
      'DEFINITIVE_AGREEMENT',
    );
    expect(drafts('Amazon completed its $4 billion investment in Anthropic.')[0]?.status).toBe(
      'COMPLETED',
    );
    expect(drafts('Amazon invests $4 billion in Anthropic.')[0]?.status).toBe('ANNOUNCED');
    expect(drafts('Amazon is in talks to invest $4 billion in Anthropic.')[0]?.status).toBe(
      'TALKS',
    );
  });

  it('proposes a company the graph lacks, with a suggested id', () => {
    const [draft] = drafts('Microsoft invests $16 million in Mistral AI.');
    expect(draft?.to).toEqual({ name: 'Mistral AI', company: null, suggestedId: 'mistral-ai' });
    expect(draft?.problems.join()).toMatch(/'Mistral AI' is not in the graph/);
    expect(draft!.confidence).toBeLessThan(
      drafts('Microsoft invests $16 million in OpenAI.')[0]!.confidence,
    );
    expect(slugify('Thinking Machines Lab, Inc.')).toBe('thinking-machines-lab-inc');
  });

  it('flags a sentence that pairs companies and figures "respectively"', () => {
    const found = drafts(
      'Microsoft and Nvidia will invest up to $5 billion and up to $10 billion, respectively, in Anthropic.',
    );
    expect(found.length).toBeGreaterThan(0);
    for (const draft of found) {
      expect(draft.problems.join()).toMatch(/respectively/);
      expect(draft.confidence).toBeLessThan(0.6);
    }
  });

  it('reads no deal out of a "sentence" longer than a sentence can be', () => {
    const run = 'Amazon invests $5 billion in Anthropic and '.repeat(30);
    expect(run.length).toBeGreaterThan(MAX_SENTENCE_CHARS);
    expect(drafts(run)).toEqual([]);
    expect(drafts(`${run.slice(0, 200)}.`)).not.toEqual([]);
  });

  it('takes a company named in an earlier sentence for "it", and says so', () => {
    const [draft] = drafts(
      'Microsoft deepens its bet. It confirmed a $10 billion investment in OpenAI.',
    );
    expect(brief(draft!)).toEqual(['INVESTMENT', 'microsoft', 'openai', 10e9]);
    expect(draft!.problems.join()).toMatch(/not named in this sentence \('It'\)/);
  });

  it.each([
    'Nvidia reported revenue of $35.1 billion, with Microsoft and Meta among its customers.',
    'OpenAI is valued at $500 billion, more than Anthropic.',
    'Regulators fined Google $3.5 billion; Oracle was not involved.',
    'Microsoft is cutting 9,000 jobs and will spend $80 billion on AI data centers.',
    'Amazon plans to spend more than $100 billion on capital expenditures, mostly on AWS.',
    'Amazon will spend $20 billion on AWS data centers.', // one corporate family
    'Amazon has a partnership with Anthropic.', // no figure
    'Amazon invests $5 billion.', // one company
    'The chip designer will buy OpenAI stock at $23.28 a share.',
    'Google paid $2.7 billion for its takeover of Anthropic rival assets, OpenAI said.', // an acquisition
    'Microsoft expects to spend $30 billion on capital projects, as demand from OpenAI grows.',
    'Amazon will spend $5 billion on new data centers in Ohio and elsewhere, serving customers like Anthropic.', // the company is too far from `on`
  ])('no draft: %s', (text) => {
    expect(drafts(text)).toEqual([]);
  });
});

describe('one draft per deal', () => {
  const article = [
    'Amazon Invests $4 Billion in Anthropic',
    'Amazon will invest up to $4 billion in Anthropic, the company said on September 25, 2023.',
    'An initial $1.25 billion is due now.',
  ].join('\n');

  it('merges a deal reported in several sentences, keeping the best sentence as evidence', () => {
    const found = drafts(article);
    expect(found.map(brief)).toEqual([['INVESTMENT', 'amazon', 'anthropic', 4e9]]);
    const [draft] = found as [DraftRow];
    expect(draft.sentenceCount).toBe(2);
    expect(draft.amountIsUpperBound).toBe(true);
    expect(article.slice(draft.evidence.start, draft.evidence.end)).toBe(draft.evidence.sentence);
  });

  it('dates a draft by its sentence, else the text, else the source', () => {
    expect(drafts(article)[0]?.announcedOn).toBe('2023-09-25');
    expect(
      drafts('Dated March 2024.\nAmazon invests $4 billion in Anthropic.')[0]?.announcedOn,
    ).toBe('2024-03');
    expect(drafts('Amazon invests $4 billion in Anthropic.', '2024-11')[0]?.announcedOn).toBe(
      '2024-11',
    );
    const undated = drafts('Amazon invests $4 billion in Anthropic.')[0]!;
    expect(undated.announcedOn).toBeNull();
    expect(undated.problems.join()).toMatch(/no date/);
  });

  it('gives the same drafts for the same text', () => {
    expect(drafts(article)).toEqual(drafts(article));
  });
});

describe('existing deals', () => {
  const deal = (amountUsd: number | null, announcedOn: string | null): DealRow => ({
    id: 'd',
    type: 'INVESTMENT',
    version: 1,
    fromId: 'amazon',
    toId: 'anthropic',
    amountUsd,
    amountIsUpperBound: false,
    quantity: null,
    announcedOn,
    status: 'ANNOUNCED',
    instrument: null,
    kind: null,
    term: null,
    note: null,
  });

  it('matches a close amount and date; an unknown one cannot tell them apart', () => {
    const draft = { amountUsd: 5e9, announcedOn: '2025-11' };
    expect(looksLikeSameDeal(draft, deal(5e9, null))).toBe(true);
    expect(looksLikeSameDeal(draft, deal(4.8e9, '2025-10-15'))).toBe(true);
    expect(looksLikeSameDeal(draft, deal(null, '2025-11'))).toBe(true);
    expect(looksLikeSameDeal(draft, deal(4e9, '2025-11'))).toBe(false);
    expect(looksLikeSameDeal(draft, deal(5e9, '2024-11'))).toBe(false);
  });
});

describe('recordDrafts input', () => {
  const draft = (fields: Partial<DealDraftInput> = {}): DealDraftInput => ({
    type: 'INVESTMENT',
    from: { id: 'amazon' },
    to: { id: 'anthropic' },
    status: 'ANNOUNCED',
    announcedOn: '2025-11-04',
    amountUsd: 5e9,
    sources: [{ publisher: 'Example News' }],
    ...fields,
  });

  it('derives ids from the companies and the month', () => {
    expect(draftDealId('amazon', 'anthropic', '2025-11-04', 5e9)).toBe(
      'amazon-anthropic-2025-11-5b',
    );
    expect(draftDealId('amazon', 'anthropic', '2025-11', 1.25e9)).toBe(
      'amazon-anthropic-2025-11-1-25b',
    );
    expect(draftDealId('amazon', 'mistral-ai', null, 16e6)).toBe('amazon-mistral-ai-undated-16m');
    expect(draftDealId('openai', 'nvidia', '2025-09', null)).toBe('openai-nvidia-2025-09');
    const checked = checkDraftInputs([
      draft(),
      draft({ id: 'my-id', to: { id: 'mistral-ai', name: 'Mistral AI' } }),
    ]);
    expect(checked.ok && checked.value.deals.map((d) => [d.id, d.fromId, d.toId])).toEqual([
      ['amazon-anthropic-2025-11-5b', 'amazon', 'anthropic'],
      ['my-id', 'amazon', 'mistral-ai'],
    ]);
    expect(checked.ok && checked.value.parties.map((p) => p.create?.name ?? null)).toEqual([
      null,
      null,
      null,
      'Mistral AI',
    ]);
  });

  it('names each problem by its place in the input', () => {
    const checked = checkDraftInputs([
      draft(),
      draft({ type: 'COMMITMENT', to: { id: 'Bad Id' }, amountUsd: -5 }),
      draft(),
      draft({ instrument: 'EQUITY', commitmentKind: 'CLOUD', id: 'x' }),
    ]);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.field).sort()).toEqual([
      'input[1].amountUsd',
      'input[1].commitmentKind',
      'input[1].to.id',
      'input[2].id',
      'input[3].commitmentKind',
    ]);
  });
});
