/**
 * The words that say a sentence reports a deal, and which way the money goes. Each cue names the
 * role of the company written before it and of the one after it; the order of the list is the
 * order of precedence when two cues in one sentence name the same two companies (a passive
 * `invested in Y by X` is also an `invest ... in`, and must win).
 */
import type { CommitmentKind, DealStatus } from '../generated/graphql.js';
import type { CompanyRow, DealType } from '../stores/rows.js';

/** `payer`: investor or customer; `payee`: investee or provider. */
export type Role = 'payer' | 'payee';

export interface Cue {
  name: string;
  /** Global, case-insensitive; the company after the match is the second party. */
  pattern: RegExp;
  type: DealType | 'EITHER';
  /** The role of the company before the match; the one after has the other. */
  before: Role;
  /** Base confidence. */
  weight: number;
  /** The second party sits inside the match (`invested in Y by X`: Y is the payee). */
  payeeInside?: boolean;
  /** No direction in the words (`deal with`): the companies' sectors decide. */
  bySector?: boolean;
  /** The two companies stand right before and right after the match (`X and Y sign ...`). */
  adjacent?: boolean;
  /** Sentences with these words are not this cue's deals (`paid $N for` a company it bought). */
  unless?: RegExp;
}

/** Up to n characters of the same clause-free stretch: no sentence stop (a decimal point is fine). */
const gap = (n: number): string => String.raw`(?:[^;!?.]|\.(?=\d)){0,${n}}?`;

const cue = (name: string, source: string, rest: Omit<Cue, 'name' | 'pattern'>): Cue => ({
  name,
  pattern: new RegExp(source, 'gi'),
  ...rest,
});

export const CUES: readonly Cue[] = [
  cue(
    'passive',
    String.raw`\b(?:is|are|was|were|be|been|being)\s+(?:\w+\s+){0,2}?(?:invested|backed|funded|financed|handed|given|granted|injected|bankrolled)\b${gap(120)}\bby\b`,
    { type: 'INVESTMENT', before: 'payee', weight: 0.9, payeeInside: true },
  ),
  cue(
    'raises-from',
    String.raw`\b(?:rais(?:e|es|ed|ing)|secur(?:e|es|ed|ing)|receiv(?:e|es|ed|ing)|land(?:s|ed|ing)?|obtain(?:s|ed|ing)?|attract(?:s|ed|ing)?|get(?:s|ting)?|got|win(?:s|ning)?|won)\b${gap(100)}\bfrom\b`,
    { type: 'INVESTMENT', before: 'payee', weight: 0.9 },
  ),
  cue(
    'stake-in',
    String.raw`\b(?:tak(?:e|es|en|ing)|took|buy(?:s|ing)?|bought|acquir(?:e|es|ed|ing)|purchas(?:e|es|ed|ing))\b${gap(60)}\bstake\s+in\b`,
    { type: 'INVESTMENT', before: 'payer', weight: 0.9 },
  ),
  cue(
    'rents-from',
    String.raw`\b(?:rent(?:s|ed|ing)?|leas(?:e|es|ed|ing)|hir(?:e|es|ed|ing))\b${gap(100)}\bfrom\b`,
    { type: 'COMMITMENT', before: 'payer', weight: 0.85 },
  ),
  cue('spends-on', String.raw`\b(?:spend(?:s|ing)?|spent)\b${gap(100)}\b(?:on|with|at)\b`, {
    type: 'COMMITMENT',
    before: 'payer',
    weight: 0.9,
  }),
  cue('buys', String.raw`\b(?:buy(?:s|ing)?|bought|purchas(?:e|es|ed|ing)|order(?:s|ed|ing)?)\b`, {
    type: 'COMMITMENT',
    before: 'payer',
    weight: 0.85,
  }),
  cue(
    'provides',
    String.raw`\b(?:provid(?:e|es|ed|ing)|suppl(?:y|ies|ied|ying)|deliver(?:s|ed|ing)?|sell(?:s|ing)?|sold)\b`,
    { type: 'COMMITMENT', before: 'payee', weight: 0.85 },
  ),
  cue('pays', String.raw`\b(?:pa(?:y|ys|ying|id))\b`, {
    type: 'EITHER',
    before: 'payer',
    weight: 0.75,
    unless:
      /\b(?:acqui\w*|takeover|buyout|merger|settle\w*|fines?|fined|penalt\w*|dividends?|salar\w*|tax\w*)\b/i,
  }),
  cue(
    'invests-in',
    String.raw`\b(?:invest(?:s|ed|ing)?|pump(?:s|ed|ing)?|pour(?:s|ed|ing)?|inject(?:s|ed|ing)?|put(?:s|ting)?|plow(?:s|ed|ing)?|sink(?:s|ing)?|sank)\b${gap(100)}\b(?:in|into)\b`,
    { type: 'INVESTMENT', before: 'payer', weight: 0.9 },
  ),
  cue('investment-in', String.raw`\b(?:investment|stake|infusion|injection)\s+(?:in|into)\b`, {
    type: 'INVESTMENT',
    before: 'payer',
    weight: 0.75,
  }),
  cue('pledges', String.raw`\b(?:pledg(?:e|es|ed|ing)|commit(?:s|ted|ting)?)\b`, {
    type: 'EITHER',
    before: 'payer',
    weight: 0.75,
  }),
  cue(
    'uses',
    String.raw`\b(?:us(?:e|es|ed|ing)|utili[sz](?:e|es|ed|ing)|deploy(?:s|ed|ing)?|rel(?:y|ies|ied)\s+on|run(?:s|ning)?\s+on|tap(?:s|ped)?)\b`,
    { type: 'COMMITMENT', before: 'payer', weight: 0.7 },
  ),
  cue(
    'x-and-y-sign',
    String.raw`\band\b(?=${gap(60)}\b(?:announc(?:e|es|ed|ing)|sign(?:s|ed|ing)?|ink(?:s|ed)?|str(?:ike|ikes|uck)|reach(?:es|ed)?|seal(?:s|ed)?|unveil(?:s|ed)?|agree(?:s|d)?\s+(?:on|to))\b${gap(80)}\b(?:deal|contract|agreement|pact|partnership)\b)`,
    { type: 'EITHER', before: 'payer', weight: 0.55, bySector: true, adjacent: true },
  ),
  cue(
    'deal-with',
    String.raw`\b(?:deal|contract|agreement|pact|partnership)\b(?:[^;!?.]|\.(?=\d)){0,30}?\bwith\b`,
    { type: 'EITHER', before: 'payer', weight: 0.6, bySector: true },
  ),
];

/** Shares, not services: a purchase or sale of these is an investment. */
export const EQUITY_WORDS = /\b(?:stake|shares?|stock|equity|warrants?)\b/i;
const INVESTMENT_WORDS =
  /\b(?:invest\w*|stake|equity|funding|round|shares|stock|warrants?|backing)\b/i;
const SPENDING_WORDS =
  /\b(?:spend\w*|cloud|compute|computing|capacity|services|infrastructure|chips?|GPUs?|TPUs?|servers?|systems|data\s+cent(?:er|re)s?|purchases?|gigawatts?|GW)\b/i;

/**
 * How much a sector marks a company as the provider of compute in a deal without a direction
 * word (`X signs a cloud deal with Y`): a cloud or chip company provides, a lab pays.
 */
const PROVIDER_SCORE: Record<string, number> = {
  CLOUD_PROVIDER: 3,
  NEOCLOUD: 3,
  CHIPMAKER: 3,
  NETWORKING: 2,
  HYPERSCALER: 1,
  SOFTWARE: 0,
  OTHER: 0,
  CONSUMER_INTERNET: -1,
  AI_LAB: -2,
  INVESTOR: -2,
};

export function providerScore(company: CompanyRow | undefined): number {
  if (!company || company.sectors.length === 0) return 0;
  return Math.max(...company.sectors.map((s) => PROVIDER_SCORE[s] ?? 0));
}

/** Investment or commitment, for a cue whose words do not say (`pledges`, `deal with`). */
export function typeFromContext(sentence: string, payee: CompanyRow | undefined): DealType {
  if (SPENDING_WORDS.test(sentence)) return 'COMMITMENT';
  if (INVESTMENT_WORDS.test(sentence)) return 'INVESTMENT';
  return providerScore(payee) > 0 ? 'COMMITMENT' : 'INVESTMENT';
}

/**
 * What a commitment buys: the provider's sector first (a chipmaker sells hardware, a cloud
 * provider cloud), then the words (rent, lease and capacity are capacity; chips and systems
 * hardware); cloud otherwise.
 */
export function commitmentKindOf(
  sentence: string,
  provider: CompanyRow | undefined,
): CommitmentKind {
  const sectors = provider?.sectors ?? [];
  const leasing = /\b(?:rent\w*|leas\w*|capacity)\b/i.test(sentence);
  if (sectors.includes('CHIPMAKER')) return 'HARDWARE';
  if (sectors.includes('CLOUD_PROVIDER')) return 'CLOUD';
  if (sectors.includes('NEOCLOUD')) return leasing ? 'CAPACITY' : 'CLOUD';
  if (/\b(?:rent\w*|leas\w*)\b/i.test(sentence)) return 'CAPACITY';
  if (/\b(?:chips?|GPUs?|accelerators?|processors?|systems|servers?|hardware)\b/i.test(sentence))
    return 'HARDWARE';
  if (/\bcapacity\b/i.test(sentence) && !/\bcloud\b/i.test(sentence)) return 'CAPACITY';
  return 'CLOUD';
}

/** The status the words give, or null when they say nothing particular. */
export function statusOf(sentence: string): DealStatus | null {
  if (
    /\b(?:letter\s+of\s+intent|LOI|memorandum\s+of\s+understanding|non-binding|intends?\s+to|intention\s+to)\b/i.test(
      sentence,
    )
  )
    return 'LETTER_OF_INTENT';
  if (/\b(?:in\s+(?:advanced\s+|early\s+)?talks|in\s+discussions|negotiating)\b/i.test(sentence))
    return 'TALKS';
  if (
    /\b(?:cancel(?:s|led|ed)|scrap(?:s|ped)|call(?:s|ed)\s+off|abandon(?:s|ed))\b/i.test(sentence)
  )
    return 'CANCELLED';
  if (/\b(?:completed|closed|has\s+closed|finali[sz]ed)\b/i.test(sentence)) return 'COMPLETED';
  if (
    /\b(?:sign(?:s|ed)?|ink(?:s|ed)?|definitive\s+agreement|contract(?:s|ed)?|agreed|seal(?:s|ed))\b/i.test(
      sentence,
    )
  )
    return 'DEFINITIVE_AGREEMENT';
  return null;
}

/** Words that stand for a company named earlier (`it`, `the software giant`). */
export const REFERS_BACK =
  /\b(?:it|its|they|the\s+(?:[\w-]+\s+){0,2}(?:company|firm|group|startup|start-up|lab|maker|developer|giant|chipmaker|designer|provider|retailer|investor|conglomerate))\b/gi;
