/**
 * The seed dataset (data/seed.json) keeps the rules of the README's "Data" section: every record
 * sourced and with a status, ids after the convention, contingent parts kept apart from firm ones,
 * notes that name other records naming records that exist, and the whole file imported with no
 * rejection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAL_STATUSES, INSTRUMENTS } from '../src/domain/enums.js';
import { SLUG } from '../src/domain/validate.js';
import { importDataset } from '../src/importer/importDataset.js';
import { readSeed } from '../src/importer/seed.js';
import type {
  CommitmentRecord,
  CompanyRecord,
  Dataset,
  InvestmentRecord,
} from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';

const seed = readSeed() as Dataset;
type Deal = (InvestmentRecord | CommitmentRecord) & { from: string; to: string };
const deals: Deal[] = [
  ...seed.investments.map((d) => ({ ...d, from: d.investorId, to: d.investeeId })),
  ...seed.commitments.map((d) => ({ ...d, from: d.customerId, to: d.providerId })),
];
const byId = new Map(deals.map((d) => [d.id, d]));
const companies = new Map<string, CompanyRecord>(seed.companies.map((c) => [c.id, c]));

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The names a deal id may use for a company: its id, or the slug of one of its aliases. */
function namesOf(companyId: string): string[] {
  const c = companies.get(companyId);
  return [companyId, ...(c?.aliases ?? []).map(slug)];
}

/** Suffixes of a record that is the contingent or optional part of a firm one. */
const CONTINGENT = /-(contingent|option|backstop)$/;

describe('data/seed.json, record by record', () => {
  it('gives every deal a status and at least one source with a publisher and a title or URL', () => {
    for (const d of deals) {
      expect(DEAL_STATUSES, d.id).toContain(d.status);
      expect(d.sources.length, d.id).toBeGreaterThanOrEqual(1);
      for (const s of d.sources) {
        expect(s.publisher.trim(), d.id).not.toBe('');
        expect(Boolean(s.title || s.url), `${d.id}: ${s.publisher}`).toBe(true);
      }
      // A dated deal cites at least one dated source.
      if (d.announcedOn)
        expect(
          d.sources.some((s) => s.publishedOn),
          d.id,
        ).toBe(true);
    }
  });

  it('names companies by the slug of their name or of an alias', () => {
    for (const c of seed.companies) {
      expect([slug(c.name), ...(c.aliases ?? []).map(slug)], c.id).toContain(c.id);
      expect(c.sectors?.length, c.id).toBeGreaterThan(0);
      if (c.parentId) expect(companies.has(c.parentId), c.id).toBe(true);
    }
  });

  it('names deals <payer>-<payee>-<YYYY-MM of announcedOn>[-qualifier] (undated: the year)', () => {
    const problems: string[] = [];
    for (const d of deals) {
      expect(d.id).toMatch(SLUG);
      const date = d.announcedOn ? d.announcedOn.slice(0, 7) : '\\d{4}';
      const fits = namesOf(d.from).some((a) =>
        namesOf(d.to).some((b) => new RegExp(`^${a}-${b}-${date}(-[a-z0-9]+)*$`).test(d.id)),
      );
      if (!fits) problems.push(`${d.id} (${d.from} -> ${d.to}, ${d.announcedOn})`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps contingent parts apart: an upper-bound record beside its firm one', () => {
    const contingent = deals.filter((d) => CONTINGENT.test(d.id));
    expect(contingent.length).toBeGreaterThan(0);
    for (const d of contingent) {
      expect(d.amountIsUpperBound, d.id).toBe(true);
      expect(d.amountUsd, d.id).toBeGreaterThan(0);
      const firm = byId.get(d.id.replace(CONTINGENT, ''));
      expect(firm, d.id).toBeDefined();
      expect([firm!.from, firm!.to, firm!.amountIsUpperBound], d.id).toEqual([d.from, d.to, false]);
      expect(firm!.note, firm!.id).toContain(d.id);
    }
    // An upper bound is a bound on a figure: never without one.
    for (const d of deals) if (d.amountIsUpperBound) expect(d.amountUsd, d.id).not.toBeNull();
  });

  it('records warrants and equity-for-supply as investments with an instrument and a note', () => {
    const warrants = seed.investments.filter((d) => d.instrument === 'WARRANT');
    expect(warrants.map((d) => d.id)).toEqual(
      expect.arrayContaining(['amd-openai-2025-10', 'amd-meta-2026-02']),
    );
    for (const d of warrants) {
      expect(d.note, d.id).toBeTruthy();
      // No dollar figure is invented for a warrant: what was granted is a quantity.
      if (d.amountUsd == null) expect(d.quantity, d.id).toBeDefined();
    }
    for (const d of seed.investments) {
      if (d.instrument) expect(INSTRUMENTS, d.id).toContain(d.instrument);
    }
  });

  it('cites in notes only deal ids that exist, and says what replaced a superseded record', () => {
    const cited = /\b[a-z0-9]+(?:-[a-z0-9]+)*-20\d\d-\d\d(?:-[a-z]+)*\b/g;
    for (const d of deals) {
      for (const id of d.note?.match(cited) ?? [])
        expect(byId.has(id), `${d.id} cites ${id}`).toBe(true);
    }
    const loi = byId.get('nvidia-openai-2025-09')!;
    expect(loi.status).toBe('LETTER_OF_INTENT');
    expect(loi.note).toMatch(/Superseded.*nvidia-openai-2026-02/);
    expect(byId.get('nvidia-openai-2026-02')!.note).toContain('nvidia-openai-2025-09');
    // The first seed's undated Amazon <-> Anthropic records are the 2026-04-20 deal, dated.
    for (const id of ['amazon-anthropic-2026-04', 'anthropic-aws-2026-04']) {
      expect(byId.get(id)?.announcedOn, id).toBe('2026-04-20');
      expect(byId.get(id)?.note, id).toMatch(/Replaces .*-seed-article/);
    }
  });

  it('keeps the deal that fell through, cancelled', () => {
    expect(byId.get('poolside-coreweave-2025-10')?.status).toBe('CANCELLED');
  });
});

describe('data/seed.json, imported', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await t.reset();
  });
  afterAll(() => t.close());

  it('is accepted whole, strictly, every record stored', async () => {
    const report = await importDataset(t.stores, seed, { strict: true });
    expect(report.rejections).toEqual([]);
    expect(report.accepted).toEqual({
      companies: seed.companies.length,
      investments: seed.investments.length,
      commitments: seed.commitments.length,
    });
    const [row] = await t.cypher(
      'MATCH (d:Deal) WITH count(d) AS deals MATCH (c:Company) RETURN deals, count(c) AS companies',
    );
    expect(row).toEqual({ deals: deals.length, companies: seed.companies.length });
  });
});
