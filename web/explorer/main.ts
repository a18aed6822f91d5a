/**
 * The explorer: a client of the public GraphQL API. The URL holds the view (see urlState.ts);
 * each change of it loads what it needs (the relationship graph, the company's circular deals)
 * and the page shows one of: start, loading, ready, empty, not found, refused, outage. While a
 * company is open, live events (live.ts) say when a write touched what is shown: the page asks
 * again and updates the drawing and the list in place (`refresh`).
 */
import './style.css';
import { ApiFailure, graphql, graphqlPartial } from './api';
import { ArticlePanel } from './article';
import { hideDetails, showEdge, showNode } from './details';
import { dateRange, ratio, usdWithUnknown } from './format';
import { GraphView } from './graphView';
import { LiveFeed, type LiveCycleEvent, type LiveDealChange } from './live';
import {
  CYCLES,
  GRAPH,
  START,
  type CompanyCycles,
  type Cycle,
  type RelationshipGraph,
} from './queries';
import { setUpSearch } from './search';
import { readState, writeState, type ViewState } from './urlState';

type PageState = 'start' | 'loading' | 'ready' | 'empty' | 'not-found' | 'refused' | 'outage';

const $ = <T extends HTMLElement>(selector: string): T => document.querySelector<T>(selector)!;

const statusBox = $<HTMLDivElement>('#status');
const graphBox = $<HTMLDivElement>('#graph');
const depthSelect = $<HTMLSelectElement>('#depth');
const filtersForm = $<HTMLFormElement>('#filters');
const cycleList = $<HTMLOListElement>('#cycle-list');
const cyclesStatus = $<HTMLParagraphElement>('#cycles-status');
const cyclesTitle = $<HTMLHeadingElement>('#cycles-title');
const details = $<HTMLElement>('#details');
const articleToggle = $<HTMLButtonElement>('#article-toggle');

let state: ViewState = readState(window.location.search);
let graph: RelationshipGraph | undefined;
let cycles: Cycle[] = [];
let names = new Map<string, string>();
/** Why the graph came without its cycles (e.g. past the result cap), if it did. */
let graphCyclesError: string | undefined;
let loading: AbortController | undefined;
let detailsLoading: AbortController | undefined;
let stopWatching: () => void = () => {};
/** The open company's name, and what is drawn (for deciding whether a deal concerns it). */
let companyName = '';
let drawnCompanies = new Set<string>();
let drawnDeals = new Set<string>();
/** A `load` is under way: live events wait for its end. */
let loadInFlight = false;
let refreshing: AbortController | undefined;
let refreshTimer: number | undefined;
/** What live events asked to be fetched again. */
const pending = { graph: false, cycles: false };
/** Circular deals that formed or changed lately (key -> until when they are marked). */
const freshCycles = new Map<string, number>();
const FRESH_CYCLE_MS = 8_000;
/** Live events are gathered this long before the page asks again. */
const REFRESH_DELAY_MS = 250;

const live = new LiveFeed($<HTMLParagraphElement>('#live-status'));

const view = new GraphView(graphBox, {
  onNode(node) {
    // A click expands the company: its own neighbours are drawn too.
    const id = node.companyId;
    if (state.company && id !== state.company && !state.expand.includes(id)) {
      navigate({ ...state, expand: [...state.expand, id] }, 'push');
    }
    showNode(details, node, names, {
      focus: (id) => navigate({ ...state, company: id, expand: [], cycle: null }, 'push'),
      ...(id !== state.company
        ? {
            collapse: (id) =>
              navigate({ ...state, expand: state.expand.filter((e) => e !== id) }, 'push'),
          }
        : {}),
    });
  },
  onEdge(edge) {
    detailsLoading?.abort();
    detailsLoading = new AbortController();
    void showEdge(details, edge, names, detailsLoading.signal);
  },
  onBackground() {
    hideDetails(details);
  },
});

function setPage(page: PageState, message = ''): void {
  document.body.dataset.state = page;
  statusBox.hidden = page === 'ready';
  statusBox.className = `status-${page}`;
  statusBox.replaceChildren();
  if (!message) return;
  const p = document.createElement('p');
  p.textContent = message;
  statusBox.append(p);
  if (page === 'outage' || page === 'refused') {
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.textContent = 'Try again';
    retry.addEventListener('click', () => void load(true));
    statusBox.append(retry);
  }
}

function navigate(next: ViewState, how: 'push' | 'replace'): void {
  const url = writeState(next);
  if (how === 'push') window.history.pushState(null, '', url);
  else window.history.replaceState(null, '', url);
  const reload =
    next.company !== state.company ||
    next.depth !== state.depth ||
    next.expand.join() !== state.expand.join() ||
    JSON.stringify(next.filters) !== JSON.stringify(state.filters);
  state = next;
  renderPanel();
  if (reload) void load();
  else renderSelection();
}

const articlePanel = new ArticlePanel($<HTMLElement>('#article-panel'), () => {
  // The open graph may have new deals.
  if (state.company) void load();
});

function renderPanel(): void {
  const open = state.panel === 'article';
  articleToggle.setAttribute('aria-expanded', String(open));
  articlePanel.show(open);
}

articleToggle.addEventListener('click', () =>
  navigate({ ...state, panel: state.panel === 'article' ? null : 'article' }, 'push'),
);
$<HTMLButtonElement>('#article-close').addEventListener('click', () =>
  navigate({ ...state, panel: null }, 'push'),
);

function cycleWhere(): Record<string, unknown> {
  const f = state.filters;
  const deals: Record<string, unknown> = {};
  if (f.minAmountUsd !== null) deals.minAmountUsd = f.minAmountUsd;
  if (f.from) deals.from = f.from;
  if (f.to) deals.to = f.to;
  return {
    maxLength: f.maxLength,
    timeRespecting: f.timeRespecting,
    ...(Object.keys(deals).length ? { deals } : {}),
  };
}

function syncControls(): void {
  depthSelect.value = String(state.depth);
  const f = state.filters;
  const field = (name: string): HTMLInputElement | HTMLSelectElement =>
    filtersForm.elements.namedItem(name) as HTMLInputElement;
  field('maxLength').value = String(f.maxLength);
  field('minAmount').value = f.minAmountUsd === null ? '' : String(f.minAmountUsd);
  field('from').value = f.from ?? '';
  field('to').value = f.to ?? '';
  (field('timeRespecting') as HTMLInputElement).checked = f.timeRespecting;
}

async function showStart(signal: AbortSignal): Promise<void> {
  view.clear();
  cycles = [];
  cycleList.replaceChildren();
  cyclesTitle.textContent = 'Circular deals';
  cyclesStatus.textContent = 'Pick a company to see the circular deals through it.';
  setPage('start', 'Search for a company (press /), or pick one:');
  const data = await graphql<{ companies: { edges: { node: { id: string; name: string } }[] } }>(
    START,
    {},
    signal,
  );
  const list = document.createElement('ul');
  list.className = 'start-list';
  for (const { node } of data.companies.edges) {
    const li = document.createElement('li');
    const link = document.createElement('a');
    link.href = writeState({ ...state, company: node.id });
    link.textContent = node.name;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      navigate({ ...state, company: node.id, expand: [], cycle: null }, 'push');
    });
    li.append(link);
    list.append(li);
  }
  statusBox.append(list);
  $<HTMLInputElement>('#search-input').focus();
}

async function load(force = false): Promise<void> {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  const { signal } = controller;
  syncControls();
  stopWatching();
  stopWatching = () => {};
  refreshing?.abort();
  pending.graph = pending.cycles = false;
  freshCycles.clear();
  loadInFlight = true;
  hideDetails(details);
  if (force) view.clear();
  try {
    if (!state.company) {
      await showStart(signal);
      return;
    }
    const company = state.company;
    // Watched from before the queries: a write committed while they run is heard.
    stopWatching = watch(company);
    setPage('loading', `Loading the graph of ${company}…`);
    cyclesStatus.textContent = 'Loading the circular deals…';
    cycleList.replaceChildren();
    const [graphResult, cycleData] = await Promise.all([
      graphqlPartial<{ relationshipGraph: RelationshipGraph | null }>(
        GRAPH,
        {
          companyIds: [company, ...state.expand],
          depth: state.depth,
          cycleMaxLength: state.filters.maxLength,
        },
        signal,
      ),
      graphql<{ company: CompanyCycles | null }>(
        CYCLES,
        { id: company, where: cycleWhere() },
        signal,
      ),
    ]);
    if (signal.aborted) return;
    const graphData = graphResult.data;
    // The graph without its cycles is still worth drawing; without nodes it is not.
    if (!graphData.relationshipGraph && graphResult.errors[0]) throw graphResult.errors[0];
    if (!cycleData.company || !graphData.relationshipGraph) {
      throw new ApiFailure('not-found', `No company with id “${company}”.`);
    }
    if (!cycleData.company.cycles) {
      throw new ApiFailure('refused', 'The circular deals could not be listed.');
    }
    setGraph(graphData.relationshipGraph, graphResult.errors[0]?.message);
    companyName = cycleData.company.name;
    document.title = `${cycleData.company.name} · Explorer · AI Deal Graph`;
    cyclesTitle.textContent = `Circular deals through ${cycleData.company.name}`;
    cycles = cycleData.company.cycles.edges.map((edge) => edge.node);
    renderCycles(cycleData.company.cycles.totalCount);

    if (graphData.relationshipGraph.edges.length === 0) {
      view.clear();
      setPage('empty', `${cycleData.company.name} has no deals in the graph yet.`);
    } else {
      setPage('ready');
      const stats = await view.draw(graphData.relationshipGraph);
      if (signal.aborted) return;
      if (stats) graphBox.dataset.drawMs = String(stats.buildMs + stats.layoutMs);
    }
    renderSelection();
  } catch (error) {
    if (signal.aborted) return;
    stopWatching();
    stopWatching = () => {};
    view.clear();
    cycleList.replaceChildren();
    cyclesStatus.textContent = '';
    if (error instanceof ApiFailure) {
      const page: PageState = error.kind;
      const prefix =
        error.kind === 'outage'
          ? 'The graph cannot be loaded right now: '
          : error.kind === 'refused'
            ? 'The server refused this view: '
            : '';
      const message =
        error.kind === 'not-found'
          ? error.message
          : `${prefix}${error.message}${error.code ? ` (${error.code})` : ''}`;
      setPage(page, message);
    } else {
      setPage('outage', `Something went wrong: ${String(error)}`);
    }
  } finally {
    if (loading === controller) {
      loadInFlight = false;
      if (!signal.aborted && (pending.graph || pending.cycles)) scheduleRefresh();
    }
  }
}

function setGraph(next: RelationshipGraph, cyclesError: string | undefined): void {
  graph = next;
  graphCyclesError = cyclesError;
  names = new Map(next.nodes.map((node) => [node.companyId, node.name]));
  drawnCompanies = new Set(next.nodes.map((node) => node.companyId));
  drawnDeals = new Set(next.edges.flatMap((edge) => edge.dealIds));
}

// --- Live updates ------------------------------------------------------------------------------

/** Watches the writes that may change what the open company's view shows. */
function watch(company: string): () => void {
  return live.watch({
    cycleWhere: { ...cycleWhere(), through: [company] },
    onDeal(change) {
      if (loadInFlight || concernsDrawing(change)) ask({ graph: true });
    },
    onCycle(event: LiveCycleEvent) {
      if (event.kind !== 'BROKEN') freshCycles.set(event.cycle.key, Date.now() + FRESH_CYCLE_MS);
      // The graph's own cycles (what a selected one highlights) change with the list.
      ask({ graph: true, cycles: true });
    },
    onGap() {
      ask({ graph: true, cycles: true });
    },
  });
}

/**
 * Whether a deal write may change the drawing: it involves a drawn company (or a subsidiary of
 * one), or it is one of the drawn deals. Deals further out may still extend a deeper graph by a
 * company; those the next view shows.
 */
function concernsDrawing(change: LiveDealChange): boolean {
  if (drawnDeals.has(change.dealId)) return true;
  const parties = [
    change.fromCompanyId,
    change.toCompanyId,
    change.deal?.from.parent?.id,
    change.deal?.to.parent?.id,
  ];
  return parties.some((id) => id !== undefined && drawnCompanies.has(id));
}

function ask(what: { graph?: boolean; cycles?: boolean }): void {
  pending.graph ||= what.graph ?? false;
  pending.cycles ||= what.cycles ?? false;
  if (!loadInFlight) scheduleRefresh();
}

function scheduleRefresh(): void {
  if (refreshTimer !== undefined) return;
  refreshTimer = window.setTimeout(() => {
    refreshTimer = undefined;
    void refresh();
  }, REFRESH_DELAY_MS);
}

/**
 * Asks again for what live events said changed and updates the page in place: the drawing keeps
 * its layout (GraphView.update), the list keeps the selection, the details panel stays open.
 * One at a time; events meanwhile make another round.
 */
async function refresh(): Promise<void> {
  const company = state.company;
  if (!company || loadInFlight || refreshing) return;
  const wanted = { ...pending };
  pending.graph = pending.cycles = false;
  if (!wanted.graph && !wanted.cycles) return;
  const controller = new AbortController();
  refreshing = controller;
  const { signal } = controller;
  let failed = false;
  try {
    const [graphResult, cycleData] = await Promise.all([
      wanted.graph
        ? graphqlPartial<{ relationshipGraph: RelationshipGraph | null }>(
            GRAPH,
            {
              companyIds: [company, ...state.expand],
              depth: state.depth,
              cycleMaxLength: state.filters.maxLength,
            },
            signal,
          )
        : undefined,
      wanted.cycles
        ? graphql<{ company: CompanyCycles | null }>(
            CYCLES,
            { id: company, where: cycleWhere() },
            signal,
          )
        : undefined,
    ]);
    if (signal.aborted) return;
    const next = graphResult?.data.relationshipGraph;
    if (next) {
      setGraph(next, graphResult.errors[0]?.message);
      if (next.edges.length === 0) {
        view.clear();
        setPage('empty', `${companyName} has no deals in the graph yet.`);
      } else {
        if (document.body.dataset.state !== 'ready') setPage('ready');
        await view.update(next);
        if (signal.aborted) return;
      }
    }
    const listed = cycleData?.company?.cycles;
    if (listed) {
      cycles = listed.edges.map((edge) => edge.node);
      renderCycles(listed.totalCount);
    }
    renderSelection();
  } catch (error) {
    if (signal.aborted) return;
    // The view stays as it was; the next event tries again.
    failed = true;
    pending.graph ||= wanted.graph;
    pending.cycles ||= wanted.cycles;
    console.warn('live update failed', error);
  } finally {
    if (refreshing === controller) refreshing = undefined;
    const more = pending.graph || pending.cycles;
    if (!failed && !signal.aborted && !loadInFlight && more) scheduleRefresh();
  }
}

function renderCycles(totalCount: number): void {
  cycleList.replaceChildren();
  if (cycles.length === 0) {
    cyclesStatus.textContent = 'No circular deals through this company with these filters.';
    return;
  }
  cyclesStatus.textContent =
    totalCount > cycles.length
      ? `${totalCount} circular deals; the ${cycles.length} largest are listed.`
      : `${totalCount} circular deal${totalCount === 1 ? '' : 's'}. Select one to highlight it.`;
  for (const cycle of cycles) {
    const key = cycle.key;
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'cycle';
    button.dataset.cycleKey = key;
    button.setAttribute('aria-pressed', 'false');
    const freshFor = (freshCycles.get(key) ?? 0) - Date.now();
    if (freshFor > 0) {
      button.classList.add('fresh');
      setTimeout(() => button.classList.remove('fresh'), freshFor);
    }
    const path = document.createElement('strong');
    path.textContent = [...cycle.companies, cycle.companies[0]!].map((c) => c.name).join(' → ');
    const figures = document.createElement('span');
    const invested = usdWithUnknown(cycle.investedUsd, cycle.investedUnknownCount);
    const committed = usdWithUnknown(cycle.committedUsd, cycle.committedUnknownCount);
    const roundTrip = ratio(cycle.roundTripRatio, cycle.roundTripRatioIsLowerBound);
    figures.textContent =
      `invested ${invested} · committed ${committed} · round trip ${roundTrip} · ` +
      dateRange(cycle.firstDate, cycle.lastDate) +
      (cycle.timeRespecting ? ' · time-respecting' : '');
    button.append(path, figures);
    button.addEventListener('click', () => {
      navigate({ ...state, cycle: state.cycle === key ? null : key }, 'replace');
    });
    li.append(button);
    cycleList.append(li);
  }
}

/** Highlights the selected cycle with the graph's own edge ids for it (`cycles { edgeIds }`). */
function renderSelection(): void {
  const selected = state.cycle;
  for (const button of cycleList.querySelectorAll<HTMLButtonElement>('button.cycle')) {
    button.setAttribute('aria-pressed', String(button.dataset.cycleKey === selected));
  }
  const note = document.querySelector('#cycle-note');
  note?.remove();
  if (!selected || !graph) {
    view.highlight(null);
    return;
  }
  const drawn = graph.cycles?.find((cycle) => cycle.key === selected);
  view.highlight(drawn ? drawn.edgeIds : null);
  if (!drawn) {
    const p = document.createElement('p');
    p.id = 'cycle-note';
    p.className = 'note';
    p.textContent = graphCyclesError
      ? `The graph's cycles could not be found: ${graphCyclesError}`
      : cycles.some((c) => c.key === selected)
        ? 'Not every step of this cycle is drawn at this depth: try a larger depth.'
        : `The cycle ${selected} is not among the circular deals shown.`;
    cyclesStatus.after(p);
  }
}

depthSelect.addEventListener('change', () => {
  navigate({ ...state, depth: Number(depthSelect.value) }, 'push');
});

filtersForm.addEventListener('change', () => {
  const data = new FormData(filtersForm);
  const minAmount = Number(data.get('minAmount'));
  navigate(
    {
      ...state,
      filters: {
        maxLength: Number(data.get('maxLength')),
        minAmountUsd: Number.isFinite(minAmount) && minAmount > 0 ? minAmount : null,
        from: (data.get('from') as string) || null,
        to: (data.get('to') as string) || null,
        timeRespecting: data.get('timeRespecting') === 'on',
      },
    },
    'replace',
  );
});
filtersForm.addEventListener('submit', (event) => event.preventDefault());

setUpSearch($<HTMLInputElement>('#search-input'), $<HTMLUListElement>('#search-results'), (hit) =>
  navigate({ ...state, company: hit.id, expand: [], cycle: null }, 'push'),
);

window.addEventListener('popstate', () => {
  state = readState(window.location.search);
  renderPanel();
  void load();
});
window.addEventListener('resize', () => view.resize());

// "/" (the root) shows the same explorer; keep the canonical /explore URL once a company is open.
renderPanel();
void load();
