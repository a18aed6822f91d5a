/**
 * Dollar figures and physical quantities in a sentence.
 *
 * Recognised: `$5 billion`, `$5B`, `$100bn`, `US$350m`, `$1.25 billion`, `5 billion dollars`,
 * `USD 2 billion`, `$10 billion-plus`; `up to` / `as much as` mark an upper bound. Vague figures
 * (`tens of billions`, `multibillion-dollar`, `billions of dollars`) are found but have no amount.
 * Figures in another currency are found with their currency and no dollar amount (no conversion).
 * Each figure is also given a role: `deal` or one of the reasons it is not the size of a deal
 * between two companies (a valuation, revenue, a fine, a running total, a share price, capex, ...).
 */

export type MoneyRole =
  | 'deal'
  | 'valuation'
  | 'financials'
  | 'fine'
  | 'total'
  | 'sharePrice'
  | 'capex'
  | 'savings'
  | 'roundSize';

export interface MoneyMention {
  start: number;
  end: number;
  raw: string;
  /** In dollars; null for a vague figure or another currency. */
  amountUsd: number | null;
  currency: string;
  upperBound: boolean;
  /** `more than`, `at least`, `-plus`: the figure is a floor. */
  lowerBound: boolean;
  vague: boolean;
  role: MoneyRole;
}

export interface QuantityMention {
  start: number;
  end: number;
  raw: string;
  value: number;
  unit: string;
  upperBound: boolean;
}

const SCALES: Record<string, number> = {
  trillion: 1e12,
  tn: 1e12,
  t: 1e12,
  billion: 1e9,
  bn: 1e9,
  bln: 1e9,
  b: 1e9,
  million: 1e6,
  mn: 1e6,
  mln: 1e6,
  m: 1e6,
  thousand: 1e3,
  k: 1e3,
};

const QUALIFIER = String.raw`(?:(?<upTo>up\s+to|as\s+much\s+as)|(?<floor>more\s+than|over|at\s+least|north\s+of)|about|around|roughly|nearly|almost|approximately|some|close\s+to|an?\s+(?:additional|further|extra|incremental)|another|~)?\s*`;
const NUMBER = String.raw`(?<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)`;
const SCALE = String.raw`(?<scale>trillion|billion|million|thousand|tn|bn|bln|mn|mln|[tbmk])`;
const CURRENCY = String.raw`(?<currency>US\$|USD\s?|\$|＄|€|EUR\s?|£|GBP\s?|¥|JPY\s?)`;
const PLUS = String.raw`(?<plus>\s?-?\s?plus\b|\+)?`;

/** `$5 billion`, `US$350m`, `€2.95bn`, `$23.28` */
const PREFIXED = new RegExp(
  String.raw`(?<![\p{L}\p{N}])${QUALIFIER}${CURRENCY}\s?${NUMBER}(?:\s?-?\s?${SCALE}(?![\p{L}]))?${PLUS}`,
  'giu',
);
/** `5 billion dollars`, `2 billion USD`, `$5 billion dollars` is PREFIXED */
const SUFFIXED = new RegExp(
  String.raw`(?<![\p{L}\p{N}$])${QUALIFIER}${NUMBER}\s?${SCALE}\s+(?<unit>(?:US\s+|U\.S\.\s+)?dollars|USD|euros?|EUR|pounds|GBP)(?![\p{L}])`,
  'giu',
);
const VAGUE =
  /(?<![\p{L}])(?:(?:tens|hundreds|dozens)\s+of\s+(?:billions|millions)(?:\s+of\s+dollars)?|multi-?(?:billion|million)(?:-dollar)?|(?:billions|millions)\s+of\s+dollars|undisclosed\s+(?:sum|amount)|an?\s+undisclosed\s+(?:sum|amount))(?![\p{L}])/giu;

const CURRENCY_CODES: Record<string, string> = {
  us$: 'USD',
  usd: 'USD',
  $: 'USD',
  '＄': 'USD',
  dollars: 'USD',
  'us dollars': 'USD',
  'u.s. dollars': 'USD',
  '€': 'EUR',
  eur: 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  '£': 'GBP',
  gbp: 'GBP',
  pounds: 'GBP',
  '¥': 'JPY',
  jpy: 'JPY',
};

/** Every figure in the sentence, in order of position. */
export function findMoney(sentence: string): MoneyMention[] {
  const found: MoneyMention[] = [];
  for (const pattern of [PREFIXED, SUFFIXED]) {
    for (const m of sentence.matchAll(pattern)) {
      const g = m.groups ?? {};
      const number = Number((g.number ?? '').replace(/,/g, ''));
      const scaleWord = g.scale?.toLowerCase();
      // A bare `$5` with a one-letter scale that is really a word (`$5 m` is fine, `$5 to` not).
      const scale = scaleWord ? (SCALES[scaleWord] ?? 1) : 1;
      const currencyKey = (g.currency ?? g.unit ?? '$').trim().toLowerCase().replace(/\s+/g, ' ');
      const currency = CURRENCY_CODES[currencyKey] ?? currencyKey.toUpperCase();
      const start = m.index;
      const end = start + m[0].length;
      if (!Number.isFinite(number)) continue;
      if (found.some((f) => f.start < end && start < f.end)) continue;
      found.push({
        start,
        end,
        raw: m[0].trim(),
        amountUsd: currency === 'USD' ? roundAmount(number * scale) : null,
        currency,
        upperBound: g.upTo !== undefined,
        lowerBound: g.floor !== undefined || g.plus !== undefined,
        vague: false,
        role: 'deal',
      });
    }
  }
  for (const m of sentence.matchAll(VAGUE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (found.some((f) => f.start < end && start < f.end)) continue;
    found.push({
      start,
      end,
      raw: m[0],
      amountUsd: null,
      currency: 'USD',
      upperBound: false,
      lowerBound: false,
      vague: true,
      role: 'deal',
    });
  }
  found.sort((a, b) => a.start - b.start);
  for (const money of found) money.role = roleOf(sentence, money);
  return found;
}

/** Floating-point noise out of `1.25 * 1e9` and the like. */
function roundAmount(value: number): number {
  return Math.round(value * 100) / 100;
}

const DEAL_NOUN =
  /\b(?:agreement|deal|contract|order|pact|partnership|package|commitment|lease)\b/i;

/**
 * Why a figure is not a deal's size, from the words just before and after it; `deal` otherwise.
 * The cues are deliberately few and literal, so that a reviewer can tell why a figure was left out.
 */
export function roleOf(sentence: string, money: Pick<MoneyMention, 'start' | 'end'>): MoneyRole {
  const before = sentence.slice(Math.max(0, money.start - 60), money.start);
  const after = sentence.slice(money.end, money.end + 40);
  if (/^\s*(?:a|per)\s+share\b/i.test(after)) return 'sharePrice';
  if (
    /^\s*(?:(?:on|in|for)\s+)?(?:capital\s+(?:expenditures?|spending|projects?|investments?)|capex)\b/i.test(
      after,
    )
  )
    return 'capex';
  if (
    /\b(?:capital\s+(?:expenditures?|spending|projects?|investments?)|capex)\b[^$€£¥]{0,30}$/i.test(
      before,
    )
  )
    return 'capex';
  const valued = /\b(?:valued|valuation|values?|valuing)\b([^$€£¥]{0,40})$/i.exec(before);
  if (valued) {
    const lead = before.slice(0, valued.index);
    if (!DEAL_NOUN.test(lead.slice(-40))) return 'valuation';
  }
  if (/\b(?:market\s+(?:value|cap(?:itali[sz]ation)?))\b[^$€£¥]{0,20}$/i.test(before))
    return 'valuation';
  if (
    /\b(?:revenues?|sales|income|profits?|earnings|losses|loss|turnover|bookings)\b(?:\s+\w+){0,3}\s*(?:of|to|at|was|were|rose\s+to|fell\s+to|reached|hit)?\s*(?:about|around|roughly|nearly|more\s+than|over|some)?\s*$/i.test(
      before,
    )
  )
    return 'financials';
  if (/^\s*(?:in|of)\s+(?:\w+\s+){0,2}(?:revenues?|sales|profits?|income)\b/i.test(after))
    return 'financials';
  if (
    /\b(?:fine[sd]?|penalty|penalties|settlement|damages|sanction(?:ed)?)\b[^$€£¥.]{0,25}$/i.test(
      before,
    )
  )
    return 'fine';
  if (/\bsav(?:e|es|ing|ings)\b[^$€£¥.]{0,40}$/i.test(before)) return 'savings';
  if (
    /\b(?:total(?:ing|ling|ed|led)?|bringing\b[^$€£¥]{0,60}\bto|brings?\b[^$€£¥]{0,60}\bto|cumulative(?:ly)?|in\s+all|altogether|rise\s+to|rises\s+to|grow\s+to)\s*(?:of|to)?\s*(?:about|around|roughly|nearly|more\s+than|over|some)?\s*$/i.test(
      before,
    )
  )
    return 'total';
  if (/\bround\s+(?:of\s+)?(?:up\s+to\s+|about\s+|around\s+|roughly\s+)?$/i.test(before))
    return 'roundSize';
  return 'deal';
}

const WORD_NUMBERS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

const QUANTITY = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?<upTo>up\s+to\s+)?(?:(?:at\s+least|about|around|roughly|nearly|some|over|more\s+than)\s+)?(?<number>\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|an?)\s?-?\s?(?<unit>gigawatts?|gw|megawatts?|mw)(?![\p{L}])`,
  'giu',
);

/** Power quantities (`10 gigawatts`, `1.5GW`, `500 MW`), in GW or MW. */
export function findQuantities(sentence: string): QuantityMention[] {
  const found: QuantityMention[] = [];
  for (const m of sentence.matchAll(QUANTITY)) {
    const g = m.groups ?? {};
    const word = (g.number ?? '').toLowerCase();
    const value = WORD_NUMBERS[word] ?? Number(word);
    if (!Number.isFinite(value)) continue;
    const unit = (g.unit ?? '').toLowerCase().startsWith('g') ? 'GW' : 'MW';
    found.push({
      start: m.index,
      end: m.index + m[0].length,
      raw: m[0],
      value,
      unit,
      upperBound: g.upTo !== undefined,
    });
  }
  return found;
}

/** `$5 billion` -> `$5B`, for messages. */
export function formatUsd(amount: number): string {
  for (const [suffix, scale] of [
    ['T', 1e12],
    ['B', 1e9],
    ['M', 1e6],
  ] as const) {
    if (amount >= scale) return `$${Number((amount / scale).toFixed(3))}${suffix}`;
  }
  return `$${amount}`;
}
