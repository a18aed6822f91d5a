/**
 * The side panel's detail view: a company (a clicked node) or the deals behind an edge, each with
 * status and sources (a link where the source has a URL).
 */
import { ApiFailure, graphql } from './api';
import { label, usd, usdWithUnknown } from './format';
import { moneyMoved } from './graphView';
import { EDGE_DEALS, type Deal, type GraphEdge, type GraphNode } from './queries';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
}

/** Only web links become links; anything else (javascript:, data:) stays text. */
function safeUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export interface NodeActions {
  focus(id: string): void;
  collapse?: (id: string) => void;
}

export function showNode(
  panel: HTMLElement,
  node: GraphNode,
  names: Map<string, string>,
  actions: NodeActions,
): void {
  const title = panel.querySelector<HTMLElement>('#details-title')!;
  const body = panel.querySelector<HTMLElement>('#details-body')!;
  panel.hidden = false;
  panel.dataset.kind = 'node';
  title.textContent = node.name;
  const t = node.totals;
  const dl = el('dl');
  const rows: [string, string][] = [
    ['Sectors', node.sectors.map(label).join(', ') || '—'],
    ['Part of', node.parentId ? (names.get(node.parentId) ?? node.parentId) : '—'],
    ['Hops from the selection', String(node.depth)],
    ['Money moved (known)', usd(moneyMoved(node))],
    ['Invested', usdWithUnknown(t.investedUsd, t.investedUnknownCount)],
    ['Raised', usdWithUnknown(t.raisedUsd, t.raisedUnknownCount)],
    ['Committed (spending)', usdWithUnknown(t.committedUsd, t.committedUnknownCount)],
    ['Commitments received', usdWithUnknown(t.receivedUsd, t.receivedUnknownCount)],
  ];
  for (const [term, value] of rows) dl.append(el('dt', term), el('dd', value));
  const buttons = el('p', undefined, 'actions');
  const focus = el('button', `Open ${node.name}`);
  focus.type = 'button';
  focus.addEventListener('click', () => actions.focus(node.companyId));
  buttons.append(focus);
  if (actions.collapse) {
    const collapse = el('button', 'Collapse');
    collapse.type = 'button';
    collapse.addEventListener('click', () => actions.collapse?.(node.companyId));
    buttons.append(collapse);
  }
  body.replaceChildren(dl, buttons);
}

function dealItem(deal: Deal): HTMLLIElement {
  const li = el('li');
  li.dataset.dealId = deal.id;
  const what =
    deal.__typename === 'Investment'
      ? `Investment${deal.instrument ? ` (${label(deal.instrument)})` : ''}`
      : `${label(deal.kind ?? 'commitment')} commitment${deal.term ? `, ${deal.term}` : ''}`;
  const amount = deal.amountUsd === null ? 'amount unknown' : usd(deal.amountUsd);
  const head = el('p');
  head.append(
    el('strong', `${deal.amountIsUpperBound ? 'up to ' : ''}${amount}`),
    ` · ${what} · ${deal.announcedOn ?? 'undated'} · `,
    el('span', label(deal.status), `status status-${deal.status.toLowerCase()}`),
  );
  li.append(head);
  if (deal.quantity) li.append(el('p', `${deal.quantity.value} ${deal.quantity.unit}`));
  if (deal.note) li.append(el('p', deal.note, 'note'));
  const sources = el('ul', undefined, 'sources');
  for (const source of deal.sources) {
    const item = el('li');
    const text = [source.publisher, source.title, source.publishedOn].filter(Boolean).join(', ');
    const href = source.url ? safeUrl(source.url) : null;
    if (href) {
      const link = el('a', text);
      link.href = href;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      item.append(link);
    } else {
      item.textContent = text;
    }
    sources.append(item);
  }
  li.append(sources);
  return li;
}

/**
 * The deals behind an edge: those between its two companies of its kind, kept to the edge's own
 * deal ids (`GraphEdge.dealIds`).
 */
export async function showEdge(
  panel: HTMLElement,
  edge: GraphEdge,
  names: Map<string, string>,
  signal: AbortSignal,
): Promise<void> {
  const title = panel.querySelector<HTMLElement>('#details-title')!;
  const body = panel.querySelector<HTMLElement>('#details-body')!;
  panel.hidden = false;
  panel.dataset.kind = 'edge';
  const from = names.get(edge.source) ?? edge.source;
  const to = names.get(edge.target) ?? edge.target;
  title.textContent = `${from} → ${to}`;
  const summary = el(
    'p',
    `${label(edge.kind)}: ${edge.amountIsUpperBound ? 'up to ' : ''}${usdWithUnknown(
      edge.amountUsd,
      edge.unknownAmountCount,
    )} in ${edge.dealCount} deal${edge.dealCount === 1 ? '' : 's'}`,
  );
  const status = el('p', 'Loading the deals…', 'loading');
  body.replaceChildren(summary, status);

  const where =
    edge.kind === 'INVESTMENT'
      ? { fromCompanyId: edge.source, toCompanyId: edge.target, types: ['INVESTMENT'] }
      : {
          fromCompanyId: edge.source,
          toCompanyId: edge.target,
          types: ['COMMITMENT'],
          commitmentKinds: [edge.kind],
        };
  try {
    const data = await graphql<{ deals: { edges: { node: Deal }[] } }>(
      EDGE_DEALS,
      { where },
      signal,
    );
    const wanted = new Set(edge.dealIds);
    const deals = data.deals.edges.map((e) => e.node).filter((deal) => wanted.has(deal.id));
    const list = el('ol', undefined, 'deals');
    for (const deal of deals) list.append(dealItem(deal));
    const missing = edge.dealIds.length - deals.length;
    body.replaceChildren(summary, list);
    if (missing > 0) body.append(el('p', `${missing} more not listed.`, 'note'));
  } catch (error) {
    if (signal.aborted) return;
    status.className = 'error';
    status.textContent =
      error instanceof ApiFailure ? error.message : `Could not load the deals: ${String(error)}`;
  }
}

export function hideDetails(panel: HTMLElement): void {
  panel.hidden = true;
  delete panel.dataset.kind;
}
