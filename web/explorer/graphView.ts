/**
 * The drawing: a relationship graph as Cytoscape elements. Data goes in `elements`, looks in the
 * stylesheet (classes toggled by code: .highlighted, .faded, .unknown), and the layout runs as
 * its own step.
 *
 * Big graphs (past LARGE_NODES nodes or LARGE_EDGES edges) are drawn lean: straight "haystack"
 * edges without arrows or labels, labels hidden when zoomed out, a concentric layout by hop
 * distance (linear time) instead of the force-directed one, and the edges hidden while panning.
 * The edges are already aggregated by the API (one per source, target and kind).
 */
import cytoscape, {
  type CollectionReturnValue,
  type Core,
  type ElementDefinition,
  type LayoutOptions,
  type NodeSingular,
  type StylesheetJson,
} from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { usd, usdWithUnknown } from './format';
import type { GraphEdge, GraphNode, RelationshipGraph } from './queries';

cytoscape.use(fcose);

export const LARGE_NODES = 250;
export const LARGE_EDGES = 1_000;

export const KIND_COLORS: Record<GraphEdge['kind'], string> = {
  INVESTMENT: '#1b9e5a',
  CLOUD: '#2f6fdb',
  HARDWARE: '#d9731a',
  CAPACITY: '#8a4fd1',
};

/** The same colours, pale, drawn opaque in big graphs (semi-transparent edges cost more). */
const PALE_KIND_COLORS: Record<GraphEdge['kind'], string> = {
  INVESTMENT: '#9fd8b9',
  CLOUD: '#aac5f0',
  HARDWARE: '#efc39c',
  CAPACITY: '#cfb5ec',
};

const GROUP_PREFIX = 'group:';

export interface GraphViewEvents {
  onNode(node: GraphNode): void;
  onEdge(edge: GraphEdge): void;
  onBackground(): void;
}

export interface DrawStats {
  nodes: number;
  edges: number;
  large: boolean;
  /** Milliseconds to build the elements and to run the layout. */
  buildMs: number;
  layoutMs: number;
}

/** What a company moves in all (known amounts): invested, raised, committed, received. */
export function moneyMoved(node: GraphNode): number {
  const t = node.totals;
  return t.investedUsd + t.raisedUsd + t.committedUsd + t.receivedUsd;
}

function unknownDeals(node: GraphNode): number {
  const t = node.totals;
  return (
    t.investedUnknownCount + t.raisedUnknownCount + t.committedUnknownCount + t.receivedUnknownCount
  );
}

/** The top-most ancestor of `id` that is in the graph (itself when its parent is not drawn). */
function groupRoot(id: string, byId: Map<string, GraphNode>): string {
  // Keyed by company id: parentId, source and target are company ids.
  let current = id;
  const seen = new Set<string>();
  for (;;) {
    const parentId = byId.get(current)?.parentId;
    if (!parentId || !byId.has(parentId) || seen.has(parentId)) return current;
    seen.add(current);
    current = parentId;
  }
}

export function toElements(graph: RelationshipGraph, large: boolean): ElementDefinition[] {
  const byId = new Map(graph.nodes.map((node) => [node.companyId, node]));
  const maxMoved = Math.max(1, ...graph.nodes.map(moneyMoved));
  const maxAmount = Math.max(1, ...graph.edges.map((edge) => edge.amountUsd ?? 0));
  const elements: ElementDefinition[] = [];

  // Subsidiaries drawn with their parent are grouped in a box named after the parent.
  const groups = new Set<string>();
  for (const node of graph.nodes) {
    if (node.parentId && byId.has(node.parentId)) groups.add(groupRoot(node.companyId, byId));
  }
  if (!large) {
    for (const root of groups) {
      elements.push({
        group: 'nodes',
        data: { id: GROUP_PREFIX + root, label: `${byId.get(root)?.name ?? root} group` },
        classes: 'group',
      });
    }
  }

  for (const node of graph.nodes) {
    const moved = moneyMoved(node);
    const unknown = unknownDeals(node);
    const size = 22 + 58 * Math.sqrt(moved / maxMoved);
    const root = groupRoot(node.companyId, byId);
    const parentShown = node.parentId !== null && byId.has(node.parentId);
    const classes = ['company'];
    if (node.depth === 0) classes.push('center');
    if (node.parentId) classes.push('subsidiary');
    if (moved === 0 && unknown > 0) classes.push('unknown');
    const name =
      node.parentId && !parentShown ? `${node.name}\n(part of ${node.parentId})` : node.name;
    // A big graph labels only the companies near the selection (a click shows any other):
    // laying out a thousand labels costs more than drawing the edges.
    const labelled = !large || node.depth <= 1;
    elements.push({
      group: 'nodes',
      data: {
        id: node.companyId,
        label: !labelled
          ? ''
          : moved > 0
            ? `${name}\n${usd(moved)}`
            : unknown > 0
              ? `${name}\namount unknown`
              : name,
        size,
        depth: node.depth,
        ...(!large && groups.has(root) ? { parent: GROUP_PREFIX + root } : {}),
      },
      classes: classes.join(' '),
    });
  }

  for (const edge of graph.edges) {
    const width = edge.amountUsd === null ? 1.5 : 1.5 + 9 * Math.sqrt(edge.amountUsd / maxAmount);
    const amount = usdWithUnknown(edge.amountUsd, edge.unknownAmountCount);
    elements.push({
      group: 'edges',
      data: {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        label: `${edge.kind.toLowerCase()} ${edge.amountIsUpperBound ? '≤ ' : ''}${amount}`,
        width,
        kind: edge.kind,
        color: (large ? PALE_KIND_COLORS : KIND_COLORS)[edge.kind],
      },
      classes: [edge.kind.toLowerCase(), edge.amountUsd === null ? 'unknown' : ''].join(' ').trim(),
    });
  }
  return elements;
}

function stylesheet(large: boolean): StylesheetJson {
  return [
    {
      selector: 'node.company',
      style: {
        width: 'data(size)',
        height: 'data(size)',
        'background-color': '#5b6b7f',
        label: 'data(label)',
        'text-wrap': 'wrap',
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'font-size': 11,
        'font-family': 'system-ui, sans-serif',
        color: '#1d2733',
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.75,
        'text-background-padding': '1px',
        'min-zoomed-font-size': large ? 12 : 6,
        'border-width': 1.5,
        'border-color': '#ffffff',
      },
    },
    { selector: 'node.center', style: { 'background-color': '#c0392b', 'font-weight': 'bold' } },
    {
      selector: 'node.subsidiary',
      style: { shape: 'round-rectangle', 'border-style': 'dashed', 'border-color': '#33404d' },
    },
    {
      selector: 'node.unknown',
      style: { 'background-color': '#ffffff', 'border-color': '#5b6b7f', 'border-style': 'dotted' },
    },
    {
      selector: 'node.group',
      style: {
        label: 'data(label)',
        'text-valign': 'top',
        'font-size': 10,
        color: '#55606d',
        'background-color': '#eef2f6',
        'background-opacity': 0.6,
        'border-width': 1,
        'border-style': 'dashed',
        'border-color': '#9aa6b2',
        shape: 'round-rectangle',
        padding: '12px',
      },
    },
    {
      selector: 'edge',
      style: large
        ? {
            'curve-style': 'haystack',
            'haystack-radius': 0,
            width: 'data(width)',
            'line-color': 'data(color)',
          }
        : {
            'curve-style': 'bezier',
            width: 'data(width)',
            'line-color': 'data(color)',
            'target-arrow-color': 'data(color)',
            'target-arrow-shape': 'triangle',
            'arrow-scale': 0.9,
            label: 'data(label)',
            'font-size': 9,
            'font-family': 'system-ui, sans-serif',
            color: '#33404d',
            'text-rotation': 'autorotate',
            'text-background-color': '#ffffff',
            'text-background-opacity': 0.8,
            'text-background-padding': '1px',
            'min-zoomed-font-size': 7,
            opacity: 0.85,
          },
    },
    // Unknown amounts are drawn as unknown: thin and dashed, labelled "unknown", never as $0.
    { selector: 'edge.unknown', style: { 'line-style': 'dashed', width: 1.5 } },
    { selector: '.faded', style: { opacity: 0.22 } },
    {
      selector: 'node.highlighted',
      style: { 'border-color': '#f1c40f', 'border-width': 4, opacity: 1 },
    },
    {
      selector: 'edge.highlighted',
      style: {
        'line-color': (edge) => KIND_COLORS[edge.data('kind') as GraphEdge['kind']] ?? '#333',
        opacity: 1,
        'z-index': 10,
        'underlay-color': '#f1c40f',
        'underlay-opacity': 0.55,
        'underlay-padding': 4,
      },
    },
    { selector: ':selected', style: { 'overlay-color': '#f1c40f', 'overlay-opacity': 0.25 } },
    // Just arrived (a live update), for a few seconds.
    { selector: 'node.fresh', style: { 'border-color': '#1b9e5a', 'border-width': 4 } },
    {
      selector: 'edge.fresh',
      style: { 'underlay-color': '#1b9e5a', 'underlay-opacity': 0.45, 'underlay-padding': 4 },
    },
  ];
}

function signatureOf(graph: RelationshipGraph): string {
  return `${graph.nodes.map((n) => n.companyId).join(',')}|${graph.edges
    .map((e) => `${e.id}:${e.amountUsd}`)
    .join(',')}`;
}

/** Element data Cytoscape does not let `data()` change. */
const FIXED_DATA = new Set(['id', 'source', 'target', 'parent']);

/** How long elements that arrived with `update` stay marked `.fresh`. */
export const FRESH_MS = 6_000;

/** Elements added per animation frame when a big graph is drawn. */
const SLICE = 2_000;

const nextFrame = (): Promise<void> =>
  new Promise((resolve) => requestAnimationFrame(() => resolve()));

/**
 * Concentric rings by hop distance from the requested companies (in the middle), each ring's
 * companies spread evenly: readable for an ego graph, and linear in the graph's size.
 */
function placeInRings(elements: ElementDefinition[], centerIds: Set<string>): void {
  const rings = new Map<number, ElementDefinition[]>();
  for (const element of elements) {
    if (element.group !== 'nodes') continue;
    const ring = centerIds.has(String(element.data.id)) ? 0 : Number(element.data.depth ?? 0);
    rings.set(ring, [...(rings.get(ring) ?? []), element]);
  }
  let radius = 0;
  for (const ring of [...rings.keys()].sort((a, b) => a - b)) {
    const members = rings.get(ring)!;
    // Each ring is wide enough for its companies, and clear of the one inside it.
    radius = ring === 0 && members.length === 1 ? 0 : Math.max(radius + 160, members.length * 9);
    members.forEach((element, i) => {
      const angle = (2 * Math.PI * i) / members.length;
      element.position = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
    });
  }
}

/** Force-directed (fcose) for graphs small enough to settle at once. */
function layoutOptions(): LayoutOptions {
  return {
    name: 'fcose',
    quality: 'default',
    animate: false,
    randomize: true,
    nodeDimensionsIncludeLabels: true,
    idealEdgeLength: () => 110,
    nodeRepulsion: () => 9000,
    packComponents: true,
  } as LayoutOptions;
}

export interface UpdateStats {
  /** Ids of the elements added and removed. */
  added: string[];
  removed: string[];
  /** Drawn afresh instead (see `update`). */
  redrawn: boolean;
}

/**
 * Positions for new companies, so that they land near what they belong to without moving
 * anything: beside a company of their group box (a subsidiary with its parent), else beside a
 * neighbour that has a position (drawn already, or placed just before), else around the middle
 * of the drawing; each a step further out from the middle than its anchor.
 */
function placeNear(fresh: ElementDefinition[], cy: Core): void {
  type Point = { x: number; y: number };
  const at = new Map<string, Point>();
  const positionOf = (id: string): Point | undefined => {
    const placed = at.get(id);
    if (placed) return placed;
    const drawn = cy.getElementById(id);
    return drawn.nonempty() && drawn.isNode() && !drawn.isParent() ? drawn.position() : undefined;
  };
  const edges = fresh.filter((element) => element.group === 'edges');
  const waiting = fresh.filter(
    (element) => element.group === 'nodes' && !String(element.data.id).startsWith(GROUP_PREFIX),
  );
  const companies = cy.nodes('.company');
  const box = companies.boundingBox();
  const middle = companies.nonempty()
    ? { x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2 }
    : { x: 0, y: 0 };
  const outFrom = (anchor: Point): Point => {
    const away = Math.hypot(anchor.x - middle.x, anchor.y - middle.y) > 1;
    const angle =
      (away ? Math.atan2(anchor.y - middle.y, anchor.x - middle.x) : Math.random() * 2 * Math.PI) +
      (Math.random() - 0.5) * 1.2;
    const radius = 110 + Math.random() * 40;
    return { x: anchor.x + radius * Math.cos(angle), y: anchor.y + radius * Math.sin(angle) };
  };
  const anchorOf = (element: ElementDefinition): Point | undefined => {
    const id = String(element.data.id);
    if (element.data.parent !== undefined) {
      const sibling = cy
        .getElementById(String(element.data.parent))
        .children()
        .nodes()
        .filter((child) => child.id() !== id);
      if (sibling.nonempty()) return (sibling.first() as NodeSingular).position();
    }
    return edges
      .filter((edge) => edge.data.source === id || edge.data.target === id)
      .map((edge) =>
        positionOf(String(edge.data.source === id ? edge.data.target : edge.data.source)),
      )
      .find((position) => position !== undefined);
  };
  // Each pass places the companies that have an anchor; what is left goes around the middle.
  for (let progress = true; waiting.length && progress;) {
    progress = false;
    for (let i = waiting.length - 1; i >= 0; i--) {
      const anchor = anchorOf(waiting[i]!);
      if (!anchor) continue;
      const position = outFrom(anchor);
      at.set(String(waiting[i]!.data.id), position);
      waiting[i]!.position = position;
      waiting.splice(i, 1);
      progress = true;
    }
  }
  for (const element of waiting) element.position = outFrom(middle);
}

export class GraphView {
  readonly cy: Core;
  private graph: RelationshipGraph | undefined;
  private signature = '';
  /** Counts draws, so that a slow draw stops when a newer one has started. */
  private drawing = 0;
  private large = false;
  /** What `highlight` lit, to unlight it without touching every element. */
  private lit: CollectionReturnValue | undefined;
  /** The reader panned or zoomed since the last draw: updates then leave the viewport alone. */
  private viewportMoved = false;

  constructor(
    private readonly container: HTMLElement,
    events: GraphViewEvents,
  ) {
    this.cy = cytoscape({
      container,
      minZoom: 0.05,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
    });
    this.cy.on('tap', 'node.company', (event) => {
      const node = this.graph?.nodes.find((n) => n.companyId === event.target.id());
      if (node) events.onNode(node);
    });
    this.cy.on('tap', 'edge', (event) => {
      const edge = this.graph?.edges.find((e) => e.id === event.target.id());
      if (edge) events.onEdge(edge);
    });
    this.cy.on('tap', (event) => {
      if (event.target === this.cy) events.onBackground();
    });
    this.cy.on('dragpan scrollzoom pinchzoom', () => {
      this.viewportMoved = true;
    });
  }

  /**
   * Draws `graph`; does nothing when the same nodes and edges are drawn already. A big graph is
   * added in slices, one per animation frame, so the page keeps answering while it is drawn.
   */
  async draw(graph: RelationshipGraph): Promise<DrawStats | undefined> {
    const signature = signatureOf(graph);
    this.graph = graph;
    if (signature === this.signature) return undefined;
    this.signature = signature;
    const drawing = ++this.drawing;

    const large = graph.nodes.length > LARGE_NODES || graph.edges.length > LARGE_EDGES;
    this.large = large;
    this.lit = undefined;
    this.container.dataset.layout = 'running';
    const started = performance.now();
    const elements = toElements(graph, large);
    const cy = this.cy;
    // Lean rendering for big graphs: edges hidden and a snapshot texture while panning/zooming.
    const renderer = (cy as unknown as { renderer(): Record<string, unknown> }).renderer();
    renderer.hideEdgesOnViewport = large;
    renderer.textureOnViewport = large;
    const centers = new Set(graph.nodes.filter((n) => n.depth === 0).map((n) => n.companyId));
    let layoutMs = 0;
    if (!large) {
      cy.batch(() => {
        cy.elements().remove();
        cy.style(stylesheet(large));
        cy.add(elements);
      });
      const built = performance.now();
      cy.layout(layoutOptions()).run();
      layoutMs = performance.now() - built;
    } else {
      // Rings by hop distance, computed here in linear time: the positions go in with the
      // elements, so nothing moves after it is added.
      placeInRings(elements, centers);
      cy.batch(() => {
        cy.elements().remove();
        cy.style(stylesheet(large));
      });
      for (let i = 0; i < elements.length; i += SLICE) {
        if (i > 0) await nextFrame();
        if (drawing !== this.drawing) return undefined; // a newer graph came meanwhile
        cy.batch(() => cy.add(elements.slice(i, i + SLICE)));
      }
    }
    cy.fit(undefined, 30);
    this.viewportMoved = false;
    const done = performance.now();

    this.container.dataset.layout = 'done';
    this.container.dataset.nodeCount = String(cy.nodes('.company').length);
    this.container.dataset.edgeCount = String(cy.edges().length);
    return {
      nodes: graph.nodes.length,
      edges: graph.edges.length,
      large,
      buildMs: Math.round(done - started - layoutMs),
      layoutMs: Math.round(layoutMs),
    };
  }

  /**
   * Brings the drawing to `graph` in place, for live updates: what stays keeps its position (its
   * size, width and label follow the new figures), what went is removed, and new companies are
   * put beside their group or a neighbour already drawn; nothing is laid out again, so the
   * picture does not jump. The viewport only zooms out (animated) to show a new company out of
   * sight, and not once the reader has panned or zoomed. New elements are marked `.fresh` for
   * FRESH_MS. Draws afresh when nothing is drawn yet or the graph crosses the big-graph
   * threshold (its look changes).
   */
  async update(graph: RelationshipGraph): Promise<UpdateStats | undefined> {
    const large = graph.nodes.length > LARGE_NODES || graph.edges.length > LARGE_EDGES;
    if (!this.signature || large !== this.large || this.cy.nodes().empty()) {
      const stats = await this.draw(graph);
      return stats && { added: [], removed: [], redrawn: true };
    }
    const signature = signatureOf(graph);
    this.graph = graph;
    if (signature === this.signature) return undefined;
    this.signature = signature;
    this.drawing += 1; // a big graph still being added in slices stops
    this.lit = undefined; // classes are reset below; the caller highlights again

    const cy = this.cy;
    const elements = toElements(graph, large);
    const wanted = new Set(elements.map((element) => String(element.data.id)));
    const isGroup = (element: ElementDefinition): boolean =>
      String(element.data.id).startsWith(GROUP_PREFIX);
    const isNew = (element: ElementDefinition): boolean =>
      cy.getElementById(String(element.data.id)).empty();
    const freshGroups = elements.filter((element) => isNew(element) && isGroup(element));
    const fresh = elements.filter((element) => isNew(element) && !isGroup(element));
    const removedIds: string[] = [];
    let added = cy.collection();
    cy.batch(() => {
      // New group boxes first, then companies change boxes, then what went is removed: a box
      // removed with a company still in it would take the company with it.
      added = added.union(cy.add(freshGroups));
      for (const element of elements) {
        const drawn = cy.getElementById(String(element.data.id));
        if (drawn.empty() || !drawn.isNode() || isGroup(element)) continue;
        const parent = element.data.parent === undefined ? null : String(element.data.parent);
        if ((drawn.parent().first().id() ?? null) !== parent) drawn.move({ parent });
      }
      const removed = cy.elements().filter((element) => !wanted.has(element.id()));
      removedIds.push(...removed.map((element) => element.id()));
      removed.remove();
      for (const element of elements) {
        const drawn = cy.getElementById(String(element.data.id));
        if (drawn.empty()) continue;
        // The figures follow; what places the element (ends, parent box) is not data to set.
        drawn.data(
          Object.fromEntries(Object.entries(element.data).filter(([key]) => !FIXED_DATA.has(key))),
        );
        const wasFresh = drawn.hasClass('fresh');
        drawn.classes(element.classes ?? '');
        if (wasFresh) drawn.addClass('fresh');
      }
      placeNear(fresh, cy);
      added = added.union(cy.add(fresh));
      added.addClass('fresh');
    });
    setTimeout(() => added.removeClass('fresh'), FRESH_MS);
    // New companies out of sight are brought into view, unless the reader chose the viewport.
    const extent = cy.extent();
    const outOfSight = added.nodes('.company').some((node) => {
      const p = (node as NodeSingular).position();
      return p.x < extent.x1 || p.x > extent.x2 || p.y < extent.y1 || p.y > extent.y2;
    });
    if (outOfSight && !this.viewportMoved) {
      cy.animate({ fit: { eles: cy.elements(), padding: 30 } }, { duration: 300 });
    }
    this.container.dataset.nodeCount = String(cy.nodes('.company').length);
    this.container.dataset.edgeCount = String(cy.edges().length);
    return {
      added: fresh.map((element) => String(element.data.id)),
      removed: removedIds,
      redrawn: false,
    };
  }

  /**
   * Highlights exactly these edges (and their end nodes); null clears. A small graph fades the
   * rest; a big one only marks the highlighted few, as restyling thousands of elements stalls.
   */
  highlight(edgeIds: readonly string[] | null): void {
    const cy = this.cy;
    cy.batch(() => {
      if (this.large) this.lit?.removeClass('highlighted');
      else cy.elements().removeClass('highlighted faded');
      this.lit = undefined;
      if (edgeIds === null) return;
      const edges = cy.collection();
      for (const id of edgeIds) edges.merge(cy.getElementById(id));
      const lit = edges.union(edges.connectedNodes());
      lit.addClass('highlighted');
      this.lit = lit;
      if (!this.large) cy.elements('.company, edge').difference(lit).addClass('faded');
    });
    const lit = (this.lit?.edges() ?? cy.collection()).map((edge) => edge.id()).sort();
    this.container.dataset.highlightedEdges = JSON.stringify(lit);
  }

  clear(): void {
    this.graph = undefined;
    this.signature = '';
    this.drawing += 1;
    this.lit = undefined;
    this.cy.elements().remove();
    this.container.dataset.nodeCount = '0';
    this.container.dataset.edgeCount = '0';
    this.container.dataset.highlightedEdges = '[]';
  }

  resize(): void {
    this.cy.resize();
  }
}
