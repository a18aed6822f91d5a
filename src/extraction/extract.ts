/**
 * From a text to deal drafts: pure functions, no database. The caller supplies the gazetteer
 * (the graph's companies) and, afterwards, looks up recorded deals that may be the same
 * (existing.ts).
 *
 * For each sentence: companies (gazetteer), figures (money.ts), dates (dates.ts); a sentence
 * without a figure that could be a deal's size (a dollar amount that is not a valuation, revenue,
 * fine, ...; a vague amount; gigawatts) gives nothing. Then each cue (cues.ts) that matches
 * proposes the company before it and the company after it in their roles; the figure between
 * them (else the nearest) is the amount. Drafts of one deal found in several sentences (a
 * headline, the body, a summary) are merged, keeping the best-supported sentence as evidence.
 */
import type { CommitmentKind, DealStatus } from '../generated/graphql.js';
import type { CompanyRow, DealType, QuantityRow } from '../stores/rows.js';
import {
  CUES,
  EQUITY_WORDS,
  REFERS_BACK,
  commitmentKindOf,
  providerScore,
  statusOf,
  typeFromContext,
  type Cue,
} from './cues.js';
import { findDates } from './dates.js';
import { properNameNear, slugify, type CompanyMention, type Gazetteer } from './gazetteer.js';
import {
  findMoney,
  findQuantities,
  formatUsd,
  type MoneyMention,
  type QuantityMention,
} from './money.js';
import { splitSentences, type Sentence } from './sentences.js';

/**
 * Longest text extractDeals reads; longer is refused (BAD_USER_INPUT, `extensions.limit`). A long
 * news article is about 10,000 characters; parsing runs on the event loop at roughly 5 ms per
 * 1,000 characters (mostly sentence splitting), so the cap bounds a request's pause to ~0.1 s.
 */
export const MAX_TEXT_CHARS = 20_000;

export interface DraftPartyRow {
  name: string;
  company: CompanyRow | null;
  /** For a company the graph does not have: an id to create it under. */
  suggestedId: string | null;
}

export interface DraftEvidenceRow {
  sentence: string;
  start: number;
  end: number;
}

export interface DraftRow {
  type: DealType;
  from: DraftPartyRow;
  to: DraftPartyRow;
  amountUsd: number | null;
  amountIsUpperBound: boolean;
  quantity: QuantityRow | null;
  commitmentKind: CommitmentKind | null;
  status: DealStatus | null;
  announcedOn: string | null;
  evidence: DraftEvidenceRow;
  confidence: number;
  problems: string[];
  /** How many sentences reported this deal (the evidence is the best of them). */
  sentenceCount: number;
  /** Which cue found it, for explanations and the benchmark. */
  cue: string;
}

export interface ExtractOptions {
  /** The source's publication date: the draft's date when the text gives none. */
  sourceDate?: string | null;
}

interface Party {
  name: string;
  company: CompanyRow | null;
  start: number;
  end: number;
  /** Set when the party was taken from an earlier sentence (`it`, `the company`). */
  referredBack?: string;
}

interface Candidate {
  draft: DraftRow;
  sentenceIndex: number;
}

/** Companies named in earlier sentences that `it` / `the company` may stand for, newest last. */
const RECENT_MENTIONS = 20;

/**
 * Longest sentence read for deals. A news sentence is rarely over 400 characters; a longer
 * "sentence" is a table, a list or text without stops, and reading it would cost time for nothing.
 */
export const MAX_SENTENCE_CHARS = 1_000;

export function extractDrafts(
  text: string,
  gazetteer: Gazetteer,
  options: ExtractOptions = {},
): DraftRow[] {
  const sentences = splitSentences(text);
  const textDate = firstDate(sentences);
  const textStatus = sentences.some((s) => statusOf(s.text) === 'LETTER_OF_INTENT')
    ? 'LETTER_OF_INTENT'
    : null;
  const candidates: Candidate[] = [];
  const recent: CompanyMention[] = [];
  sentences.forEach((sentence, index) => {
    const mentions = gazetteer.mentions(sentence.text);
    for (const draft of draftsOfSentence(sentence, mentions, recent, gazetteer)) {
      draft.announcedOn = findDates(sentence.text)[0]?.date ?? null;
      draft.status = draft.status ?? textStatus ?? 'ANNOUNCED';
      candidates.push({ draft, sentenceIndex: index });
    }
    // Only the last few companies named can be what `it` refers to.
    recent.push(...mentions);
    recent.splice(0, Math.max(0, recent.length - RECENT_MENTIONS));
  });
  const merged = merge(candidates);
  for (const draft of merged) {
    if (!draft.announcedOn) draft.announcedOn = textDate ?? options.sourceDate ?? null;
    if (!draft.announcedOn)
      draft.problems.push('no date in the text or the source: set announcedOn');
  }
  return merged;
}

function firstDate(sentences: readonly Sentence[]): string | null {
  for (const s of sentences) {
    const date = findDates(s.text)[0];
    if (date) return date.date;
  }
  return null;
}

function draftsOfSentence(
  sentence: Sentence,
  mentions: CompanyMention[],
  recent: readonly CompanyMention[],
  gazetteer: Gazetteer,
): DraftRow[] {
  const text = sentence.text;
  if (text.length > MAX_SENTENCE_CHARS) return [];
  const money = findMoney(text).filter((m) => m.role === 'deal');
  const quantities = findQuantities(text);
  if (money.length === 0 && quantities.length === 0) return [];
  const usedMoney = new Set<MoneyMention>();
  const usedQuantities = new Set<QuantityMention>();
  const drafts: DraftRow[] = [];
  const pairs = new Set<string>();
  for (const cue of CUES) {
    if (cue.unless?.test(text)) continue;
    for (const match of text.matchAll(cue.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      const found = partiesOf(cue, text, start, end, mentions, recent, gazetteer);
      if (!found) continue;
      const [before, after] = found;
      const problems: string[] = [];
      let payer = cue.before === 'payer' ? before : after;
      let payee = cue.before === 'payer' ? after : before;
      let type: DealType =
        cue.type === 'EITHER' ? typeFromContext(text, payee.company ?? undefined) : cue.type;
      // Buying or selling shares is an investment: the buyer invests in the company whose shares
      // they are (the seller, in `X sells shares to Y`).
      if (
        type === 'COMMITMENT' &&
        EQUITY_WORDS.test(text.slice(start, Math.max(after.end, end) + 20))
      )
        type = 'INVESTMENT';
      if (cue.bySector) {
        const settled = directionBySector(before, after, type);
        if (!settled) {
          problems.push(
            `ambiguous direction: '${before.name}' and '${after.name}' ${type === 'INVESTMENT' ? 'could each be the investor' : 'could each be the provider'}; check who pays whom`,
          );
        } else {
          [payer, payee] = settled;
          problems.push(
            `direction inferred from the companies' sectors: ${payee.name} ${type === 'INVESTMENT' ? 'receives' : 'provides'}, ${payer.name} pays; check it`,
          );
        }
      }
      const fromKey = partyKey(payer);
      const toKey = partyKey(payee);
      if (fromKey === toKey) continue;
      if (
        payer.company &&
        payee.company &&
        gazetteer.rootOf(payer.company.id) === gazetteer.rootOf(payee.company.id)
      )
        continue; // within one corporate family: internal, not a deal between two companies
      // One draft per type and pair of companies per sentence: the first cue (by precedence) wins.
      const pairKey = [type, ...[fromKey, toKey].sort()].join('|');
      if (pairs.has(pairKey)) continue;

      const lo = Math.min(before.start, start);
      const hi = Math.max(after.end, end);
      const figure =
        pick(
          money.filter((m) => !m.vague),
          usedMoney,
          lo,
          hi,
        ) ??
        pick(
          money.filter((m) => m.vague),
          usedMoney,
          lo,
          hi,
        );
      const quantity = pick(quantities, usedQuantities, lo, hi);
      if (!figure && !quantity) continue;
      pairs.add(pairKey);
      if (figure) usedMoney.add(figure);
      if (quantity) usedQuantities.add(quantity);

      let confidence = cue.weight;
      for (const party of [payer, payee]) {
        if (!party.company) {
          confidence -= 0.15;
          problems.push(
            `'${party.name}' is not in the graph: create it (suggested id '${slugify(party.name)}') or choose an existing company`,
          );
        }
        if (party.referredBack) {
          confidence -= 0.2;
          problems.push(
            `${party === payer ? (type === 'INVESTMENT' ? 'investor' : 'customer') : type === 'INVESTMENT' ? 'investee' : 'provider'} '${party.name}' is not named in this sentence ('${party.referredBack}'); taken from an earlier one`,
          );
        }
      }
      if (figure?.vague) {
        confidence -= 0.05;
        problems.push(`amount unknown: the text says '${figure.raw}'`);
      } else if (figure && figure.amountUsd === null) {
        problems.push(
          `amount in ${figure.currency} ('${figure.raw}'): not converted to USD; set amountUsd`,
        );
      } else if (!figure) {
        confidence -= 0.1;
        problems.push('no dollar amount in the sentence, only a quantity');
      }
      if (figure?.lowerBound)
        problems.push(`'${figure.raw}' is a lower bound; the amount may be higher`);
      if (new Set(mentions.map((m) => m.company.id)).size > 2) confidence -= 0.05;
      if (/\brespectively\b/i.test(text)) {
        // `X and Y invest $A and $B, respectively, in Z`: the pairing is beyond these cues.
        confidence -= 0.3;
        problems.push(
          "the sentence pairs companies and figures 'respectively': check who pays and which amount is whose",
        );
      }

      drafts.push({
        type,
        from: partyRow(payer),
        to: partyRow(payee),
        amountUsd: figure?.amountUsd ?? null,
        amountIsUpperBound: figure?.amountUsd != null && figure.upperBound,
        quantity: quantity ? { value: quantity.value, unit: quantity.unit } : null,
        commitmentKind:
          type === 'COMMITMENT' ? commitmentKindOf(text, payee.company ?? undefined) : null,
        status: statusOf(text),
        announcedOn: null,
        evidence: { sentence: text, start: sentence.start, end: sentence.end },
        confidence: round(confidence),
        problems,
        sentenceCount: 1,
        cue: cue.name,
      });
    }
  }
  const others = money.filter((m) => !m.vague && !usedMoney.has(m));
  for (const draft of drafts) {
    if (others.length && draft.amountUsd !== null)
      draft.problems.push(
        `the sentence has other figures (${others.map((m) => m.raw).join(', ')}): check the amount`,
      );
  }
  return drafts;
}

/** The first unused mention inside [lo, hi], else the nearest after hi, else the nearest before lo. */
function pick<T extends { start: number; end: number }>(
  items: readonly T[],
  used: ReadonlySet<T>,
  lo: number,
  hi: number,
): T | undefined {
  const free = items.filter((m) => !used.has(m));
  return (
    free.find((m) => m.start >= lo && m.end <= hi) ??
    free.find((m) => m.start >= hi) ??
    free.filter((m) => m.end <= lo).at(-1)
  );
}

/** How far before a cue its first company may be named. */
const WINDOW = 150;
/**
 * How far after a cue its second company may be named: right after a closing preposition
 * (`invests $5B in` Anthropic, `on` Oracle's cloud, allowing a few words such as `AI startup`),
 * a little further after a verb (`buys 6 GW of` AMD chips); a company named further on is in
 * another clause (`... on capital projects, as demand from OpenAI ...`).
 */
const AFTER_PREPOSITION = 40;
const AFTER_VERB = 80;

/** The company before the cue and the company after it, or null when either is missing. */
function partiesOf(
  cue: Cue,
  text: string,
  start: number,
  end: number,
  mentions: readonly CompanyMention[],
  recent: readonly CompanyMention[],
  gazetteer: Gazetteer,
): [before: Party, after: Party] | null {
  let after: Party | undefined;
  if (cue.payeeInside) {
    // `is invested in Y by X`: X follows `by`; Y, when named inside, is the payee.
    const inside = mentions.find((m) => m.start >= start && m.end <= end);
    const byX = mentions.find((m) => m.start >= end && m.start - end <= 40);
    after = byX ? fromMention(byX) : unknownAfter(text, end);
    if (inside) return after ? [fromMention(inside), after] : null;
  } else {
    const reach = /\b(?:in|into|on|with|at|from|by|to)$/i.test(text.slice(start, end))
      ? AFTER_PREPOSITION
      : AFTER_VERB;
    const next = mentions.find((m) => m.start >= end && m.start - end <= reach);
    after = next ? fromMention(next) : unknownAfter(text, end);
  }
  if (!after) return null;
  if (cue.adjacent && after.start - end > 2) return null;
  const previous = mentions.filter((m) => m.end <= start && start - m.end <= WINDOW).at(-1);
  if (cue.adjacent) {
    return previous && start - previous.end <= 2 ? [fromMention(previous), after] : null;
  }
  let before: Party | undefined = previous ? fromMention(previous) : unknownBefore(text, start);
  if (!before) {
    // `it`, `the company`: the company most recently named in an earlier sentence.
    const pronoun = [...text.slice(0, start).matchAll(REFERS_BACK)].at(-1);
    const afterRoot = after.company ? gazetteer.rootOf(after.company.id) : null;
    const earlier = [...recent].reverse().find((m) => gazetteer.rootOf(m.company.id) !== afterRoot);
    if (pronoun && earlier) {
      before = {
        ...fromMention(earlier),
        start: pronoun.index,
        end: pronoun.index + pronoun[0].length,
        referredBack: pronoun[0],
      };
    }
  }
  return before ? [before, after] : null;
}

function fromMention(m: CompanyMention): Party {
  return { name: m.company.name, company: m.company, start: m.start, end: m.end };
}

/** A name the graph does not know, right after the cue (or after a preposition close by). */
function unknownAfter(text: string, at: number): Party | undefined {
  const direct = properNameNear(text, at, 'after');
  if (direct) return { name: direct.name, company: null, start: direct.start, end: direct.end };
  // Not after `in` or `on`: there a capitalised word is as often a place (`in Ohio`).
  const prep = /\b(?:from|with|to|of)\s+/gi;
  prep.lastIndex = at;
  const m = prep.exec(text);
  if (!m || m.index - at > 40) return undefined;
  const named = properNameNear(text, m.index + m[0].length, 'after');
  return named
    ? { name: named.name, company: null, start: named.start, end: named.end }
    : undefined;
}

const AUXILIARIES =
  /(?:\s+|^)(?:will|would|has|have|had|is|are|was|were|to|also|plans|planned|agreed|intends|is set|set|said it would|says it will|could|may|might|now|further|reportedly|already)\s*$/i;

/** A name the graph does not know, right before the cue, past auxiliaries (`X will ...`). */
function unknownBefore(text: string, at: number): Party | undefined {
  let end = at;
  for (let i = 0; i < 4; i++) {
    const aux = AUXILIARIES.exec(text.slice(0, end).trimEnd());
    if (!aux) break;
    end = aux.index;
  }
  const named = properNameNear(text, text.slice(0, end).trimEnd().length, 'before');
  return named
    ? { name: named.name, company: null, start: named.start, end: named.end }
    : undefined;
}

/**
 * Payer and payee of a deal whose words give no direction: the company more like a provider of
 * compute (by sector) is paid. Null when the sectors do not tell them apart.
 */
function directionBySector(
  a: Party,
  b: Party,
  type: DealType,
): [payer: Party, payee: Party] | null {
  if (type === 'INVESTMENT') return null;
  const sa = providerScore(a.company ?? undefined);
  const sb = providerScore(b.company ?? undefined);
  if (sa === sb) return null;
  return sa > sb ? [b, a] : [a, b];
}

function partyKey(p: Party): string {
  return p.company ? p.company.id : `new:${slugify(p.name)}`;
}

function partyRow(p: Party): DraftPartyRow {
  return p.company
    ? { name: p.company.name, company: p.company, suggestedId: null }
    : { name: p.name, company: null, suggestedId: slugify(p.name) || null };
}

function draftPartyKey(p: DraftPartyRow): string {
  return p.company ? p.company.id : `new:${p.suggestedId}`;
}

const round = (x: number): number => Math.round(Math.min(0.99, Math.max(0.05, x)) * 100) / 100;

/**
 * One draft per deal: the same type, companies and amount in several sentences are one deal; a
 * mention without an amount joins the one deal of its type and companies that has one.
 */
function merge(candidates: readonly Candidate[]): DraftRow[] {
  const groups = new Map<string, DraftRow[]>();
  for (const { draft } of candidates) {
    const key = [
      draft.type,
      draftPartyKey(draft.from),
      draftPartyKey(draft.to),
      draft.amountUsd ?? '?',
    ].join('|');
    const group = groups.get(key);
    if (group) group.push(draft);
    else groups.set(key, [draft]);
  }
  // Amount-less groups fold into the single group of their pair and type with an amount.
  for (const [key, group] of [...groups]) {
    if (!key.endsWith('|?')) continue;
    const prefix = key.slice(0, -1);
    const known = [...groups.keys()].filter((k) => k.startsWith(prefix) && !k.endsWith('|?'));
    if (known.length === 1) {
      groups.get(known[0]!)!.push(...group);
      groups.delete(key);
    }
  }
  const drafts: DraftRow[] = [];
  for (const group of groups.values()) {
    // The best-supported sentence is the evidence: highest confidence, then the earliest.
    const best = group.reduce((a, b) => (b.confidence > a.confidence ? b : a));
    const draft: DraftRow = { ...best, problems: [...best.problems] };
    draft.sentenceCount = group.length;
    draft.confidence = round(best.confidence + 0.03 * (group.length - 1));
    draft.amountIsUpperBound = group.some((d) => d.amountUsd !== null && d.amountIsUpperBound);
    draft.quantity = best.quantity ?? group.find((d) => d.quantity)?.quantity ?? null;
    draft.announcedOn = best.announcedOn ?? group.find((d) => d.announcedOn)?.announcedOn ?? null;
    if (draft.amountIsUpperBound && !best.amountIsUpperBound)
      draft.problems.push(
        `another sentence calls ${formatUsd(draft.amountUsd ?? 0)} an upper bound ("up to")`,
      );
    drafts.push(draft);
  }
  return drafts.sort((a, b) => a.evidence.start - b.evidence.start);
}
