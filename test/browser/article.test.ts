/**
 * The explorer's "paste an article" panel in a real browser, against the real server and Neo4j:
 * the seed article (test/fixtures/articles/seed-article-amazon-anthropic.txt) gives its two
 * drafts with their evidence marked in the text at the offsets `extractDeals` gives; on the seed
 * they are flagged as already recorded; on the seed without that article's two records they are
 * recorded with the token after the server refused them without it and with a wrong company id
 * (the reviewer's edits kept throughout), and the API then has them as edited.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSeed } from '../../src/importer/seed.js';
import { EXTRACT } from '../../web/explorer/queries.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/harness.js';
import { closeAndCheck, launchChromium, openPage, PATIENCE, type WatchedPage } from './browser.js';

const ARTICLE = readFileSync('test/fixtures/articles/seed-article-amazon-anthropic.txt', 'utf8');
const SOURCE = { publisher: 'News report', publishedOn: '2026-04-20' };
/** The seed's own records of the article. */
const ARTICLE_RECORDS = ['amazon-anthropic-2026-04', 'anthropic-aws-2026-04'];

interface Seed {
  investments: { id: string }[];
  commitments: { id: string }[];
}

function seedWithoutArticle(): Seed {
  const seed = readSeed() as Seed;
  return {
    ...seed,
    investments: seed.investments.filter((deal) => !ARTICLE_RECORDS.includes(deal.id)),
    commitments: seed.commitments.filter((deal) => !ARTICLE_RECORDS.includes(deal.id)),
  };
}

interface ApiDraft {
  from: { company: { id: string } | null };
  to: { company: { id: string } | null };
  evidence: { sentence: string; start: number; end: number };
}

let t: TestServer;
let browser: Browser;
let watched: WatchedPage | undefined;

beforeAll(async () => {
  t = await startTestServer();
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

async function apiDrafts(): Promise<ApiDraft[]> {
  const res = await t.gql<{ extractDeals: { drafts: ApiDraft[] } }>(
    EXTRACT,
    { text: ARTICLE, source: SOURCE },
    { token: null },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.extractDeals.drafts;
}

/** Opens the panel from the header, pastes the article and extracts. */
async function extractArticle(page: Page): Promise<void> {
  await page.goto(`${t.baseUrl}/explore`);
  await page.locator('#article-toggle').click();
  await expect.poll(() => page.locator('#article-panel').isVisible(), PATIENCE).toBe(true);
  expect(new URL(page.url()).searchParams.get('panel')).toBe('article');
  await page.locator('#article-text').fill(ARTICLE);
  const form = page.locator('#article-form');
  await form.locator('[name="publisher"]').fill(SOURCE.publisher);
  await form.locator('[name="publishedOn"]').fill(SOURCE.publishedOn);
  await page.locator('#extract').click();
  await expect.poll(() => page.locator('#draft-list > li').count(), PATIENCE).toBe(2);
}

/** Each mark's text and the drafts it backs. */
function marks(page: Page): Promise<{ text: string; drafts: string }[]> {
  return page
    .locator('#article-marked mark')
    .evaluateAll((elements) =>
      elements.map((e) => ({ text: e.textContent ?? '', drafts: e.getAttribute('data-drafts')! })),
    );
}

/** The whole text as the page shows it (marks and text nodes together). */
function shownText(page: Page): Promise<string> {
  return page.locator('#article-marked').evaluate((e) => e.textContent ?? '');
}

describe('the paste-an-article panel', () => {
  it('lists the seed article’s two drafts with their evidence marked, flagged as recorded on the seed', async () => {
    await t.load(readSeed());
    const api = await apiDrafts();
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    await extractArticle(page);

    const drafts = page.locator('#draft-list > li');
    const first = await drafts.nth(0).innerText();
    expect(first).toMatch(/Amazon → Anthropic/);
    expect(first).toMatch(/Investment/);
    expect(first).toMatch(/\$5B/);
    expect(first).toContain('2026-04-20');
    const second = await drafts.nth(1).innerText();
    expect(second).toMatch(/Anthropic → Amazon Web Services/);
    expect(second).toMatch(/Cloud commitment/);
    expect(second).toMatch(/\$100B/);

    // The evidence marked is exactly the text at the API's offsets, and nothing else.
    expect(await shownText(page)).toBe(ARTICLE);
    expect(await marks(page)).toEqual(
      api.map((draft, n) => ({
        text: ARTICLE.slice(draft.evidence.start, draft.evidence.end),
        drafts: String(n),
      })),
    );
    expect((await marks(page))[0]!.text).toContain('Amazon is injecting an additional $5 billion');

    // Both are in the seed already: flagged, and not selected for recording.
    for (const [n, id] of ARTICLE_RECORDS.entries()) {
      const item = drafts.nth(n);
      expect(await item.locator('.existing').innerText()).toContain(id);
      expect(await item.locator('[name="include"]').isChecked()).toBe(false);
    }
    await watched.screenshot('explorer-article-existing');

    // Typing in the text ("/" included: not the search shortcut there) says the drafts are stale.
    await page.locator('#article-text').press('End');
    await page.keyboard.type(' See https://example.org/a');
    expect(await page.locator('#article-text').inputValue()).toBe(
      `${ARTICLE} See https://example.org/a`,
    );
    expect(await page.locator('#drafts-status').innerText()).toContain('press Extract again');
  });

  it('records the edited drafts with the token, after showing why it could not without', async () => {
    await t.load(seedWithoutArticle());
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    await page.goto(`${t.baseUrl}/explore`);
    await page.evaluate('sessionStorage.clear()');
    await extractArticle(page);

    const drafts = page.locator('#draft-list > li');
    expect(await page.locator('#draft-list .existing').count()).toBe(0);
    expect(await marks(page)).toHaveLength(2);
    const investment = drafts.nth(0);
    const commitment = drafts.nth(1);
    expect(await investment.locator('[name="include"]').isChecked()).toBe(true);
    expect(await commitment.locator('[name="include"]').isChecked()).toBe(true);
    expect(await investment.locator('[name="fromId"]').inputValue()).toBe('amazon');
    expect(await commitment.locator('[name="toId"]').inputValue()).toBe('amazon-web-services');

    // The reviewer's edits.
    await investment.locator('[name="status"]').selectOption('DEFINITIVE_AGREEMENT');
    await commitment.locator('[name="amountIsUpperBound"]').check();
    await commitment.locator('[name="toId"]').fill('no-such-company');

    // No token: the server's UNAUTHENTICATED message, nothing written, the edits kept.
    const result = page.locator('#record-result');
    await page.locator('#record-drafts').click();
    await expect.poll(() => result.innerText(), PATIENCE).toContain('UNAUTHENTICATED');
    expect(await result.innerText()).toContain('Authorization: Bearer');
    expect(await investment.locator('[name="status"]').inputValue()).toBe('DEFINITIVE_AGREEMENT');
    expect(await commitment.locator('[name="toId"]').inputValue()).toBe('no-such-company');
    await watched.screenshot('explorer-article-unauthenticated');

    // With the token: the unknown company is refused (BAD_USER_INPUT, at its path), nothing written.
    await page.locator('#admin-token').fill(ADMIN_TOKEN);
    await page.locator('#record-drafts').click();
    await expect.poll(() => result.innerText(), PATIENCE).toContain('BAD_USER_INPUT');
    expect(await result.innerText()).toContain('input[1].to.id');
    expect(await commitment.getAttribute('class')).toContain('refused');
    const nothing = await t.gql<{ deal: unknown }>(
      `{ deal(id: "amazon-anthropic-2026-04-5b") { id } }`,
    );
    expect(nothing.data?.deal).toBeNull();

    // Corrected: both recorded, as edited.
    await commitment.locator('[name="toId"]').fill('amazon-web-services');
    await page.locator('#record-drafts').click();
    await expect.poll(() => result.innerText(), PATIENCE).toContain('Recorded 2 deal(s)');
    const ids = await result
      .locator('li[data-deal-id]')
      .evaluateAll((items) => items.map((i) => i.getAttribute('data-deal-id')));
    expect(ids).toEqual([
      'amazon-anthropic-2026-04-5b',
      'anthropic-amazon-web-services-2026-04-100b',
    ]);
    expect(await page.evaluate("sessionStorage.getItem('explorer.adminToken')")).toBe(ADMIN_TOKEN);
    await page.evaluate("document.getElementById('article-panel').scrollTop = 0");
    await watched.screenshot('explorer-article');

    const res = await t.gql<{
      a: { from: { id: string }; to: { id: string }; amountUsd: number; status: string } | null;
      b: { amountUsd: number; amountIsUpperBound: boolean; kind: string; status: string } | null;
    }>(
      `query ($a: ID!, $b: ID!) {
        a: deal(id: $a) { from { id } to { id } amountUsd status }
        b: deal(id: $b) { amountUsd amountIsUpperBound status ... on CloudCommitment { kind } }
      }`,
      { a: ids[0], b: ids[1] },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.a).toEqual({
      from: { id: 'amazon' },
      to: { id: 'anthropic' },
      amountUsd: 5e9,
      status: 'DEFINITIVE_AGREEMENT',
    });
    expect(res.data!.b).toEqual({
      amountUsd: 100e9,
      amountIsUpperBound: true,
      status: 'ANNOUNCED',
      kind: 'CLOUD',
    });
  });
});
