/**
 * Whether a recorded deal looks like the one a draft describes, so that a deal is flagged rather
 * than drafted twice. The store has already matched the type and the two corporate families.
 */
import { dateKey } from '../domain/partialDate.js';
import type { DealRow } from '../stores/rows.js';

/** Amounts within this fraction of the larger are close (headline figures get rounded). */
export const AMOUNT_TOLERANCE = 0.1;
/** Dates within this many days are close (a report often follows the announcement by weeks). */
export const DATE_TOLERANCE_DAYS = 120;

interface DraftFigures {
  amountUsd: number | null;
  announcedOn: string | null;
}

/**
 * Close in amount and date. An unknown amount or date on either side does not rule a deal out:
 * it cannot say they differ (the seed's own record of the seed article is undated).
 */
export function looksLikeSameDeal(draft: DraftFigures, deal: DealRow): boolean {
  if (draft.amountUsd !== null && deal.amountUsd !== null) {
    const larger = Math.max(draft.amountUsd, deal.amountUsd);
    if (Math.abs(draft.amountUsd - deal.amountUsd) > AMOUNT_TOLERANCE * larger) return false;
  }
  if (draft.announcedOn && deal.announcedOn) {
    const days =
      Math.abs(Date.parse(dateKey(draft.announcedOn)) - Date.parse(dateKey(deal.announcedOn))) /
      86_400_000;
    if (days > DATE_TOLERANCE_DAYS) return false;
  }
  // Both amounts unknown and both undated says nothing either way; still the same pair and type.
  return true;
}
