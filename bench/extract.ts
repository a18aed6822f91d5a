/**
 * `npm run bench:extract`: precision and recall of extractDeals' parser on the hand-written corpus
 * in test/fixtures/articles/ (expected.json), and the parse time per article.
 *
 * A draft counts as correct when its payer, payee (company id, or suggested id for a company the
 * graph does not know) and amount (null = unknown) are those expected; anything else it drafts is
 * a false positive, anything expected and not drafted a miss. The gazetteer is the seed dataset's
 * companies (data/seed.json), which is what the graph holds after `npm start`; no database needed.
 * Targets: precision >= 0.9, recall >= 0.8.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { extractDrafts, type DraftRow } from '../src/extraction/extract.js';
import { seedGazetteer } from '../src/extraction/seedGazetteer.js';

interface Expected {
  type: string;
  from: string;
  to: string;
  amountUsd: number | null;
}

const DIR = 'test/fixtures/articles';
const corpus = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  articles: { file: string; drafts: Expected[] }[];
};
const gazetteer = seedGazetteer();

const partyId = (p: DraftRow['from']): string => p.company?.id ?? p.suggestedId ?? '?';
const sameAmount = (a: number | null, b: number | null): boolean =>
  a === null || b === null ? a === b : Math.abs(a - b) <= 0.005 * Math.max(a, b);

let truePositives = 0;
let falsePositives = 0;
let misses = 0;
let typeRight = 0;
const lines: string[] = [];
const times: number[] = [];
let chars = 0;

for (const { file, drafts: expected } of corpus.articles) {
  const text = readFileSync(join(DIR, file), 'utf8');
  chars += text.length;
  extractDrafts(text, gazetteer); // warm-up of this text's code paths
  const t0 = performance.now();
  const drafts = extractDrafts(text, gazetteer);
  times.push(performance.now() - t0);
  const unmatched = [...expected];
  for (const d of drafts) {
    const i = unmatched.findIndex(
      (e) =>
        e.from === partyId(d.from) &&
        e.to === partyId(d.to) &&
        sameAmount(e.amountUsd, d.amountUsd),
    );
    const label = `${partyId(d.from)} -> ${partyId(d.to)} ${d.amountUsd ?? 'unknown'}`;
    if (i >= 0) {
      truePositives++;
      if (unmatched[i]!.type === d.type) typeRight++;
      else lines.push(`  ${file}: right parties and amount, wrong type: ${label} ${d.type}`);
      unmatched.splice(i, 1);
    } else {
      falsePositives++;
      lines.push(`  ${file}: false positive: ${label} (${d.cue}: "${d.evidence.sentence}")`);
    }
  }
  for (const e of unmatched) {
    misses++;
    lines.push(`  ${file}: missed: ${e.from} -> ${e.to} ${e.amountUsd ?? 'unknown'}`);
  }
}

const precision = truePositives / Math.max(1, truePositives + falsePositives);
const recall = truePositives / Math.max(1, truePositives + misses);
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);

console.log(
  `corpus: ${corpus.articles.length} texts (${chars} characters), ${truePositives + misses} expected drafts`,
);
console.log(
  `drafts: ${truePositives + falsePositives}; correct (parties + direction + amount): ${truePositives}; of those with the right type: ${typeRight}`,
);
console.log(
  `precision ${precision.toFixed(3)} (target >= 0.9)   recall ${recall.toFixed(3)} (target >= 0.8)`,
);
console.log(
  `parse time per article: median ${median.toFixed(2)} ms, mean ${mean.toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`,
);

// A long text: the size cap's worth of news, to show the cost at the limit.
const joined = corpus.articles.map((a) => readFileSync(join(DIR, a.file), 'utf8')).join('\n');
const long = joined.repeat(Math.ceil(50_000 / joined.length)).slice(0, 50_000);
const t0 = performance.now();
const longDrafts = extractDrafts(long, gazetteer);
console.log(
  `a 50,000-character text (the cap): ${(performance.now() - t0).toFixed(0)} ms, ${longDrafts.length} drafts`,
);
if (lines.length) console.log(['differences:', ...lines].join('\n'));
