/**
 * The web routes without a build: a server whose pages were never built (web/dist missing) says
 * so in its log at start and on the page, instead of a blank page or a bare 404.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { webPages } from '../../src/http/web.js';
import { createLogger } from '../../src/logger.js';

const lines: { msg: string; level: number }[] = [];
let emptyDir: string;
let origin: string;
let close: () => void;

beforeAll(async () => {
  emptyDir = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-no-pages-'));
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { msg: string; level: number });
        done();
      },
    }),
  );
  const web = webPages({ playground: true, logger, distDir: path.join(emptyDir, 'dist') });
  const app = express();
  app.use(web.pages);
  app.get('/graphql', web.playground);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});

afterAll(() => {
  close?.();
  rmSync(emptyDir, { recursive: true, force: true });
});

it('says in the log and on each page that the pages are not built', async () => {
  expect(lines).toContainEqual(
    expect.objectContaining({ msg: expect.stringContaining('npm run build:web') }),
  );
  for (const url of [`${origin}/`, `${origin}/explore`, `${origin}/graphql`]) {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:web');
  }
});
