/**
 * The explorer in a real browser, against the real server and Neo4j: it draws what
 * `relationshipGraph` returns, lists the circular deals through the company and highlights
 * exactly the selected one's edges, finds companies by alias, says when a company does not
 * exist, when the server refuses a view and when it is down; and it never asks another host for
 * anything.
 *
 *   Amazon ==(I1 $1.25B, I2 $2.75B)==> Anthropic ==(C1 CLOUD $4B)==> AWS (part of Amazon)
 *   Google ==(I3 $2B)==> Anthropic ==(C2 CLOUD, amount unknown)==> Google Cloud (part of Google)
 *   Microsoft ==(I4 $10B)==> OpenAI ==(C3 CLOUD $300B)==> Oracle ==(C4 HARDWARE $40B)==> Nvidia
 *   Nvidia ==(I5, amount unknown)==> OpenAI
 *
 * Through Anthropic there are two cycles: amazon>anthropic and anthropic>google. Loner has no
 * deals.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_LIMITS } from '../../src/config.js';
import { freePort } from '../../src/localNeo4j/provision.js';
import { createLogger } from '../../src/logger.js';
import { Database } from '../../src/neo4j/database.js';
import { importSeed } from '../../src/importer/seed.js';
import { startServer } from '../../src/server.js';
import { createStores } from '../../src/stores/index.js';
import { CYCLES as CYCLES_QUERY, GRAPH as GRAPH_QUERY } from '../../web/explorer/queries.js';
import { commitment, company, dataset, investment, source } from '../fixtures/dataset.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { closeAndCheck, launchChromium, openPage, PATIENCE, type WatchedPage } from './browser.js';

const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon', { sectors: ['HYPERSCALER'] }),
    company('amazon-web-services', 'Amazon Web Services', {
      aliases: ['AWS'],
      sectors: ['CLOUD_PROVIDER'],
      parentId: 'amazon',
    }),
    company('anthropic', 'Anthropic', { sectors: ['AI_LAB'] }),
    company('google', 'Google', { sectors: ['HYPERSCALER'] }),
    company('google-cloud', 'Google Cloud', { sectors: ['CLOUD_PROVIDER'], parentId: 'google' }),
    company('microsoft', 'Microsoft', { sectors: ['HYPERSCALER'] }),
    company('openai', 'OpenAI', { sectors: ['AI_LAB'] }),
    company('oracle', 'Oracle', { sectors: ['CLOUD_PROVIDER'] }),
    company('nvidia', 'Nvidia', { sectors: ['CHIPMAKER'] }),
    company('loner', 'Loner', { sectors: ['OTHER'] }),
  ],
  investments: [
    investment('i1', 'amazon', 'anthropic', {
      amountUsd: 1.25e9,
      announcedOn: '2023-09',
      status: 'COMPLETED',
      sources: [source('Amazon', { title: 'First tranche', url: 'https://example.org/i1' })],
    }),
    investment('i2', 'amazon', 'anthropic', { amountUsd: 2.75e9, announcedOn: '2024-03' }),
    investment('i3', 'google', 'anthropic', { amountUsd: 2e9, announcedOn: '2023-10' }),
    investment('i4', 'microsoft', 'openai', { amountUsd: 10e9, announcedOn: '2023-01' }),
    investment('i5', 'nvidia', 'openai', { announcedOn: '2025-09' }),
  ],
  commitments: [
    commitment('c1', 'anthropic', 'amazon-web-services', {
      amountUsd: 4e9,
      announcedOn: '2024-03',
    }),
    commitment('c2', 'anthropic', 'google-cloud', { announcedOn: '2025-10' }),
    commitment('c3', 'openai', 'oracle', { amountUsd: 300e9, announcedOn: '2025-09' }),
    commitment('c4', 'oracle', 'nvidia', { kind: 'HARDWARE', amountUsd: 40e9 }),
  ],
});

/** The page's document, as the functions run in the browser (page.evaluate) use it. */
declare const document: { getElementById(id: string): Element | null };
interface Element {
  getBoundingClientRect(): { left: number; top: number };
}

interface ApiGraph {
  nodes: { companyId: string }[];
  edges: { id: string; source: string; target: string; kind: string; dealIds: string[] }[];
  cycles: { key: string; edgeIds: string[] }[];
}

let t: TestServer;
let browser: Browser;
let watched: WatchedPage | undefined;

/**
 * Runs the explorer's own queries once, so that Neo4j has planned their long cycle statements
 * (seconds on a busy machine) before a page waits for them, as `npm start` plans them at start-up.
 */
async function warmUp(server: TestServer): Promise<void> {
  await server.stores.cycles.plan(4);
  await server.gql(GRAPH_QUERY, { companyIds: ['anthropic'], depth: 1, cycleMaxLength: 4 });
  await server.gql(CYCLES_QUERY, { id: 'anthropic', where: { maxLength: 4 } });
}

beforeAll(async () => {
  t = await startTestServer();
  await t.load(GRAPH);
  await warmUp(t);
  browser = await launchChromium();
});

afterEach(async () => {
  const closing = watched;
  watched = undefined;
  await closeAndCheck(closing);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function apiGraph(server: TestServer, companyIds: string[], depth = 1): Promise<ApiGraph> {
  const res = await server.gql<{ relationshipGraph: ApiGraph }>(
    `query ($ids: [ID!]!, $depth: Int!) {
      relationshipGraph(companyIds: $ids, depth: $depth, aggregate: true) {
        nodes { companyId }
        edges { id source target kind dealIds }
        cycles(maxLength: 4) { key edgeIds }
      }
    }`,
    { ids: companyIds, depth },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.relationshipGraph;
}

/**
 * What the page's own Cytoscape instance holds (Cytoscape keeps it on its container): nodes by
 * company id (`GraphNode.companyId`), edges by `GraphEdge.id`.
 */
function drawn(page: Page): Promise<{ nodes: string[]; edges: string[]; highlighted: string[] }> {
  return page.evaluate(() => {
    type Collection = { map<T>(f: (e: { id(): string }) => T): T[] };
    const cy = (
      document.getElementById('graph') as unknown as {
        _cyreg: { cy: { nodes(s: string): Collection; edges(s?: string): Collection } };
      }
    )._cyreg.cy;
    const ids = (c: Collection): string[] => c.map((e) => e.id()).sort();
    return {
      nodes: ids(cy.nodes('.company')),
      edges: ids(cy.edges()),
      highlighted: ids(cy.edges('.highlighted')),
    };
  });
}

/** Clicks an element of the graph where the page's Cytoscape instance draws it. */
async function clickElement(page: Page, id: string): Promise<void> {
  const point = await page.evaluate((elementId) => {
    type Point = { x: number; y: number };
    const container = document.getElementById('graph')!;
    const cy = (
      container as unknown as {
        _cyreg: {
          cy: {
            getElementById(id: string): {
              isNode(): boolean;
              renderedPosition(): Point;
              renderedMidpoint(): Point;
            };
          };
        };
      }
    )._cyreg.cy;
    const element = cy.getElementById(elementId);
    const at = element.isNode() ? element.renderedPosition() : element.renderedMidpoint();
    const box = container.getBoundingClientRect();
    return { x: box.left + at.x, y: box.top + at.y };
  }, id);
  await page.mouse.click(point.x, point.y);
}

async function waitForState(page: Page, state: string): Promise<void> {
  try {
    await page.waitForSelector(`body[data-state="${state}"]`, { timeout: PATIENCE.timeout });
  } catch (error) {
    const shown = await page.locator('body').getAttribute('data-state');
    const status = await page.locator('#status').innerText();
    throw new Error(`expected the page in state ${state}; it is ${shown}: ${status}`, {
      cause: error,
    });
  }
}

describe('the explorer', () => {
  it('is served at / and /explore with a CSP that allows scripts from this server only', async () => {
    for (const path of ['/', '/explore']) {
      const response = await fetch(`${t.baseUrl}${path}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('<title>Explorer');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
    }
  });

  it('draws the relationship graph, lists the circles and highlights exactly the selected one', async () => {
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    await page.goto(`${t.baseUrl}/explore?company=anthropic`);
    await waitForState(page, 'ready');

    const api = await apiGraph(t, ['anthropic']);
    const onPage = await drawn(page);
    expect(onPage.nodes).toEqual(api.nodes.map((n) => n.companyId).sort());
    expect(onPage.edges).toEqual(api.edges.map((e) => e.id).sort());
    expect(await page.locator('#graph').getAttribute('data-node-count')).toBe(
      String(api.nodes.length),
    );

    // The circle Amazon -> Anthropic -> AWS (rolled up to Amazon) is listed with its figures.
    const circle = page.locator('button.cycle[data-cycle-key="amazon>anthropic"]');
    await expect.poll(() => circle.innerText(), PATIENCE).toContain('Amazon → Anthropic → Amazon');
    const text = await circle.innerText();
    expect(text).toContain('invested $4B');
    expect(text).toContain('committed $4B');
    expect(text).toContain('round trip 1.00×');
    expect(text).toContain('2023-09 – 2024-03');
    await expect.poll(() => page.locator('button.cycle').count(), PATIENCE).toBe(2); // and anthropic>google

    // Selecting it highlights exactly the edges the API names for it, and puts it in the URL.
    const expected = api.cycles.find((c) => c.key === 'amazon>anthropic');
    expect(expected?.edgeIds.length).toBeGreaterThan(0);
    await circle.click();
    await expect
      .poll(async () => (await drawn(page)).highlighted, PATIENCE)
      .toEqual([...expected!.edgeIds].sort());
    expect((await drawn(page)).highlighted.length).toBeLessThan(api.edges.length);
    expect(new URL(page.url()).searchParams.get('cycle')).toBe('amazon>anthropic');
    expect(await circle.getAttribute('aria-pressed')).toBe('true');
    await watched.screenshot('explorer');

    // The URL is the view: a reload shows the same selection.
    await page.reload();
    await waitForState(page, 'ready');
    await expect
      .poll(async () => (await drawn(page)).highlighted, PATIENCE)
      .toEqual([...expected!.edgeIds].sort());
  });

  it('lists the deals of a clicked edge with status and sources, and expands a clicked node', async () => {
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    await page.goto(`${t.baseUrl}/explore?company=anthropic&depth=1`);
    await waitForState(page, 'ready');
    const api = await apiGraph(t, ['anthropic']);

    const edge = api.edges.find((e) => e.source === 'amazon' && e.target === 'anthropic')!;
    await clickElement(page, edge.id);
    const details = page.locator('#details');
    await expect.poll(() => details.innerText(), PATIENCE).toContain('Amazon → Anthropic');
    await expect
      .poll(() => details.locator('li[data-deal-id]').count(), PATIENCE)
      .toBe(edge.dealIds.length);
    const first = details.locator('li[data-deal-id="i1"]');
    expect(await first.innerText()).toMatch(/\$1\.25B[\s\S]*2023-09[\s\S]*Completed/);
    expect(await first.locator('a').getAttribute('href')).toBe('https://example.org/i1');

    // The edge of unknown amount says so.
    const unknown = api.edges.find((e) => e.target === 'google-cloud')!;
    await clickElement(page, unknown.id);
    await expect.poll(() => details.innerText(), PATIENCE).toContain('amount unknown');

    // Clicking a node expands it: Amazon's own neighbours are drawn too.
    const expandedApi = await apiGraph(t, ['anthropic', 'amazon']);
    await clickElement(page, 'amazon');
    await expect.poll(() => page.url(), PATIENCE).toContain('expand=amazon');
    await expect
      .poll(async () => (await drawn(page)).nodes, PATIENCE)
      .toEqual(expandedApi.nodes.map((n) => n.companyId).sort());
  });

  it('finds a company by its alias, from the keyboard', async () => {
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    await page.goto(`${t.baseUrl}/`);
    await waitForState(page, 'start');
    await page.locator('body').press('/');
    await page.keyboard.type('AWS');
    const hit = page.locator('#search-results [role="option"]').first();
    await expect.poll(() => hit.innerText(), PATIENCE).toContain('Amazon Web Services');
    await page.keyboard.press('Enter');
    await waitForState(page, 'ready');
    expect(page.url()).toContain('company=amazon-web-services');
    const api = await apiGraph(t, ['amazon-web-services']);
    expect((await drawn(page)).nodes).toEqual(api.nodes.map((n) => n.companyId).sort());
  });

  it('says so when the company has no deals', async () => {
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    await page.goto(`${t.baseUrl}/explore?company=loner`);
    await waitForState(page, 'empty');
    expect(await page.locator('#status').innerText()).toContain('Loner has no deals');
    expect(await page.locator('#cycles-status').innerText()).toContain('No circular deals');
  });

  it('says so when the company does not exist', async () => {
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    await page.goto(`${t.baseUrl}/explore?company=no-such-company`);
    await waitForState(page, 'not-found');
    expect(await page.locator('#status').innerText()).toContain('no-such-company');
    await watched.screenshot('explorer-not-found');
  });

  it("shows the server's message when it refuses the view", async () => {
    const strict = await startTestServer({
      config: { limits: { ...DEFAULT_QUERY_LIMITS, maxCost: 50 } },
    });
    try {
      watched = await openPage(browser, strict.baseUrl);
      const { page } = watched;
      await page.goto(`${strict.baseUrl}/explore?company=anthropic`);
      await waitForState(page, 'refused');
      // The page shows the message and code the API gives for the explorer's own query.
      const res = await strict.gql(GRAPH_QUERY, {
        companyIds: ['anthropic'],
        depth: 1,
        cycleMaxLength: 4,
      });
      const refusal = res.errors?.[0];
      expect(refusal?.extensions?.code).toBeTypeOf('string');
      const status = await page.locator('#status').innerText();
      expect(status).toContain(refusal!.message);
      expect(status).toContain(String(refusal!.extensions!.code));
      await watched.screenshot('explorer-refused');
    } finally {
      await strict.close();
    }
  });

  it('shows an outage when the database is down, not a blank page', async () => {
    // A server whose Neo4j is not there: every read fails with DATABASE_UNAVAILABLE.
    const db = new Database({
      uri: `bolt://127.0.0.1:${await freePort()}`,
      user: 'neo4j',
      password: 'nobody-home',
      database: 'neo4j',
      queryTimeoutMs: 2_000,
    });
    const down = await startServer({
      config: { adminToken: undefined, production: false, host: '127.0.0.1', port: 0 },
      stores: createStores(db),
      logger: createLogger('silent'),
    });
    const origin = `http://127.0.0.1:${down.port}`;
    try {
      watched = await openPage(browser, origin);
      const { page } = watched;
      await page.goto(`${origin}/explore?company=anthropic`);
      await waitForState(page, 'outage');
      expect(await page.locator('#status').innerText()).toMatch(/DATABASE_UNAVAILABLE/);
      expect(await page.locator('#status button').innerText()).toBe('Try again');
      await watched.screenshot('explorer-outage');
    } finally {
      await down.stop();
      await db.close();
    }
  });

  it('draws the seed graph as relationshipGraph returns it', async () => {
    await t.reset();
    const report = await importSeed(t.stores);
    expect(report.rejections).toEqual([]);
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    await page.goto(`${t.baseUrl}/explore?company=anthropic&depth=1`);
    await waitForState(page, 'ready');
    const api = await apiGraph(t, ['anthropic']);
    expect((await drawn(page)).nodes).toEqual(api.nodes.map((n) => n.companyId).sort());
    expect((await drawn(page)).edges).toEqual(api.edges.map((e) => e.id).sort());
    // The README's example circle, selected (this picture is docs/explorer.png).
    const expected = api.cycles.find((c) => c.key === 'amazon>anthropic');
    expect(expected).toBeDefined();
    await page.locator('button.cycle[data-cycle-key="amazon>anthropic"]').click();
    await expect
      .poll(async () => (await drawn(page)).highlighted, PATIENCE)
      .toEqual([...expected!.edgeIds].sort());
    await page.evaluate("document.getElementById('side').scrollTop = 0");
    await watched.screenshot('explorer-seed');
  });
});
