/**
 * The `DealFilter` of `Query.deals`, evaluated on one deal row in memory: live events test each
 * changed deal as it comes, and a deleted deal exists only as the row the change log kept. The
 * same rules as the store's Cypher predicate (dealStore.ts dealFilterOn), on the same params
 * (filterParams): dates compare as YYYY-MM-DD keys, and a deal dated to the month passes an upper
 * bound only when its whole month does; a kind filter applies to commitments only.
 */
import { dateKey } from '../domain/partialDate.js';
import { filterParams, type DealFilterParams } from '../stores/dealStore.js';
import type { DealRow } from '../stores/rows.js';

export type DealPredicate = (deal: DealRow) => boolean;

export function dealPredicate(filter: DealFilterParams): DealPredicate {
  const p = filterParams(filter) as {
    types: string[] | null;
    kinds: string[] | null;
    statuses: string[] | null;
    from: string | null;
    to: string | null;
    toMonth: string | null;
    minAmount: number | null;
    maxAmount: number | null;
    companyId: string | null;
    fromCompanyId: string | null;
    toCompanyId: string | null;
  };
  return (d) => {
    const key = d.announcedOn ? dateKey(d.announcedOn) : null;
    if (p.types && !p.types.includes(d.type)) return false;
    if (p.kinds && d.type === 'COMMITMENT' && !p.kinds.includes(d.kind ?? '')) return false;
    if (p.statuses && !p.statuses.includes(d.status)) return false;
    if (p.from !== null && (key === null || key < p.from)) return false;
    if (p.to !== null) {
      if (key === null || key > p.to) return false;
      if (d.announcedOn && d.announcedOn.length !== 10 && d.announcedOn > (p.toMonth as string))
        return false;
    }
    if (p.minAmount !== null && (d.amountUsd == null || d.amountUsd < p.minAmount)) return false;
    if (p.maxAmount !== null && (d.amountUsd == null || d.amountUsd > p.maxAmount)) return false;
    if (p.companyId !== null && d.fromId !== p.companyId && d.toId !== p.companyId) return false;
    if (p.fromCompanyId !== null && d.fromId !== p.fromCompanyId) return false;
    if (p.toCompanyId !== null && d.toId !== p.toCompanyId) return false;
    return true;
  };
}
