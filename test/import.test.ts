/**
 * The bulk import (src/importer) and its CLI (`npm run import`): the seed dataset, idempotent
 * re-imports, every reason a record is rejected, files that are not datasets, --dry-run and
 * --strict.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DatasetError,
  importDataset,
  type ImportProgress,
  type ImportReport,
  type Rejection,
} from '../src/importer/importDataset.js';
import { readSeed } from '../src/importer/seed.js';
import {
  commitment,
  company,
  dataset,
  investment,
  source,
  type Dataset,
} from './fixtures/dataset.js';
import { graphSnapshot, labelCounts, relationshipCounts } from './fixtures/graph.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { messageOf, runImport } from './support/importing.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** What is already stored when a file is imported: Amazon ── AWS, Anthropic, and one commitment. */
const STORED = dataset({
  companies: [
    company('amazon', 'Amazon'),
    company('amazon-web-services', 'Amazon Web Services', { parentId: 'amazon' }),
    company('anthropic', 'Anthropic'),
  ],
  commitments: [commitment('anthropic-aws-2025-10', 'anthropic', 'amazon-web-services')],
});

/** Rejections by position (`investments[3]`), with the field paths of their problems. */
function byPosition(
  rejections: Rejection[],
): Record<string, { id: string | null; fields: string[] }> {
  return Object.fromEntries(
    rejections.map((r) => [
      `${r.section}[${r.index}]`,
      { id: r.id, fields: r.problems.map((p) => p.field) },
    ]),
  );
}

describe('the seed dataset', () => {
  const seed = readSeed() as Dataset;
  const deals = [...seed.investments, ...seed.commitments];
  let first: ImportReport;
  beforeAll(async () => {
    await t.reset();
    first = await importDataset(t.stores, seed);
  });

  it('imports with no rejection, every record stored once', async () => {
    expect(first).toEqual({
      dryRun: false,
      accepted: {
        companies: seed.companies.length,
        investments: seed.investments.length,
        commitments: seed.commitments.length,
      },
      rejections: [],
    });
    // The seed covers the fact sheet: a few dozen deals among a score of companies.
    expect(seed.companies.length).toBeGreaterThanOrEqual(20);
    expect(deals.length).toBeGreaterThanOrEqual(37);

    // The same citation backing several deals is one Source node.
    const citations = new Set(
      deals.flatMap((d) =>
        d.sources.map((s) => JSON.stringify([s.publisher, s.title, s.url, s.publishedOn])),
      ),
    );
    expect(await labelCounts(t)).toEqual({
      Company: seed.companies.length,
      Deal: deals.length,
      Investment: seed.investments.length,
      CloudCommitment: seed.commitments.length,
      Source: citations.size,
    });
    expect(await relationshipCounts(t)).toMatchObject({
      FROM: deals.length,
      TO: deals.length,
      REPORTED_BY: deals.reduce((n, d) => n + d.sources.length, 0),
      SUBSIDIARY_OF: seed.companies.filter((c) => c.parentId).length,
    });
  });

  it('changes nothing when imported again', async () => {
    const before = await graphSnapshot(t);
    const second = await importDataset(t.stores, seed);
    expect(second).toEqual(first);
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('restores its records when imported over changes', async () => {
    const before = await graphSnapshot(t);
    await t.db.write({
      name: 'test:tamper',
      cypher: `
        MATCH (c:Company {id: 'anthropic'}) SET c.name = 'Renamed'
        WITH c MATCH (d:Deal)-[:TO]->(c) SET d.amountUsd = 1.0`,
    });
    expect(await graphSnapshot(t)).not.toEqual(before);
    await importDataset(t.stores, seed);
    expect(await graphSnapshot(t)).toEqual(before);
  });
});

describe('rejected records', () => {
  /**
   * One record per reason to reject it, beside valid ones. Indexes are positions in the file,
   * as the report gives them.
   */
  const FILE = {
    formatVersion: 1,
    companies: [
      company('openai', 'OpenAI'), // 0: valid
      company('Open AI', 'Open AI'), // 1: id is not a slug
      company('openai', 'OpenAI Global'), // 2: duplicate id
      { ...company('xai', 'xAI'), ceo: 'Elon Musk' }, // 3: unknown key
      company('aws-europe', 'AWS Europe', { parentId: 'no-such-company' }), // 4: unknown parent
      company('aws-europe-north', 'AWS Europe North', { parentId: 'aws-europe' }), // 5: parent rejected
      company('loop-a', 'Loop A', { parentId: 'loop-b' }), // 6: cycle within the file
      company('loop-b', 'Loop B', { parentId: 'loop-a' }), // 7: cycle within the file
      // 8: a cycle through the database: AWS is stored as Amazon's subsidiary.
      company('amazon', 'Amazon', { parentId: 'amazon-web-services' }),
      company('', 'Nameless'), // 9: empty id
    ],
    investments: [
      investment('amazon-openai', 'amazon', 'openai', { amountUsd: 1e9 }), // 0: valid
      investment('ghost-openai', 'no-such-company', 'openai'), // 1: unknown company
      investment('amazon-anthropic-negative', 'amazon', 'anthropic', { amountUsd: -4e9 }), // 2
      investment('amazon-anthropic-month-13', 'amazon', 'anthropic', { announcedOn: '2025-13' }), // 3
      investment('amazon-anthropic-feb-30', 'amazon', 'anthropic', { announcedOn: '2025-02-30' }), // 4
      investment('amazon-anthropic-no-source', 'amazon', 'anthropic', { sources: [] }), // 5
      { ...investment('amazon-anthropic-sourceless', 'amazon', 'anthropic'), sources: undefined }, // 6
      { ...investment('amazon-anthropic-valued', 'amazon', 'anthropic'), valuation: 183e9 }, // 7
      investment('anthropic-anthropic', 'anthropic', 'anthropic'), // 8: investor is investee
      investment('amazon-xai', 'amazon', 'xai'), // 9: xai was rejected above
      investment('anthropic-aws-2025-10', 'amazon', 'anthropic'), // 10: a commitment's id
      investment('amazon-anthropic-bad-source', 'amazon', 'anthropic', {
        sources: [source('Reuters', { url: 'reuters dot com', publishedOn: '2025-02-29' })],
      }), // 11: bad source URL and date
    ],
    commitments: [
      commitment('openai-aws', 'openai', 'amazon-web-services', { amountUsd: 38e9 }), // 0: valid
      commitment('amazon-openai', 'openai', 'amazon-web-services'), // 1: an investment's id
      commitment('openai-aws-gpus', 'openai', 'amazon-web-services', { kind: 'GPU' }), // 2
      commitment('openai-aws-anonymous', 'openai', 'amazon-web-services', {
        sources: [source('')],
      }), // 3: empty publisher
      commitment('openai-ghost', 'openai', 'no-such-company'), // 4: unknown company
    ],
  };

  beforeEach(() => t.load(STORED));

  it('reports every rejected record with the field and reason, and imports the rest', async () => {
    const report = await importDataset(t.stores, FILE);
    expect(report.accepted).toEqual({ companies: 1, investments: 1, commitments: 1 });
    expect(byPosition(report.rejections)).toEqual({
      'companies[1]': { id: 'Open AI', fields: ['companies[1].id'] },
      'companies[2]': { id: 'openai', fields: ['companies[2].id'] },
      'companies[3]': { id: 'xai', fields: ['companies[3].ceo'] },
      'companies[4]': { id: 'aws-europe', fields: ['companies[4].parentId'] },
      'companies[5]': { id: 'aws-europe-north', fields: ['companies[5].parentId'] },
      'companies[6]': { id: 'loop-a', fields: ['companies[6].parentId'] },
      'companies[7]': { id: 'loop-b', fields: ['companies[7].parentId'] },
      'companies[8]': { id: 'amazon', fields: ['companies[8].parentId'] },
      'companies[9]': { id: '', fields: ['companies[9].id'] },
      'investments[1]': { id: 'ghost-openai', fields: ['investments[1].investorId'] },
      'investments[2]': { id: 'amazon-anthropic-negative', fields: ['investments[2].amountUsd'] },
      'investments[3]': { id: 'amazon-anthropic-month-13', fields: ['investments[3].announcedOn'] },
      'investments[4]': { id: 'amazon-anthropic-feb-30', fields: ['investments[4].announcedOn'] },
      'investments[5]': { id: 'amazon-anthropic-no-source', fields: ['investments[5].sources'] },
      'investments[6]': { id: 'amazon-anthropic-sourceless', fields: ['investments[6].sources'] },
      'investments[7]': { id: 'amazon-anthropic-valued', fields: ['investments[7].valuation'] },
      'investments[8]': { id: 'anthropic-anthropic', fields: ['investments[8].investeeId'] },
      'investments[9]': { id: 'amazon-xai', fields: ['investments[9].investeeId'] },
      'investments[10]': { id: 'anthropic-aws-2025-10', fields: ['investments[10].id'] },
      'investments[11]': {
        id: 'amazon-anthropic-bad-source',
        fields: ['investments[11].sources[0].url', 'investments[11].sources[0].publishedOn'],
      },
      'commitments[1]': { id: 'amazon-openai', fields: ['commitments[1].id'] },
      'commitments[2]': { id: 'openai-aws-gpus', fields: ['commitments[2].kind'] },
      'commitments[3]': {
        id: 'openai-aws-anonymous',
        fields: ['commitments[3].sources[0].publisher'],
      },
      'commitments[4]': { id: 'openai-ghost', fields: ['commitments[4].providerId'] },
    });

    const reasons: [string, RegExp][] = [
      ['companies[1].id', /'Open AI' is not a valid id/],
      ['companies[2].id', /duplicate id, first used at companies\[0\]/],
      ['companies[3].ceo', /unknown field/],
      ['companies[4].parentId', /unknown company 'no-such-company'/],
      ['companies[5].parentId', /unknown company 'aws-europe'/],
      ['companies[6].parentId', /would become its own ancestor/],
      ['companies[8].parentId', /'amazon' would become its own ancestor/],
      ['investments[1].investorId', /unknown company 'no-such-company'/],
      ['investments[2].amountUsd', /must not be negative/],
      ['investments[3].announcedOn', /'2025-13' has no month 13/],
      ['investments[4].announcedOn', /'2025-02-30' has no day 30/],
      ['investments[5].sources', /at least one source is required/],
      ['investments[6].sources', /at least one source is required/],
      ['investments[7].valuation', /unknown field/],
      ['investments[8].investeeId', /must differ from investorId/],
      ['investments[9].investeeId', /unknown company 'xai'/],
      ['investments[10].id', /already the id of a commitment/],
      ['investments[11].sources[0].url', /not an http\(s\) URL/],
      ['investments[11].sources[0].publishedOn', /'2025-02-29' has no day 29/],
      ['commitments[1].id', /duplicate deal id, first used at investments\[0\]/],
      ['commitments[2].kind', /'GPU' is not one of CLOUD, HARDWARE, CAPACITY/],
      ['commitments[3].sources[0].publisher', /is required/],
      ['commitments[4].providerId', /unknown company 'no-such-company'/],
    ];
    for (const [field, reason] of reasons) expect(messageOf(report, field), field).toMatch(reason);

    // The valid records are stored; nothing of the rejected ones is.
    const companies = await t.cypher(`MATCH (c:Company) RETURN c.id AS id ORDER BY id`);
    expect(companies.map((c) => c.id)).toEqual([
      'amazon',
      'amazon-web-services',
      'anthropic',
      'openai',
    ]);
    const stored = await t.cypher(`MATCH (d:Deal) RETURN d.id AS id ORDER BY id`);
    expect(stored.map((d) => d.id)).toEqual([
      'amazon-openai',
      'anthropic-aws-2025-10',
      'openai-aws',
    ]);
    const parents = await t.cypher(
      `MATCH (c:Company)-[:SUBSIDIARY_OF]->(p) RETURN c.id AS company, p.id AS parent`,
    );
    expect(parents).toEqual([{ company: 'amazon-web-services', parent: 'amazon' }]);
  });

  it('--dry-run reports the same and writes nothing', async () => {
    const before = await graphSnapshot(t);
    const dry = await importDataset(t.stores, FILE, { dryRun: true });
    expect(await graphSnapshot(t)).toEqual(before);
    const real = await importDataset(t.stores, FILE);
    expect(dry).toEqual({ ...real, dryRun: true });
    expect(await graphSnapshot(t)).not.toEqual(before);
  });

  it('--strict writes nothing when a record is rejected', async () => {
    const before = await graphSnapshot(t);
    const report = await importDataset(t.stores, FILE, { strict: true });
    expect(report.rejections.length).toBeGreaterThan(0);
    expect(await graphSnapshot(t)).toEqual(before);
  });

  it('--strict imports a file without rejections', async () => {
    const clean = dataset({
      companies: [company('openai', 'OpenAI')],
      investments: [investment('amazon-openai', 'amazon', 'openai')],
    });
    const report = await importDataset(t.stores, clean, { strict: true });
    expect(report.rejections).toEqual([]);
    const stored = await t.cypher(`MATCH (d:Deal {id: 'amazon-openai'}) RETURN d.id AS id`);
    expect(stored).toEqual([{ id: 'amazon-openai' }]);
  });
});

describe('a file that is not a dataset', () => {
  beforeEach(() => t.load(STORED));

  const VALID = dataset({
    companies: [company('openai', 'OpenAI')],
    investments: [investment('amazon-openai', 'amazon', 'openai')],
  });
  const NOT_DATASETS: [string, unknown, RegExp][] = [
    ['another format version', { ...VALID, formatVersion: 2 }, /formatVersion must be 1, got 2/],
    ['no format version', { ...VALID, formatVersion: undefined }, /formatVersion must be 1/],
    ['an unknown top-level key', { ...VALID, deals: [] }, /\$\.deals: unknown field/],
    ['a section that is not a list', { ...VALID, commitments: {} }, /commitments must be a list/],
    ['a list', [VALID], /must be a JSON object/],
    ['null', null, /must be a JSON object/],
  ];

  it.each(NOT_DATASETS)('%s: refused whole, nothing written', async (_, file, message) => {
    const before = await graphSnapshot(t);
    const error = await importDataset(t.stores, file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toMatch(message);
    expect(await graphSnapshot(t)).toEqual(before);
  });
});

describe('batches and progress', () => {
  beforeEach(() => t.reset());

  it('writes in batches, subsidiaries listed before their parents included', async () => {
    const progress: ImportProgress[] = [];
    const file = dataset({
      companies: [
        company('aws-europe', 'AWS Europe', { parentId: 'amazon-web-services' }),
        company('amazon-web-services', 'Amazon Web Services', { parentId: 'amazon' }),
        company('amazon', 'Amazon'),
        company('anthropic', 'Anthropic'),
        company('openai', 'OpenAI'),
      ],
      investments: [
        investment('amazon-anthropic', 'amazon', 'anthropic'),
        investment('amazon-openai', 'amazon', 'openai'),
        investment('aws-europe-anthropic', 'aws-europe', 'anthropic'),
      ],
    });
    const report = await importDataset(t.stores, file, {
      batchSize: 2,
      onProgress: (line) => progress.push(line),
    });
    expect(report.rejections).toEqual([]);
    // Reading has no total (a file is streamed); the flows are re-derived once, for the one
    // payer tree (Amazon's: AWS Europe's deal is Amazon's too).
    expect(progress).toEqual([
      { phase: 'reading', done: 8, total: null },
      { phase: 'companies', done: 2, total: 5 },
      { phase: 'companies', done: 4, total: 5 },
      { phase: 'companies', done: 5, total: 5 },
      { phase: 'deals', done: 2, total: 3 },
      { phase: 'deals', done: 3, total: 3 },
      { phase: 'flows', done: 1, total: 1 },
    ]);
    const parents = await t.cypher(`
      MATCH (c:Company)-[:SUBSIDIARY_OF]->(p) RETURN c.id AS company, p.id AS parent ORDER BY company`);
    expect(parents).toEqual([
      { company: 'amazon-web-services', parent: 'amazon' },
      { company: 'aws-europe', parent: 'amazon-web-services' },
    ]);
    expect(await labelCounts(t)).toMatchObject({ Company: 5, Deal: 3 });
  });
});

describe('npm run import', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-import-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => t.load(STORED));

  it('--dry-run validates a file against the database, lists rejections and writes nothing', async () => {
    const file = path.join(dir, 'deals.json');
    writeFileSync(
      file,
      JSON.stringify(
        dataset({
          companies: [company('openai', 'OpenAI')],
          investments: [
            investment('amazon-openai', 'amazon', 'openai'),
            investment('amazon-anthropic-negative', 'amazon', 'anthropic', { amountUsd: -1 }),
          ],
        }),
      ),
    );
    const before = await graphSnapshot(t);
    const [bad, good] = await Promise.all([
      runImport([file, '--dry-run']),
      runImport([path.join(ROOT, 'data/seed.json'), '--dry-run']),
    ]);

    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(
      /valid \(dry run, nothing written\): 1 companies, 1 investments, 0 commitments; rejected: 1/,
    );
    expect(bad.stderr).toMatch(
      /rejected investments\[1\] \(amazon-anthropic-negative\): investments\[1\]\.amountUsd: must not be negative/,
    );

    const seed = readSeed() as Dataset;
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain(
      `valid (dry run, nothing written): ${seed.companies.length} companies, ` +
        `${seed.investments.length} investments, ${seed.commitments.length} commitments; rejected: 0`,
    );
    expect(await graphSnapshot(t)).toEqual(before);
  });
});
