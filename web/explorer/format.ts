/** Money and dates as the page prints them. An unknown amount is "unknown", never $0. */

export function usd(amount: number | null | undefined): string {
  if (amount === null || amount === undefined) return 'unknown';
  const abs = Math.abs(amount);
  if (abs >= 1e12) return `$${trim(amount / 1e12)}T`;
  if (abs >= 1e9) return `$${trim(amount / 1e9)}B`;
  if (abs >= 1e6) return `$${trim(amount / 1e6)}M`;
  if (abs >= 1e3) return `$${trim(amount / 1e3)}K`;
  return `$${amount}`;
}

function trim(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(value >= 10 ? 1 : 2).replace(/\.?0+$/, '');
}

/** A known sum with the count of deals of unknown amount beside it. */
export function usdWithUnknown(amount: number | null, unknownCount: number): string {
  if (amount === null || (amount === 0 && unknownCount > 0))
    return unknownCount > 1 ? `unknown (${unknownCount} deals)` : 'unknown';
  return unknownCount > 0 ? `${usd(amount)} + ${unknownCount} unknown` : usd(amount);
}

/** A cycle's round-trip ratio: unknown when it cannot be known, "≥ x" when more may come back. */
export function ratio(value: number | null, isLowerBound = false): string {
  if (value === null) return 'unknown';
  return `${isLowerBound ? '≥ ' : ''}${value.toFixed(2)}×`;
}

export function dateRange(first: string | null, last: string | null): string {
  if (!first && !last) return 'undated';
  if (first === last) return first ?? '';
  return `${first ?? '?'} – ${last ?? '?'}`;
}

export function label(enumValue: string): string {
  return enumValue.charAt(0) + enumValue.slice(1).toLowerCase().replace(/_/g, ' ');
}
