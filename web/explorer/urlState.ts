/**
 * The view lives in the URL so that it can be shared and reloaded:
 * /explore?company=anthropic&depth=1&expand=nvidia&cycle=amazon>anthropic&maxLength=4
 *   &minAmount=1000000000&from=2023-01&to=2025-12&timeRespecting=1&panel=article
 */

export interface CycleFilters {
  /** 2 to 6: the graph can highlight cycles of up to 6 companies. */
  maxLength: number;
  /** Dollars; null: any amount (deals of unknown amount included). */
  minAmountUsd: number | null;
  /** YYYY-MM, inclusive. */
  from: string | null;
  to: string | null;
  timeRespecting: boolean;
}

export interface ViewState {
  company: string | null;
  /** 1 to 3 deal hops. */
  depth: number;
  /** Companies expanded by a click, drawn with their own neighbours. */
  expand: string[];
  /** The selected cycle, as its company ids joined by '>' (e.g. `amazon>anthropic`). */
  cycle: string | null;
  filters: CycleFilters;
  /** A panel open over the graph: `article`, the "paste an article" panel (see article.ts). */
  panel: 'article' | null;
}

export const DEFAULT_FILTERS: CycleFilters = {
  maxLength: 4,
  minAmountUsd: null,
  from: null,
  to: null,
  timeRespecting: false,
};

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function clampInt(raw: string | null, min: number, max: number, fallback: number): number {
  const value = raw === null ? NaN : Number(raw);
  return Number.isInteger(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

export function readState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const minAmount = Number(params.get('minAmount'));
  const month = (name: string): string | null => {
    const value = params.get(name);
    return value !== null && MONTH.test(value) ? value : null;
  };
  return {
    company: params.get('company')?.trim() || null,
    depth: clampInt(params.get('depth'), 1, 3, 1),
    expand: (params.get('expand') ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
    cycle: params.get('cycle')?.trim() || null,
    filters: {
      maxLength: clampInt(params.get('maxLength'), 2, 6, DEFAULT_FILTERS.maxLength),
      minAmountUsd: Number.isFinite(minAmount) && minAmount > 0 ? minAmount : null,
      from: month('from'),
      to: month('to'),
      timeRespecting: params.get('timeRespecting') === '1',
    },
    panel: params.get('panel') === 'article' ? 'article' : null,
  };
}

export function writeState(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.company) params.set('company', state.company);
  params.set('depth', String(state.depth));
  if (state.expand.length) params.set('expand', state.expand.join(','));
  if (state.cycle) params.set('cycle', state.cycle);
  const f = state.filters;
  if (f.maxLength !== DEFAULT_FILTERS.maxLength) params.set('maxLength', String(f.maxLength));
  if (f.minAmountUsd !== null) params.set('minAmount', String(f.minAmountUsd));
  if (f.from) params.set('from', f.from);
  if (f.to) params.set('to', f.to);
  if (f.timeRespecting) params.set('timeRespecting', '1');
  if (state.panel) params.set('panel', state.panel);
  // ',' reads better unescaped and is safe in a query string.
  return `/explore?${params.toString().replace(/%2C/g, ',')}`;
}
