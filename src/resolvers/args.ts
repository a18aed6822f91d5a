/** Turns GraphQL arguments into store parameters, checking what the schema cannot express. */
import { badInput, type Problem } from '../errors.js';
import type { DealFilter, DealOrder, CompanyOrder, CompanyFilter } from '../generated/graphql.js';
import type { DealFilterParams, DealOrderKey, DealSide } from '../stores/dealStore.js';
import type { DealType } from '../stores/rows.js';
import type { DealPageArgs } from '../loaders.js';
import { listBinding, pageRequest, type PageArgs, type PageRequest } from '../stores/pagination.js';
import { luceneQuery, type CompanyOrderKey } from '../stores/companyStore.js';
import { dateKey, upperDateKey } from '../domain/partialDate.js';

export function dealFilter(
  where: DealFilter | null | undefined,
  field = 'where',
): DealFilterParams {
  const filter = where ?? {};
  const problems: Problem[] = [];
  // A month as announcedTo includes the whole month: 2025-09-15 to 2025-09 is a valid range.
  if (
    filter.announcedFrom &&
    filter.announcedTo &&
    dateKey(filter.announcedFrom) > upperDateKey(filter.announcedTo)
  ) {
    problems.push({ field: `${field}.announcedFrom`, message: 'must not be after announcedTo' });
  }
  for (const bound of ['minAmountUsd', 'maxAmountUsd'] as const) {
    const value = filter[bound];
    if (value != null && value < 0)
      problems.push({ field: `${field}.${bound}`, message: 'must not be negative' });
  }
  if (
    filter.minAmountUsd != null &&
    filter.maxAmountUsd != null &&
    filter.minAmountUsd > filter.maxAmountUsd
  ) {
    problems.push({ field: `${field}.minAmountUsd`, message: 'must not exceed maxAmountUsd' });
  }
  if (problems.length) throw badInput(problems);
  return {
    companyId: filter.companyId ?? null,
    fromCompanyId: filter.fromCompanyId ?? null,
    toCompanyId: filter.toCompanyId ?? null,
    types: filter.types ?? null,
    commitmentKinds: filter.commitmentKinds ?? null,
    statuses: filter.statuses ?? null,
    announcedFrom: filter.announcedFrom ?? null,
    announcedTo: filter.announcedTo ?? null,
    minAmountUsd: filter.minAmountUsd ?? null,
    maxAmountUsd: filter.maxAmountUsd ?? null,
  };
}

/**
 * `where` with `asOf` folded into `announcedTo` (the earlier bound applies): a month is the whole
 * month and undated deals drop out, as with `announcedTo`.
 */
export function dealFilterAsOf(
  where: DealFilter | null | undefined,
  asOf: string | null | undefined,
): DealFilter | null | undefined {
  if (!asOf) return where;
  const to = where?.announcedTo;
  if (where?.announcedFrom && dateKey(where.announcedFrom) > upperDateKey(asOf))
    throw badInput([{ field: 'asOf', message: 'must not be before where.announcedFrom' }]);
  return {
    ...where,
    announcedTo: !to || upperDateKey(asOf) < upperDateKey(to) ? asOf : to,
  };
}

export function dealOrder(orderBy: DealOrder | null | undefined): DealOrderKey {
  return `${orderBy?.field ?? 'ANNOUNCED_ON'}_${orderBy?.direction ?? 'DESC'}`;
}

/**
 * Longest company search text, and most words in it. Every word is a prefix clause of one Lucene
 * query, and Lucene refuses a query of more than 1,024 clauses (a 1,500-word search answered
 * INTERNAL_SERVER_ERROR); no name or alias has anywhere near this many words.
 */
export const MAX_SEARCH_CHARS = 200;
export const MAX_SEARCH_WORDS = 16;

/** Refuses a company search text past the caps, with BAD_USER_INPUT naming `where.search`. */
export function checkCompanySearch(where: CompanyFilter | null | undefined): void {
  const search = where?.search;
  if (!search) return;
  const problems: Problem[] = [];
  if (search.length > MAX_SEARCH_CHARS) {
    problems.push({
      field: 'where.search',
      message: `is ${search.length} characters long; at most ${MAX_SEARCH_CHARS} are allowed`,
    });
  } else {
    const words = luceneQuery(search)?.split(' AND ').length ?? 0;
    if (words > MAX_SEARCH_WORDS) {
      problems.push({
        field: 'where.search',
        message: `has ${words} words; at most ${MAX_SEARCH_WORDS} are allowed`,
      });
    }
  }
  if (problems.length) throw badInput(problems);
}

export function companyOrder(
  orderBy: CompanyOrder | null | undefined,
  where: CompanyFilter | null | undefined,
): CompanyOrderKey {
  const searching = Boolean(where?.search?.trim());
  const field = orderBy?.field ?? (searching ? 'RELEVANCE' : 'NAME');
  if (field === 'RELEVANCE' && !searching) {
    throw badInput([{ field: 'orderBy.field', message: 'RELEVANCE needs a where.search text' }]);
  }
  return `${field}_${orderBy?.direction ?? 'ASC'}`;
}

/**
 * The page of one of a company's deal lists (`investmentsMade`, ...: deals of `type` on `side`)
 * that its arguments ask for; `load` is null when the filter's types exclude the list's type
 * (the page is empty without a query).
 */
export function dealListArgs(
  type: DealType,
  side: DealSide,
  args: PageArgs & { where?: DealFilter | null },
): { page: PageRequest; load: DealPageArgs | null } {
  const filter = dealFilter(args.where);
  // Cursors are bound to the list (type and side) and its filter, not to the company listing it.
  const page = pageRequest(args, listBinding(`Company.deals:${type}:${side}`, filter));
  if (filter.types && filter.types.length > 0 && !filter.types.includes(type)) {
    return { page, load: null };
  }
  return {
    page,
    load: { side, filter: { ...filter, types: [type] }, order: 'ANNOUNCED_ON_DESC', page },
  };
}
