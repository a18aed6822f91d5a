/**
 * Company names and aliases from the graph itself, found in sentences; and, where a deal names a
 * company the graph does not know, the proper name in that place and a suggested id for it.
 */
import type { CompanyRow } from '../stores/rows.js';

export interface CompanyMention {
  start: number;
  end: number;
  /** The words as written (`AWS`, `Google Cloud`). */
  surface: string;
  company: CompanyRow;
}

interface Surface {
  text: string;
  company: CompanyRow;
}

const WORD = /[\p{L}\p{N}]+/gu;
const isWordChar = (ch: string | undefined): boolean =>
  ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

/** Lowercase slug in the graph's id format: `Mistral AI` -> `mistral-ai`. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
}

export class Gazetteer {
  /** Surfaces by their first word, lowercased; longest first. */
  private readonly byFirstWord = new Map<string, Surface[]>();
  private readonly byId = new Map<string, CompanyRow>();

  constructor(companies: readonly CompanyRow[]) {
    for (const company of companies) {
      this.byId.set(company.id, company);
      for (const name of new Set([company.name, ...company.aliases])) {
        const text = name.trim();
        const first = text.match(WORD)?.[0]?.toLowerCase();
        if (!first) continue;
        const list = this.byFirstWord.get(first) ?? [];
        list.push({ text, company });
        this.byFirstWord.set(first, list);
      }
    }
    for (const list of this.byFirstWord.values())
      list.sort((a, b) => b.text.length - a.text.length);
  }

  get size(): number {
    return this.byId.size;
  }

  company(id: string): CompanyRow | undefined {
    return this.byId.get(id);
  }

  /** The top-level parent's id: companies in one corporate family never deal with each other here. */
  rootOf(id: string): string {
    let current = id;
    const seen = new Set<string>();
    for (;;) {
      const parentId = this.byId.get(current)?.parentId;
      if (!parentId || seen.has(parentId)) return current;
      seen.add(current);
      current = parentId;
    }
  }

  /**
   * Companies named in the sentence, longest name first where names overlap (`Google Cloud`
   * before `Google`). Names match as written or in capitals (`NVIDIA` in a headline); not in lower
   * case, so that `meta`, `oracle` or `lambda` in running text are not companies.
   */
  mentions(sentence: string): CompanyMention[] {
    const found: CompanyMention[] = [];
    for (const word of sentence.matchAll(WORD)) {
      const start = word.index;
      if (found.length && start < (found.at(-1)?.end ?? 0)) continue;
      const candidates = this.byFirstWord.get(word[0].toLowerCase());
      if (!candidates) continue;
      for (const { text, company } of candidates) {
        const slice = sentence.slice(start, start + text.length);
        if (slice !== text && slice !== text.toUpperCase()) continue;
        if (isWordChar(sentence[start + text.length])) continue;
        found.push({ start, end: start + text.length, surface: slice, company });
        break;
      }
    }
    return found;
  }
}

/** Words that start with a capital but do not name a company on their own. */
const NOT_NAMES = new Set(
  (
    'A An The This That These Those It Its Their They He She We Our His Her I As In On At By For ' +
    'With From To Of And Or But If Under Over After Before While When Where Which Who Whose What ' +
    'AI US U.S. UK EU GPU GPUs CPU CEO CFO CTO TPU TPUs IPO LLM LLMs Inc Corp Ltd Co Group ' +
    'January February March April May June July August September October November December ' +
    'Monday Tuesday Wednesday Thursday Friday Saturday Sunday Question Answer Key Update Report ' +
    'Billion Million Trillion Cloud Data Capital Investment Deal Deals'
  ).split(' '),
);

const NAME_WORD = /^(?:[A-Z][\p{L}\p{N}&'.-]*|[a-z]{1,3}[A-Z][\p{L}\p{N}]*)$/u;

/**
 * A proper name (a run of capitalised words, such as `Mistral AI` or `Thinking Machines Lab`)
 * starting at `from` (after a preposition) or ending at `to` (before a verb), or undefined.
 * Used only where a deal cue says a company must be, and none of the graph's is there.
 */
export function properNameNear(
  sentence: string,
  at: number,
  side: 'after' | 'before',
): { name: string; start: number; end: number } | undefined {
  // A name is a few words long: only the stretch next to `at` is read.
  const from = side === 'after' ? at : Math.max(0, at - NAME_REACH);
  const found = properNameIn(
    sentence.slice(from, side === 'after' ? at + NAME_REACH : at),
    side === 'after' ? 0 : at - from,
    side,
  );
  return found && { name: found.name, start: found.start + from, end: found.end + from };
}

const NAME_REACH = 80;

function properNameIn(
  sentence: string,
  at: number,
  side: 'after' | 'before',
): { name: string; start: number; end: number } | undefined {
  const tokens: { text: string; start: number; end: number }[] = [];
  for (const m of sentence.matchAll(/[\p{L}\p{N}&'.-]+/gu)) {
    const text = m[0].replace(/['’]s$|[.'-]+$/u, '');
    if (text) tokens.push({ text, start: m.index, end: m.index + text.length });
  }
  const run: typeof tokens = [];
  if (side === 'after') {
    const first = tokens.findIndex((t) => t.start >= at);
    if (
      first < 0 ||
      /\S/.test(sentence.slice(at, tokens[first]?.start ?? at).replace(/[\s,:]/g, ''))
    )
      return undefined;
    for (let i = first; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (!NAME_WORD.test(t.text)) break;
      if (
        run.length &&
        /[^\s]/.test(sentence.slice(run.at(-1)!.end, t.start).replace(/['’]s$/, ''))
      )
        break;
      run.push(t);
    }
  } else {
    let last = -1;
    tokens.forEach((t, i) => {
      if (t.end <= at) last = i;
    });
    if (last < 0 || /[^\s]/.test(sentence.slice(tokens[last]!.end, at).replace(/['’]s/, '')))
      return undefined;
    for (let i = last; i >= 0; i--) {
      const t = tokens[i]!;
      if (!NAME_WORD.test(t.text)) break;
      if (run.length && /[^\s]/.test(sentence.slice(t.end, run[0]!.start))) break;
      run.unshift(t);
    }
    // A sentence's first word is capitalised anyway; only a name of more words, or a word that is
    // not an ordinary one, counts there.
    while (run.length && NOT_NAMES.has(run[0]!.text)) run.shift();
  }
  while (
    run.length &&
    NOT_NAMES.has(run.at(-1)!.text) &&
    run.length > 1 &&
    !/^[A-Z]{2,}$/.test(run.at(-1)!.text)
  )
    run.pop();
  if (!run.length || run.every((t) => NOT_NAMES.has(t.text))) return undefined;
  if (NOT_NAMES.has(run[0]!.text)) return undefined;
  const start = run[0]!.start;
  const end = run.at(-1)!.end;
  return { name: sentence.slice(start, end), start, end };
}
