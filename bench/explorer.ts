/**
 * `npm run bench:explorer`: what the pages cost in a real browser (Debian's Chromium through
 * playwright-core), without Neo4j: the built pages are served by the server's own web routes
 * (src/http/web.ts) and POST /graphql is answered by a stand-in that returns synthetic graphs of
 * the sizes asked for (introspection is answered from the real schema).
 *
 * Prints, per page: the bytes it loads (raw and gzip) and the time to its ready state; per graph
 * size: the time to draw (elements + layout, on the page's main thread), the longest task the
 * page ran while loading (what the user waits for with a frozen page), and the time to highlight
 * a cycle.
 *
 * Settings (environment): BENCH_GRAPHS ("30x60,300x1000,1000x10000": nodes x edges),
 * BENCH_REPEAT (3: loads per graph size, the median is printed), CHROMIUM_PATH.
 */
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { buildSchema, graphqlSync } from 'graphql';
import type { Page } from 'playwright-core';
import { createLogger } from '../src/logger.js';
import { loadTypeDefs } from '../src/schema.js';
import { webPages } from '../src/http/web.js';
import { launchChromium } from '../test/browser/browser.js';

const KINDS = ['INVESTMENT', 'CLOUD', 'HARDWARE', 'CAPACITY'] as const;

/** A deterministic pseudo-random sequence (mulberry32), so every run draws the same graphs. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A relationshipGraph answer of `nodeCount` companies and `edgeCount` aggregated edges. */
function syntheticGraph(nodeCount: number, edgeCount: number): Record<string, unknown> {
  const next = random(nodeCount * 7 + edgeCount);
  const id = (i: number): string => `c${String(i).padStart(5, '0')}`;
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({
    id: `${id(i)}@bench`,
    companyId: id(i),
    name: `Company ${i}`,
    sectors: ['OTHER'],
    // One in twenty is a subsidiary of an earlier company.
    parentId: i > 10 && next() < 0.05 ? id(Math.floor(next() * i)) : null,
    depth: i === 0 ? 0 : i < 40 ? 1 : i < nodeCount / 3 ? 2 : 3,
    totals: {
      investedUsd: Math.round(next() * 1e10),
      raisedUsd: Math.round(next() * 1e10),
      committedUsd: Math.round(next() * 1e10),
      receivedUsd: 0,
      investedUnknownCount: 0,
      raisedUnknownCount: 0,
      committedUnknownCount: 0,
      receivedUnknownCount: 1,
    },
  }));
  const edges = new Map<string, Record<string, unknown>>();
  // A ring through the first companies, so that there is a cycle to highlight.
  const ring = [0, 1, 2];
  ring.forEach((from, i) => {
    const to = ring[(i + 1) % ring.length]!;
    const kind = i === 0 ? 'INVESTMENT' : 'CLOUD';
    const key = `${id(from)}->${id(to)}:${kind}`;
    edges.set(key, edge(key, id(from), id(to), kind, 1e9));
  });
  while (edges.size < edgeCount) {
    // Edges cluster around the center: most touch one of the first companies.
    const a = Math.floor(next() * (next() < 0.3 ? Math.min(40, nodeCount) : nodeCount));
    const b = Math.floor(next() * nodeCount);
    if (a === b) continue;
    const kind = KINDS[Math.floor(next() * KINDS.length)]!;
    const key = `${id(a)}->${id(b)}:${kind}`;
    if (!edges.has(key))
      edges.set(key, edge(key, id(a), id(b), kind, next() < 0.1 ? null : next() * 5e9));
  }
  return {
    nodes,
    edges: [...edges.values()],
    cycles: [
      {
        key: ring.map(id).join('>'),
        companyIds: ring.map(id),
        edgeIds: ring.map((from, i) => {
          const to = ring[(i + 1) % ring.length]!;
          return `${id(from)}->${id(to)}:${i === 0 ? 'INVESTMENT' : 'CLOUD'}`;
        }),
      },
    ],
  };
}

function edge(
  key: string,
  source: string,
  target: string,
  kind: string,
  amountUsd: number | null,
): Record<string, unknown> {
  return {
    id: key,
    source,
    target,
    kind,
    amountUsd,
    amountIsUpperBound: false,
    unknownAmountCount: amountUsd === null ? 1 : 0,
    dealCount: 1,
    dealIds: [`${key}:deal`],
  };
}

function cyclesAnswer(): Record<string, unknown> {
  const companies = [0, 1, 2].map((i) => ({ id: `c0000${i}`, name: `Company ${i}` }));
  return {
    company: {
      id: 'c00000',
      name: 'Company 0',
      cycles: {
        totalCount: 1,
        edges: [
          {
            node: {
              id: 'c00000>c00001>c00002',
              key: 'c00000>c00001>c00002',
              length: 3,
              companies,
              investedUsd: 1e9,
              investedUnknownCount: 0,
              committedUsd: 2e9,
              committedUnknownCount: 0,
              roundTripRatio: 2,
              roundTripRatioIsLowerBound: false,
              bottleneckUsd: 1e9,
              bottleneckIsLowerBound: false,
              firstDate: '2024-01',
              lastDate: '2025-01',
              timeRespecting: true,
            },
          },
        ],
      },
    },
  };
}

/** Serves the built pages, and answers the explorer's graph query with `graph()`. */
async function serve(graph: () => Record<string, unknown>): Promise<string> {
  const schema = buildSchema(loadTypeDefs());
  const web = webPages({ playground: true, logger: createLogger('warn') });
  const app = express();
  app.use(web.pages);
  app.get('/graphql', web.playground);
  app.post('/graphql', express.json({ limit: '1mb' }), (req, res) => {
    const { query = '', variables = {} } = req.body as {
      query?: string;
      variables?: Record<string, unknown>;
    };
    if (query.includes('ExplorerGraph')) return res.json({ data: { relationshipGraph: graph() } });
    if (query.includes('ExplorerCycles')) return res.json({ data: cyclesAnswer() });
    // Introspection and anything else: the real schema, without data.
    return res.json(graphqlSync({ schema, source: query, variableValues: variables }));
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface PageCost {
  requests: number;
  bytes: number;
  gzipBytes: number;
  offHost: string[];
}

/** Waits for `selector`; on a timeout, says what the page shows instead. */
async function waitFor(page: Page, selector: string, timeout: number): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout, state: 'attached' });
  } catch (error) {
    const state = await page.locator('body').getAttribute('data-state');
    const status = await page
      .locator('#status')
      .innerText()
      .catch(() => '');
    throw new Error(`waiting for ${selector}: the page is ${state}: ${status}`, { cause: error });
  }
}

/** Counts what a page loads from the server; anything for another host is refused and listed. */
async function watchLoads(page: Page, origin: string): Promise<PageCost> {
  const cost: PageCost = { requests: 0, bytes: 0, gzipBytes: 0, offHost: [] };
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin !== origin) {
      cost.offHost.push(url);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  page.on('response', (response) => {
    if (response.request().method() !== 'GET') return;
    void response.body().then(
      (body) => {
        cost.requests += 1;
        cost.bytes += body.length;
        cost.gzipBytes += gzipSync(body).length;
      },
      () => {},
    );
  });
  return cost;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

const sizes = (process.env.BENCH_GRAPHS ?? '30x60,300x1000,1000x10000').split(',').map((s) => {
  const [nodes, edges] = s.split('x').map(Number);
  return { nodes: nodes!, edges: edges! };
});
const repeat = Number(process.env.BENCH_REPEAT ?? 3);

let current = syntheticGraph(sizes[0]!.nodes, sizes[0]!.edges);
const origin = await serve(() => current);

const browser = await launchChromium();
try {
  console.log(`bench:explorer: Chromium at ${origin} (pages served by src/http/web.ts)\n`);

  // Page loads: the explorer on a seed-sized graph, and the playground until GraphiQL has the
  // schema (its docs button works) and the editor is up.
  for (const [name, path, ready] of [
    ['explorer', '/explore?company=c00000', 'body[data-state="ready"] #graph[data-layout="done"]'],
    ['playground', '/graphql', '.graphiql-query-editor .monaco-editor'],
  ] as const) {
    const times: number[] = [];
    let cost: PageCost | undefined;
    for (let i = 0; i < repeat; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
      const page = await context.newPage();
      cost = await watchLoads(page, origin);
      const started = performance.now();
      await page.goto(`${origin}${path}`);
      await waitFor(page, ready, 60_000);
      if (name === 'playground') {
        await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
        await waitFor(page, '.graphiql-doc-explorer', 60_000);
      }
      times.push(performance.now() - started);
      await page.waitForTimeout(500); // late requests (workers, fonts) are counted too
      await context.close();
    }
    console.log(
      `${name.padEnd(10)} load to ready: ${median(times).toFixed(0)} ms (median of ${repeat}, a fresh ` +
        `cache each); ${cost!.requests} requests, ${kb(cost!.bytes)} (${kb(cost!.gzipBytes)} gzip)` +
        (cost!.offHost.length ? `; OFF-HOST: ${cost!.offHost.join(' ')}` : '; nothing off-host'),
    );
  }
  console.log('');

  // Drawing: each graph size, the page's own figures plus the longest task while loading.
  for (const size of sizes) {
    current = syntheticGraph(size.nodes, size.edges);
    const draws: number[] = [];
    const loads: number[] = [];
    const longest: number[] = [];
    const highlights: number[] = [];
    let mode = '';
    for (let i = 0; i < repeat; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
      // Runs in the page (as strings: this file is typed for Node): records every long task.
      await context.addInitScript({
        content: `window.__longTasks = [];
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
          }).observe({ type: 'longtask', buffered: true });`,
      });
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${origin}/explore?company=c00000&depth=3`);
      await waitFor(page, 'body[data-state="ready"] #graph[data-layout="done"]', 120_000);
      loads.push(performance.now() - started);
      draws.push(Number(await page.locator('#graph').getAttribute('data-draw-ms')));
      const drawn = Number(await page.locator('#graph').getAttribute('data-edge-count'));
      if (drawn !== size.edges) throw new Error(`drew ${drawn} edges, expected ${size.edges}`);
      mode = size.nodes > 250 || size.edges > 1000 ? 'lean (concentric)' : 'full (fcose)';
      longest.push(Number(await page.evaluate('Math.max(0, ...window.__longTasks)')));
      const clicked = performance.now();
      await page.locator('button.cycle').first().click();
      await page.waitForFunction(
        `document.getElementById('graph').dataset.highlightedEdges !== '[]'`,
      );
      highlights.push(performance.now() - clicked);
      await context.close();
    }
    console.log(
      `${`${size.nodes} nodes / ${size.edges} edges`.padEnd(26)} ${mode.padEnd(18)} ` +
        `draw ${median(draws).toFixed(0)} ms, longest task ${median(longest).toFixed(0)} ms, ` +
        `load to ready ${median(loads).toFixed(0)} ms, highlight a cycle ${median(
          highlights,
        ).toFixed(0)} ms`,
    );
  }
} finally {
  await browser.close();
}
process.exit(0);
