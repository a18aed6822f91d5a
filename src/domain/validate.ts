/**
 * Validation and normalisation of everything that is written: the mutations and the bulk import
 * share these, so a record is accepted or refused for the same reasons on either path.
 * Each function returns the normalised record, or the list of problems with their field paths.
 */
import type { Problem } from '../errors.js';
import type { DealType } from '../stores/rows.js';
import { COMMITMENT_KINDS, DEAL_STATUSES, INSTRUMENTS, SECTORS } from './enums.js';
import { dateKey, partialDateProblem } from './partialDate.js';

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ID = 100;
const MAX_TEXT = 500;
const MAX_ALIASES = 50;
const MAX_SOURCES = 50;
/** Larger than any deal ever reported; a typo guard (a figure in another currency's units, say). */
const MAX_AMOUNT_USD = 1e13;

export interface CompanyWrite {
  id: string;
  name: string;
  aliases: string[];
  sectors: string[];
  country: string | null;
  website: string | null;
  parentId: string | null;
}

export interface SourceWrite {
  /** Identity of a source node: the same citation is one node, shared by the deals it backs. */
  key: string;
  publisher: string;
  title: string | null;
  url: string | null;
  publishedOn: string | null;
}

export interface DealWrite {
  id: string;
  type: DealType;
  fromId: string;
  toId: string;
  amountUsd: number | null;
  amountIsUpperBound: boolean;
  quantityValue: number | null;
  quantityUnit: string | null;
  announcedOn: string | null;
  announcedKey: string | null;
  status: string;
  instrument: string | null;
  kind: string | null;
  term: string | null;
  note: string | null;
  sources: SourceWrite[];
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Input as it arrives from GraphQL or a JSON file: shapes are checked here, not trusted. */
type Loose = Record<string, unknown>;

class Checker {
  readonly problems: Problem[] = [];
  constructor(private readonly prefix: string) {}

  private path(field: string): string {
    return this.prefix ? `${this.prefix}.${field}` : field;
  }

  fail(field: string, message: string): void {
    this.problems.push({ field: this.path(field), message });
  }

  id(input: Loose, field: string): string {
    const value = this.requiredText(input, field, MAX_ID);
    if (value && !SLUG.test(value)) {
      this.fail(
        field,
        `'${value}' is not a valid id: use lowercase letters, digits and single dashes`,
      );
    }
    return value;
  }

  requiredText(input: Loose, field: string, max = MAX_TEXT): string {
    const raw = input[field];
    if (typeof raw !== 'string' || raw.trim() === '') {
      this.fail(field, 'is required and must be a non-empty string');
      return '';
    }
    const value = raw.trim();
    if (value.length > max) this.fail(field, `must be at most ${max} characters`);
    return value;
  }

  optionalText(input: Loose, field: string, max = MAX_TEXT * 4): string | null {
    const raw = input[field];
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== 'string') {
      this.fail(field, 'must be a string');
      return null;
    }
    const value = raw.trim();
    if (value.length > max) this.fail(field, `must be at most ${max} characters`);
    return value === '' ? null : value;
  }

  optionalUrl(input: Loose, field: string): string | null {
    const value = this.optionalText(input, field, 2000);
    if (value === null) return null;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      this.fail(field, `'${value}' is not an http(s) URL`);
    }
    return value;
  }

  optionalDate(input: Loose, field: string): string | null {
    const value = this.optionalText(input, field, 10);
    if (value === null) return null;
    const problem = partialDateProblem(value);
    if (problem) this.fail(field, problem);
    return value;
  }

  optionalAmount(input: Loose, field: string): number | null {
    const raw = input[field];
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      this.fail(field, 'must be a number (USD), or left out when unknown');
      return null;
    }
    if (raw < 0) this.fail(field, `must not be negative (got ${raw})`);
    else if (raw > MAX_AMOUNT_USD)
      this.fail(field, `${raw} is implausibly large; amounts are in USD`);
    return raw;
  }

  boolean(input: Loose, field: string, fallback: boolean): boolean {
    const raw = input[field];
    if (raw === undefined || raw === null) return fallback;
    if (typeof raw !== 'boolean') {
      this.fail(field, 'must be true or false');
      return fallback;
    }
    return raw;
  }

  oneOf(input: Loose, field: string, allowed: readonly string[], required: boolean): string | null {
    const raw = input[field];
    if (raw === undefined || raw === null) {
      if (required) this.fail(field, `is required: one of ${allowed.join(', ')}`);
      return null;
    }
    if (typeof raw !== 'string' || !allowed.includes(raw)) {
      this.fail(field, `'${String(raw)}' is not one of ${allowed.join(', ')}`);
      return null;
    }
    return raw;
  }

  list(input: Loose, field: string, max: number): unknown[] {
    const raw = input[field];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      this.fail(field, 'must be a list');
      return [];
    }
    if (raw.length > max) this.fail(field, `must have at most ${max} entries`);
    return raw;
  }
}

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkCompany(input: unknown, prefix = 'input'): Checked<CompanyWrite> {
  const c = new Checker(prefix);
  if (!isObject(input))
    return { ok: false, problems: [{ field: prefix, message: 'must be an object' }] };
  const id = c.id(input, 'id');
  const name = c.requiredText(input, 'name', 200);

  const aliases: string[] = [];
  c.list(input, 'aliases', MAX_ALIASES).forEach((alias, i) => {
    if (typeof alias !== 'string' || alias.trim() === '')
      c.fail(`aliases[${i}]`, 'must be a non-empty string');
    else if (!aliases.includes(alias.trim())) aliases.push(alias.trim());
  });

  const sectors: string[] = [];
  c.list(input, 'sectors', SECTORS.length).forEach((sector, i) => {
    if (typeof sector !== 'string' || !(SECTORS as readonly string[]).includes(sector)) {
      c.fail(`sectors[${i}]`, `'${String(sector)}' is not one of ${SECTORS.join(', ')}`);
    } else if (!sectors.includes(sector)) sectors.push(sector);
  });

  let country = c.optionalText(input, 'country', 2);
  if (country !== null) {
    country = country.toUpperCase();
    if (!/^[A-Z]{2}$/.test(country))
      c.fail('country', `'${country}' is not an ISO 3166-1 alpha-2 code such as US`);
  }
  const website = c.optionalUrl(input, 'website');

  let parentId: string | null = null;
  if (input.parentId !== undefined && input.parentId !== null) {
    parentId = c.id(input, 'parentId');
    if (parentId === id) c.fail('parentId', 'a company cannot be its own parent');
  }
  return c.problems.length
    ? { ok: false, problems: c.problems }
    : { ok: true, value: { id, name, aliases, sectors, country, website, parentId } };
}

function checkSources(c: Checker, input: Loose): SourceWrite[] {
  const raw = c.list(input, 'sources', MAX_SOURCES);
  if (raw.length === 0 && !c.problems.some((p) => p.field.endsWith('sources'))) {
    c.fail(
      'sources',
      'at least one source is required (publisher, and title, url or date where known)',
    );
  }
  const sources: SourceWrite[] = [];
  raw.forEach((entry, i) => {
    if (!isObject(entry)) {
      c.fail(`sources[${i}]`, 'must be an object with a publisher');
      return;
    }
    const sc = new Checker('');
    const publisher = sc.requiredText(entry, 'publisher', 200);
    const title = sc.optionalText(entry, 'title');
    const url = sc.optionalUrl(entry, 'url');
    const publishedOn = sc.optionalDate(entry, 'publishedOn');
    for (const p of sc.problems) c.fail(`sources[${i}].${p.field}`, p.message);
    const key = JSON.stringify([publisher, title, url, publishedOn]);
    if (!sources.some((s) => s.key === key))
      sources.push({ key, publisher, title, url, publishedOn });
  });
  return sources;
}

/** The input fields naming the payer and the payee of each type of deal. */
export const DEAL_SIDES: Record<DealType, [from: string, to: string]> = {
  INVESTMENT: ['investorId', 'investeeId'],
  COMMITMENT: ['customerId', 'providerId'],
};

/**
 * An investment (`RecordInvestmentInput`) or a commitment (`RecordCommitmentInput`). `sides` names
 * the payer and payee fields when the input names them otherwise (a CSV file's fromId and toId).
 */
export function checkDeal(
  type: DealType,
  input: unknown,
  prefix = 'input',
  sides: readonly [from: string, to: string] = DEAL_SIDES[type],
): Checked<DealWrite> {
  const c = new Checker(prefix);
  if (!isObject(input))
    return { ok: false, problems: [{ field: prefix, message: 'must be an object' }] };
  const [fromField, toField] = sides;
  const id = c.id(input, 'id');
  const fromId = c.id(input, fromField);
  const toId = c.id(input, toField);
  if (fromId && fromId === toId)
    c.fail(toField, `must differ from ${fromField}: a company does not deal with itself`);

  const amountUsd = c.optionalAmount(input, 'amountUsd');
  const amountIsUpperBound = c.boolean(input, 'amountIsUpperBound', false);

  let quantityValue: number | null = null;
  let quantityUnit: string | null = null;
  if (input.quantity !== undefined && input.quantity !== null) {
    if (!isObject(input.quantity)) c.fail('quantity', 'must be an object { value, unit }');
    else {
      const qc = new Checker('');
      const value = input.quantity.value;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        qc.fail('value', 'must be a non-negative number');
      } else quantityValue = value;
      quantityUnit = qc.requiredText(input.quantity, 'unit', 50);
      for (const p of qc.problems) c.fail(`quantity.${p.field}`, p.message);
    }
  }

  const announcedOn = c.optionalDate(input, 'announcedOn');
  const status = c.oneOf(input, 'status', DEAL_STATUSES, true) ?? '';
  const instrument =
    type === 'INVESTMENT' ? c.oneOf(input, 'instrument', INSTRUMENTS, false) : null;
  const kind = type === 'COMMITMENT' ? c.oneOf(input, 'kind', COMMITMENT_KINDS, true) : null;
  const term = type === 'COMMITMENT' ? c.optionalText(input, 'term', 200) : null;
  const note = c.optionalText(input, 'note');
  const sources = checkSources(c, input);

  if (c.problems.length) return { ok: false, problems: c.problems };
  return {
    ok: true,
    value: {
      id,
      type,
      fromId,
      toId,
      amountUsd,
      amountIsUpperBound,
      quantityValue,
      quantityUnit,
      announcedOn,
      announcedKey: announcedOn === null ? null : dateKey(announcedOn),
      status,
      instrument,
      kind,
      term,
      note,
      sources,
    },
  };
}
