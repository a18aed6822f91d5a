/**
 * The explorer follows writes while it is open, in a real browser against the real server and
 * Neo4j: it subscribes over GraphQL over WebSocket on the same origin (allowed by the page's CSP,
 * which closeAndCheck holds it to), and when a deal is recorded through the API the new edge is
 * drawn without moving what was drawn, and the circle it closes joins the list; when the deal is
 * deleted both go again.
 *
 *   Amazon ==(i1 $4B)==> Anthropic       AWS is part of Amazon
 *
 * Written while the page shows Anthropic: c1, a $4B cloud commitment Anthropic -> AWS, which
 * closes the circle Amazon -> Anthropic -> Amazon (AWS rolls up to Amazon).
 */
import type { Page } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CYCLES as CYCLES_QUERY, GRAPH as GRAPH_QUERY } from '../../web/explorer/queries.js';
import { company, dataset, investment } from '../fixtures/dataset.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/harness.js';
import { closeAndCheck, launchChromium, openPage, PATIENCE, type WatchedPage } from './browser.js';

const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon', { sectors: ['HYPERSCALER'] }),
    company('amazon-web-services', 'Amazon Web Services', {
      sectors: ['CLOUD_PROVIDER'],
      parentId: 'amazon',
    }),
    company('anthropic', 'Anthropic', { sectors: ['AI_LAB'] }),
  ],
  investments: [
    investment('i1', 'amazon', 'anthropic', { amountUsd: 4e9, announcedOn: '2023-09' }),
  ],
  commitments: [],
});

const RECORD_C1 = /* GraphQL */ `
  mutation {
    recordCommitment(
      input: {
        id: "c1"
        customerId: "anthropic"
        providerId: "amazon-web-services"
        kind: CLOUD
        amountUsd: 4e9
        announcedOn: "2024-03"
        status: ANNOUNCED
        sources: [{ publisher: "Test" }]
      }
    ) {
      id
    }
  }
`;

/** The page's document, as the functions run in the browser (page.evaluate) use it. */
declare const document: { getElementById(id: string): unknown };

interface Drawing {
  nodes: string[];
  edges: string[];
  /** Model positions of the company nodes, by company id. */
  positions: Record<string, { x: number; y: number }>;
  /** Companies outside the visible part of the drawing. */
  outOfView: string[];
}

/** What the page's own Cytoscape instance holds (Cytoscape keeps it on its container). */
function drawn(page: Page): Promise<Drawing> {
  return page.evaluate(() => {
    type Element = { id(): string; position(): { x: number; y: number } };
    type Collection = { map<T>(f: (e: Element) => T): T[] };
    const cy = (
      document.getElementById('graph') as {
        _cyreg: {
          cy: {
            nodes(s: string): Collection;
            edges(): Collection;
            extent(): { x1: number; x2: number; y1: number; y2: number };
          };
        };
      }
    )._cyreg.cy;
    const companies = cy.nodes('.company');
    const view = cy.extent();
    const outside = (p: { x: number; y: number }): boolean =>
      p.x < view.x1 || p.x > view.x2 || p.y < view.y1 || p.y > view.y2;
    return {
      nodes: companies.map((n) => n.id()).sort(),
      edges: cy
        .edges()
        .map((e) => e.id())
        .sort(),
      positions: Object.fromEntries(companies.map((n) => [n.id(), { ...n.position() }])),
      outOfView: companies.map((n) => (outside(n.position()) ? [n.id()] : [])).flat(),
    };
  });
}

async function apiGraph(server: TestServer): Promise<{
  nodes: { companyId: string }[];
  edges: { id: string; dealIds: string[] }[];
}> {
  const res = await server.gql<{
    relationshipGraph: {
      nodes: { companyId: string }[];
      edges: { id: string; dealIds: string[] }[];
    };
  }>(GRAPH_QUERY, { companyIds: ['anthropic'], depth: 1, cycleMaxLength: 4 });
  expect(res.errors).toBeUndefined();
  return res.data!.relationshipGraph;
}

async function waitForReady(page: Page): Promise<void> {
  try {
    await page.waitForSelector('body[data-state="ready"]', { timeout: PATIENCE.timeout });
  } catch (error) {
    const shown = await page.locator('body').getAttribute('data-state');
    const status = await page.locator('#status').innerText();
    throw new Error(`expected the page ready; it is ${shown}: ${status}`, { cause: error });
  }
}

let t: TestServer;
let browser: Browser;
let watched: WatchedPage | undefined;

beforeAll(async () => {
  // Cycle searches may take long here only while Neo4j plans them, on a busy machine.
  t = await startTestServer({
    adminToken: ADMIN_TOKEN,
    cycleLimits: { timeoutMs: 120_000, resultCap: 5_000 },
  });
  await t.load(GRAPH);
  // The explorer's own queries until they answer, so that Neo4j has planned their statements
  // before the page waits for them (`npm start` plans them all at start-up); planning alone can
  // outlast a request's deadline on a busy machine.
  let problems: unknown[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    const warmUp = [
      await t.gql(GRAPH_QUERY, { companyIds: ['anthropic'], depth: 1, cycleMaxLength: 4 }),
      await t.gql(CYCLES_QUERY, { id: 'anthropic', where: { maxLength: 4 } }),
    ];
    problems = warmUp.flatMap((res) => res.errors ?? []);
    if (problems.length === 0) break;
  }
  expect(problems).toEqual([]);
  browser = await launchChromium();
}, 300_000);

afterEach(async () => {
  const closing = watched;
  watched = undefined;
  await closeAndCheck(closing);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the explorer, live', () => {
  it('draws a deal recorded through the API in place, lists the circle it closes, and drops both when it is deleted', async () => {
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    await page.goto(`${t.baseUrl}/explore?company=anthropic`);
    await waitForReady(page);
    // The socket is open under the page's CSP, which still lets it connect to this origin only.
    const status = page.locator('#live-status');
    await expect.poll(() => status.getAttribute('data-live'), PATIENCE).toBe('live');
    expect(await status.isVisible()).toBe(true);
    const csp = (await fetch(`${t.baseUrl}/explore`)).headers.get('content-security-policy');
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(await page.locator('#cycles-status').innerText()).toContain('No circular deals');
    const before = await drawn(page);
    expect(before.nodes).toEqual(['amazon', 'anthropic']);

    // Its two subscriptions (deals; cycles through Anthropic) are registered with the server.
    await expect.poll(() => t.server.live.subscriptionCount(), PATIENCE).toBe(2);

    // c1 closes Amazon -> Anthropic -> AWS (Amazon).
    expect((await t.gql(RECORD_C1)).errors).toBeUndefined();
    const api = await apiGraph(t);
    const c1Edge = api.edges.find((edge) => edge.dealIds.includes('c1'));
    expect(c1Edge).toBeDefined();
    await expect
      .poll(async () => (await drawn(page)).edges, PATIENCE)
      .toEqual(api.edges.map((edge) => edge.id).sort());
    const after = await drawn(page);
    expect(after.nodes).toEqual(api.nodes.map((node) => node.companyId).sort());
    expect(after.nodes).toContain('amazon-web-services');
    // In place: what was drawn has not moved (no new layout); the view takes in the newcomer.
    expect(after.positions.anthropic).toEqual(before.positions.anthropic);
    expect(after.positions.amazon).toEqual(before.positions.amazon);
    await expect.poll(async () => (await drawn(page)).outOfView, PATIENCE).toEqual([]);

    const circle = page.locator('button.cycle[data-cycle-key="amazon>anthropic"]');
    await expect.poll(() => circle.count(), PATIENCE).toBe(1);
    expect(await circle.innerText()).toContain('Amazon → Anthropic → Amazon');
    expect(await page.locator('#cycles-status').innerText()).toContain('1 circular deal');
    expect(await page.locator('body').getAttribute('data-state')).toBe('ready');
    await watched.screenshot('explorer-live');

    // Deleting c1 breaks the circle: the edge and the list entry go.
    const deleted = await t.gql(`mutation { deleteDeal(id: "c1") { dealId } }`);
    expect(deleted.errors).toBeUndefined();
    await expect.poll(async () => (await drawn(page)).edges, PATIENCE).toEqual(before.edges);
    await expect.poll(() => circle.count(), PATIENCE).toBe(0);
    expect(await page.locator('#cycles-status').innerText()).toContain('No circular deals');
  });
});
