/**
 * The playground in a real browser: GraphiQL served by the server itself at GET /graphql, loading
 * every script, style, font and editor worker from it; it introspects the schema, runs a query
 * typed into the editor, and its docs list the API's types.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/harness.js';
import { closeAndCheck, launchChromium, openPage, PATIENCE, type WatchedPage } from './browser.js';

let t: TestServer;
let browser: Browser;
let watched: WatchedPage | undefined;

beforeAll(async () => {
  t = await startTestServer();
  await t.load({
    formatVersion: 1,
    companies: [
      { id: 'anthropic', name: 'Anthropic', aliases: ['Anthropic PBC'], sectors: ['AI_LAB'] },
    ],
    investments: [],
    commitments: [],
  });
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

describe('the playground at GET /graphql', () => {
  it('is GraphiQL from this server, with a CSP that allows scripts from it only', async () => {
    const response = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>GraphiQL');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline scripts
    for (const [, src] of html.matchAll(/\b(?:src|href)="([^"]+)"/g)) {
      expect(src).toMatch(/^\/assets\//);
    }
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("font-src 'self' data:");
    expect(csp).not.toContain('unsafe-eval');

    // A GraphQL client's GET still reaches Apollo.
    const api = await fetch(`${t.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('introspects, runs a query typed into the editor, writes with the headers editor, and documents Company', async () => {
    watched = await openPage(browser, t.baseUrl);
    const { page } = watched;
    const introspected = page.waitForResponse(
      (r) => r.url() === t.url && (r.request().postData() ?? '').includes('__schema'),
    );
    await page.goto(t.url);
    expect((await introspected).status()).toBe(200);

    // The README's examples are open as tabs, named after their comments.
    await expect.poll(() => page.locator('.graphiql-tab').count(), PATIENCE).toBeGreaterThan(3);

    // Type a query into a fresh tab and run it.
    await page.getByRole('button', { name: 'New tab' }).click();
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('query Typed { company(id: "anthropic") { name aliases } }');
    // Monaco draws spaces as no-break spaces.
    const text = async (selector: string): Promise<string> =>
      (await page.locator(selector).first().innerText()).replace(/\u00a0/g, ' ');
    await expect.poll(() => text('.graphiql-query-editor'), PATIENCE).toContain('query Typed');
    // GraphiQL reads the operation name from the editor a moment after a change.
    await page.waitForTimeout(500);
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect.poll(() => text('.graphiql-response'), PATIENCE).toContain('Anthropic PBC');
    expect(await text('.graphiql-response')).toContain('"name": "Anthropic"');

    // Writes: the headers editor carries the admin token.
    const write =
      'mutation Write { upsertCompany(input: { id: "mistral-ai", name: "Mistral AI", sectors: [AI_LAB] }) { id name } }';
    await page.getByRole('button', { name: 'New tab' }).click();
    await page.locator('.graphiql-query-editor .monaco-editor').first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(write);
    await page.getByText('Headers', { exact: true }).click();
    await page.locator('.graphiql-editor-tool .monaco-editor').last().click();
    await page.keyboard.insertText(`{ "Authorization": "Bearer ${ADMIN_TOKEN}" }`);
    await expect.poll(() => text('.graphiql-query-editor'), PATIENCE).toContain('mutation Write');
    await page.waitForTimeout(500);
    await page.locator('.graphiql-query-editor .monaco-editor').first().click();
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect.poll(() => text('.graphiql-response'), PATIENCE).toContain('"Mistral AI"');
    const stored = await t.gql<{ company: { name: string } | null }>(
      '{ company(id: "mistral-ai") { name } }',
    );
    expect(stored.data?.company?.name).toBe('Mistral AI');

    // The docs explorer lists the schema's types, read by introspection.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.getByText('Query', { exact: true }).first().click();
    await expect
      .poll(() => page.locator('.graphiql-doc-explorer').innerText(), PATIENCE)
      .toMatch(/\bCompany\b/);
    await watched.screenshot('playground');
  });

  it('is off in production unless GRAPHQL_PLAYGROUND turns it on', async () => {
    const prod = await startTestServer({ production: true });
    const on = await startTestServer({ production: true, config: { playground: true } });
    try {
      const off = await fetch(prod.url, { headers: { accept: 'text/html' } });
      expect(off.headers.get('content-type') ?? '').not.toContain('text/html');
      const page = await fetch(on.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).toContain('<title>GraphiQL');
    } finally {
      await prod.close();
      await on.close();
    }
  });
});
