/**
 * Importing files: the spreadsheets analysts keep (companies.csv and deals.csv) and a JSON
 * dataset read as a stream. Each gives the same graph, the same checks and the same messages as
 * the dataset in memory (test/import.test.ts), with rows named by file and line and fields by
 * their columns; --dry-run and --strict behave the same; files that are not datasets are refused
 * whole. Every file is written by the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { csvReader } from '../src/importer/csvFiles.js';
import {
  DatasetError,
  importDataset,
  importFrom,
  type ImportReport,
} from '../src/importer/importDataset.js';
import { jsonFileReader } from '../src/importer/jsonFile.js';
import { commitment, company, dataset, investment, source } from './fixtures/dataset.js';
import { graphSnapshot } from './fixtures/graph.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { messageOf, runImport } from './support/importing.js';

let t: TestServer;
let dir: string;
beforeAll(async () => {
  t = await startTestServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-import-files-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.close();
});

/** Writes `lines` as a file in the test's folder and returns its path. */
function file(name: string, lines: string[]): string {
  const at = path.join(dir, name);
  writeFileSync(at, lines.join('\n') + '\n');
  return at;
}

/** The graph, without the change log (its entries carry commit times). */
async function graph(): Promise<{ nodes: string[]; relationships: string[] }> {
  const { nodes, relationships } = await graphSnapshot(t);
  const isLog = (s: string): boolean => /"labels":\["(Change|ChangeLogHead)"\]/.test(s);
  return { nodes: nodes.filter((n) => !isLog(n)), relationships };
}

/** Rejections as `at` -> the fields of their problems. */
function fieldsByRow(report: ImportReport): Record<string, string[]> {
  return Object.fromEntries(report.rejections.map((r) => [r.at, r.problems.map((p) => p.field)]));
}

/** Amazon ── AWS, Anthropic; Amazon invests in Anthropic, which commits to AWS. */
const COMPANIES_CSV = [
  'id,name,aliases,sectors,country,website,parentId',
  'amazon,Amazon,Amazon.com,HYPERSCALER,us,https://www.amazon.com,',
  'amazon-web-services,Amazon Web Services,AWS; Amazon Cloud,CLOUD_PROVIDER,,,amazon',
  '"anthropic","Anthropic, PBC",,AI_LAB;SOFTWARE,US,,',
];
const DEALS_CSV = [
  'type,id,fromId,toId,amountUsd,amountIsUpperBound,quantityValue,quantityUnit,announcedOn,status,instrument,kind,term,note,source1Publisher,source1Title,source1Url,source1PublishedOn,source2Publisher,source2Title,source2Url,source2PublishedOn',
  'INVESTMENT,amazon-anthropic-2023-09,amazon,anthropic,1250000000,false,,,2023-09,COMPLETED,EQUITY,,,"First tranche, of two",Amazon,Company announcement,,2023-09,Reuters,,https://example.org/a,2023-09-25',
  'commitment,anthropic-aws-2025-10,anthropic,amazon-web-services,,,1,GW,2025-10-23,ANNOUNCED,,CAPACITY,multi-year,,Reuters,,,,,,,',
];
/** The same records in the JSON format. */
const SAME_AS_JSON = dataset({
  companies: [
    company('amazon', 'Amazon', {
      aliases: ['Amazon.com'],
      sectors: ['HYPERSCALER'],
      country: 'US',
      website: 'https://www.amazon.com',
    }),
    company('amazon-web-services', 'Amazon Web Services', {
      aliases: ['AWS', 'Amazon Cloud'],
      sectors: ['CLOUD_PROVIDER'],
      parentId: 'amazon',
    }),
    company('anthropic', 'Anthropic, PBC', { sectors: ['AI_LAB', 'SOFTWARE'], country: 'US' }),
  ],
  investments: [
    investment('amazon-anthropic-2023-09', 'amazon', 'anthropic', {
      amountUsd: 1.25e9,
      amountIsUpperBound: false,
      announcedOn: '2023-09',
      status: 'COMPLETED',
      instrument: 'EQUITY',
      note: 'First tranche, of two',
      sources: [
        source('Amazon', { title: 'Company announcement', publishedOn: '2023-09' }),
        source('Reuters', { url: 'https://example.org/a', publishedOn: '2023-09-25' }),
      ],
    }),
  ],
  commitments: [
    commitment('anthropic-aws-2025-10', 'anthropic', 'amazon-web-services', {
      kind: 'CAPACITY',
      quantity: { value: 1, unit: 'GW' },
      announcedOn: '2025-10-23',
      term: 'multi-year',
    }),
  ],
});

describe('CSV files', () => {
  beforeEach(() => t.reset());

  it('give the same graph as the same records in JSON, flows included', async () => {
    const companies = file('companies.csv', COMPANIES_CSV);
    const deals = file('deals.csv', DEALS_CSV);
    const report = await importFrom(t.stores, csvReader({ companies, deals }));
    expect(report).toEqual({
      dryRun: false,
      accepted: { companies: 3, investments: 1, commitments: 1 },
      rejections: [],
    });
    const fromCsv = await graph();
    // Amazon's tree and Anthropic: money flows both ways, a cycle.
    expect(fromCsv.relationships.filter((r) => r.includes('FLOWS_TO'))).toHaveLength(2);

    await t.reset();
    await importDataset(t.stores, SAME_AS_JSON);
    expect(fromCsv).toEqual(await graph());
  });

  it('reject rows for the same reasons as JSON, named by file, line and column', async () => {
    const companies = file('companies.csv', [
      'id,name,parentId',
      'openai,OpenAI,', // 2: valid
      'Open AI,Open AI,', // 3: id is not a slug
      'openai,OpenAI Global,', // 4: duplicate id
      'aws-europe,AWS Europe,no-such-company', // 5: unknown parent
      ',Nameless,', // 6: no id
    ]);
    const deals = file('2026-q1-deals.csv', [
      'type,id,fromId,toId,amountUsd,amountIsUpperBound,status,instrument,kind,source1Publisher,source2Publisher,source2Url',
      'INVESTMENT,a-openai,openai,openai,,,ANNOUNCED,,,Reuters,,', // 2: itself
      'INVESTMENT,b-openai,ghost,openai,,,ANNOUNCED,,,Reuters,,', // 3: unknown company
      'LOAN,c-openai,openai,xai,,,ANNOUNCED,,,Reuters,,', // 4: unknown type
      'INVESTMENT,d-openai,xai,openai,-5,maybe,ANNOUNCED,,CLOUD,Reuters,,', // 5: kind, amount, flag
      'COMMITMENT,e-openai,openai,xai,,,ANNOUNCED,,GPU,,,', // 6: bad kind, no source
      'COMMITMENT,f-openai,openai,xai,lots,,ANNOUNCED,,CLOUD,Reuters,Bloomberg,bloomberg dot com', // 7
      'INVESTMENT,g-openai,xai,openai,1000,,ANNOUNCED,,,Reuters,,', // 8: valid
      'INVESTMENT,g-openai,xai,openai,1000,,ANNOUNCED,,,Reuters,,', // 9: duplicate
      'INVESTMENT,openai,xai,openai,1000,,ANNOUNCED,,,Reuters,,', // 10: a company's id
    ]);
    await importDataset(t.stores, dataset({ companies: [company('xai', 'xAI')] }));
    const report = await importFrom(t.stores, csvReader({ companies, deals }));

    expect(report.accepted).toEqual({ companies: 1, investments: 1, commitments: 0 });
    const d = '2026-q1-deals.csv';
    expect(fieldsByRow(report)).toEqual({
      'companies.csv:3': ['companies.csv:3.id'],
      'companies.csv:4': ['companies.csv:4.id'],
      'companies.csv:5': ['companies.csv:5.parentId'],
      'companies.csv:6': ['companies.csv:6.id'],
      [`${d}:2`]: [`${d}:2.toId`],
      [`${d}:3`]: [`${d}:3.fromId`],
      [`${d}:4`]: [`${d}:4.type`],
      [`${d}:5`]: [`${d}:5.kind`, `${d}:5.amountUsd`, `${d}:5.amountIsUpperBound`],
      [`${d}:6`]: [`${d}:6.kind`, `${d}:6.source1Publisher`],
      [`${d}:7`]: [`${d}:7.amountUsd`, `${d}:7.source2Url`],
      [`${d}:9`]: [`${d}:9.id`],
      [`${d}:10`]: [`${d}:10.id`],
    });
    const reasons: [string, RegExp][] = [
      ['companies.csv:3.id', /'Open AI' is not a valid id/],
      ['companies.csv:4.id', /duplicate id, first used at companies.csv:2/],
      ['companies.csv:5.parentId', /unknown company 'no-such-company'/],
      ['companies.csv:6.id', /is required/],
      [`${d}:2.toId`, /must differ from fromId/],
      [`${d}:5.amountUsd`, /must not be negative/],
      [`${d}:3.fromId`, /unknown company 'ghost'/],
      [`${d}:4.type`, /'LOAN' is not one of INVESTMENT, COMMITMENT/],
      [`${d}:5.kind`, /applies to commitments only/],
      [`${d}:5.amountIsUpperBound`, /must be true or false/],
      [`${d}:6.kind`, /'GPU' is not one of CLOUD, HARDWARE, CAPACITY/],
      [`${d}:6.source1Publisher`, /at least one source is required/],
      [`${d}:7.amountUsd`, /must be a number/],
      [`${d}:7.source2Url`, /'bloomberg dot com' is not an http\(s\) URL/],
      [`${d}:9.id`, /duplicate deal id, first used at 2026-q1-deals.csv:8/],
      [`${d}:10.id`, /'openai' is already the id of a company/],
    ];
    for (const [field, reason] of reasons) expect(messageOf(report, field), field).toMatch(reason);

    const stored = await t.cypher(`MATCH (d:Deal) RETURN d.id AS id`);
    expect(stored).toEqual([{ id: 'g-openai' }]);
  });

  it('--dry-run reports the same and writes nothing; --strict writes nothing on a rejection', async () => {
    const companies = file('companies.csv', COMPANIES_CSV);
    const deals = file('deals.csv', [
      ...DEALS_CSV,
      'INVESTMENT,amazon-ghost,amazon,ghost,,,,,,ANNOUNCED,,,,,Reuters,,,,,,,',
    ]);
    const reader = csvReader({ companies, deals });
    const before = await graph();
    const dry = await importFrom(t.stores, reader, { dryRun: true });
    expect(dry.rejections.map((r) => r.at)).toEqual(['deals.csv:4']);
    expect(await graph()).toEqual(before);
    const strict = await importFrom(t.stores, reader, { strict: true });
    expect(strict).toEqual({ ...dry, dryRun: false });
    expect(await graph()).toEqual(before);
    const real = await importFrom(t.stores, reader);
    expect(real).toEqual({ ...dry, dryRun: false });
    expect(await graph()).not.toEqual(before);
  });

  const NOT_DATASETS: [string, string[], RegExp][] = [
    [
      'an unknown column',
      ['type,id,fromId,toId,status,source1Publisher,valuation'],
      /deals.csv: unknown column 'valuation'; columns: type, id, fromId, toId/,
    ],
    ['a missing column', ['type,id,fromId,toId,source1Publisher'], /has no status column/],
    [
      'a row with too many cells',
      ['type,id,fromId,toId,status,source1Publisher', 'INVESTMENT,x-y,x,y,ANNOUNCED,Reuters,extra'],
      /deals.csv: .*(record length|fields)/i,
    ],
    ['no header', [''], /deals.csv: the file is empty/],
  ];

  it.each(NOT_DATASETS)('%s: refused whole, nothing written', async (_, lines, message) => {
    await importDataset(t.stores, SAME_AS_JSON);
    const before = await graph();
    const deals = file('deals.csv', lines);
    const error = await importFrom(t.stores, csvReader({ deals })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toMatch(message);
    expect(await graph()).toEqual(before);
  });
});

describe('a JSON file, streamed', () => {
  beforeEach(() => t.reset());

  it('reports and imports exactly what the same dataset in memory does', async () => {
    const data = dataset({
      ...SAME_AS_JSON,
      investments: [
        ...SAME_AS_JSON.investments,
        investment('amazon-ghost', 'amazon', 'ghost', { amountUsd: -1 }),
      ],
    });
    const json = path.join(dir, 'dataset.json');
    writeFileSync(json, JSON.stringify(data, null, 2));
    const streamed = await importFrom(t.stores, jsonFileReader(json));
    const streamedGraph = await graph();
    await t.reset();
    const inMemory = await importDataset(t.stores, data);
    expect(streamed).toEqual(inMemory);
    expect(streamed.rejections.map((r) => r.at)).toEqual(['investments[1]']);
    expect(streamedGraph).toEqual(await graph());
  });

  const NOT_DATASETS: [string, string, RegExp][] = [
    [
      'another format version',
      '{"formatVersion": 2, "companies": []}',
      /formatVersion must be 1, got 2/,
    ],
    ['no format version', '{"companies": []}', /formatVersion must be 1, got undefined/],
    ['an unknown top-level key', '{"formatVersion": 1, "deals": []}', /\$\.deals: unknown field/],
    [
      'a section that is not a list',
      '{"formatVersion": 1, "commitments": {}}',
      /commitments must be a list/,
    ],
    ['a list', '[{"formatVersion": 1}]', /must be a JSON object/],
    ['not JSON', '{"formatVersion": 1, "companies": [,]}', /not valid JSON/],
    ['a file that stops early', '{"formatVersion": 1, "companies": [', /ends before the dataset/],
  ];

  it.each(NOT_DATASETS)('%s: refused whole, nothing written', async (_, text, message) => {
    const json = path.join(dir, 'bad.json');
    writeFileSync(json, text);
    const error = await importFrom(t.stores, jsonFileReader(json)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toMatch(message);
    expect(await t.cypher('MATCH (n) RETURN count(n) AS n')).toEqual([{ n: 0 }]);
  });
});

describe('npm run import with files', () => {
  beforeEach(() => t.reset());

  it('imports a folder of CSV files, with plain progress lines when not on a terminal', async () => {
    const folder = mkdtempSync(path.join(dir, 'sheets-'));
    writeFileSync(path.join(folder, 'companies.csv'), COMPANIES_CSV.join('\n'));
    writeFileSync(path.join(folder, 'deals.csv'), DEALS_CSV.join('\r\n'));
    const run = await runImport([folder]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/imported: 3 companies, 1 investments, 1 commitments; rejected: 0/);
    // One plain line per phase (a log, not a redrawn bar), and the totals.
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/^companies 3\/3 .*done$/m);
    expect(run.stderr).toMatch(/^deals +2\/2 .*done$/m);
    expect(run.stderr).toMatch(/took [\d.]+ s .*peak memory \d+ MB/);
    expect(await t.cypher(`MATCH (d:Deal) RETURN count(d) AS n`)).toEqual([{ n: 2 }]);
  });

  it('refuses a CSV file it cannot tell apart, and a JSON file that is not a dataset', async () => {
    const other = file('sheet.csv', ['id,name']);
    const unnamed = await runImport([other]);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/name must end in companies.csv or deals.csv/);

    const json = path.join(dir, 'deals.json');
    writeFileSync(json, '{"formatVersion": 1, "deals": []}');
    const bad = await runImport([json]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/deals.json: \$\.deals: unknown field/);
  });
});
