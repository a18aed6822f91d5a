/**
 * Reviewed drafts (`DealDraftInput`) as the writes recordInvestment and recordCommitment make:
 * each is checked by the same checkDeal, under its own path (`input[1].from.id`), so a draft is
 * accepted or refused for the same reasons as a deal typed in by hand.
 */
import type { Problem } from '../errors.js';
import type { DealDraftInput } from '../generated/graphql.js';
import {
  DEAL_SIDES,
  checkCompany,
  checkDeal,
  type Checked,
  type CompanyWrite,
  type DealWrite,
} from '../domain/validate.js';
import { slugify } from './gazetteer.js';

/** A company a draft names: created when it does not exist and the draft gave its name. */
export interface DraftPartyRef {
  id: string;
  /** The path of its id in the input, for problems (`input[0].to.id`). */
  field: string;
  /** Set when the draft names it, so it can be created. */
  create: CompanyWrite | null;
}

export interface DraftWrites {
  deals: DealWrite[];
  parties: DraftPartyRef[];
}

/**
 * The id a draft is recorded under when it gives none: `{from}-{to}-{YYYY-MM or undated}` and the
 * amount when known (`amazon-anthropic-2025-11-5b`), so that recording a draft twice writes it
 * once, and two deals of one pair in one month, or a record typed in by hand under
 * `{from}-{to}-{YYYY-MM}`, are not overwritten by it.
 */
export function draftDealId(
  fromId: string,
  toId: string,
  announcedOn: string | null | undefined,
  amountUsd?: number | null,
): string {
  const when = announcedOn ? announcedOn.slice(0, 7) : 'undated';
  const amount = amountUsd != null && amountUsd >= 0 ? amountSlug(amountUsd) : '';
  return slugify(`${fromId}-${toId}-${when}${amount ? `-${amount}` : ''}`);
}

/** `5e9` -> `5b`, `1.25e9` -> `1-25b`, `16e6` -> `16m`, `2.5e12` -> `2-5t`. */
function amountSlug(amount: number): string {
  for (const [suffix, scale] of [
    ['t', 1e12],
    ['b', 1e9],
    ['m', 1e6],
    ['k', 1e3],
  ] as const) {
    if (amount >= scale) return `${Number((amount / scale).toFixed(3))}${suffix}`.replace('.', '-');
  }
  return String(Math.round(amount));
}

export function checkDraftInputs(input: readonly DealDraftInput[]): Checked<DraftWrites> {
  const problems: Problem[] = [];
  const deals: DealWrite[] = [];
  const parties: DraftPartyRef[] = [];
  const idsSeen = new Map<string, number>();
  if (input.length === 0) problems.push({ field: 'input', message: 'give at least one draft' });
  if (input.length > 100) problems.push({ field: 'input', message: 'at most 100 drafts at once' });

  input.forEach((draft, i) => {
    const at = `input[${i}]`;
    const [fromField, toField] = DEAL_SIDES[draft.type];
    // Fields of the other type of deal would be dropped silently by checkDeal: refuse them.
    const misplaced =
      draft.type === 'INVESTMENT'
        ? (['commitmentKind', 'term'] as const)
        : (['instrument'] as const);
    for (const field of misplaced) {
      if (draft[field] != null)
        problems.push({
          field: `${at}.${field}`,
          message: `is not a field of ${draft.type === 'INVESTMENT' ? 'an investment' : 'a commitment'}`,
        });
    }
    const id =
      draft.id ?? draftDealId(draft.from.id, draft.to.id, draft.announcedOn, draft.amountUsd);
    const loose: Record<string, unknown> = {
      id,
      [fromField]: draft.from.id,
      [toField]: draft.to.id,
      amountUsd: draft.amountUsd,
      amountIsUpperBound: draft.amountIsUpperBound,
      quantity: draft.quantity,
      announcedOn: draft.announcedOn,
      status: draft.status,
      instrument: draft.instrument,
      kind: draft.commitmentKind,
      term: draft.term,
      note: draft.note,
      sources: draft.sources,
    };
    const checked = checkDeal(draft.type, loose, at);
    if (!checked.ok) {
      for (const p of checked.problems)
        problems.push({ field: draftPath(p.field, at, fromField, toField), message: p.message });
    } else {
      const earlier = idsSeen.get(checked.value.id);
      if (earlier !== undefined) {
        problems.push({
          field: `${at}.id`,
          message: `'${checked.value.id}' is also the id of input[${earlier}]: give one of them its own id`,
        });
      }
      idsSeen.set(checked.value.id, i);
      deals.push(checked.value);
    }
    for (const side of ['from', 'to'] as const) {
      const party = draft[side];
      let create: CompanyWrite | null = null;
      if (party.name != null) {
        const company = checkCompany({ id: party.id, name: party.name }, `${at}.${side}`);
        if (company.ok) create = company.value;
        else problems.push(...company.problems);
      }
      parties.push({ id: party.id, field: `${at}.${side}.id`, create });
    }
  });
  return problems.length ? { ok: false, problems } : { ok: true, value: { deals, parties } };
}

/** `input[0].investorId` -> `input[0].from.id`; `input[0].kind` -> `input[0].commitmentKind`. */
function draftPath(field: string, at: string, fromField: string, toField: string): string {
  const rest = field.slice(at.length + 1);
  if (rest === fromField) return `${at}.from.id`;
  if (rest === toField) return `${at}.to.id`;
  if (rest === 'kind') return `${at}.commitmentKind`;
  return field;
}
