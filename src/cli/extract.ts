/**
 * `npm run extract -- FILE.txt [--json] [--seed] [--published-on DATE]`
 *
 * Prints the deal drafts extractDeals would give for a text file. Nothing is written.
 */
import { readFileSync } from 'node:fs';
import { connect } from '../bootstrap.js';
import { fail, parseOrFail } from './args.js';
import { loadConfig } from '../config.js';
import { isPartialDate } from '../domain/partialDate.js';
import { extractAgainstGraph, type DraftWithExisting } from '../extraction/againstGraph.js';
import { MAX_TEXT_CHARS, extractDrafts } from '../extraction/extract.js';
import { formatUsd } from '../extraction/money.js';
import { seedGazetteer } from '../extraction/seedGazetteer.js';

const HELP = `usage: npm run extract -- FILE.txt [--json] [--seed] [--published-on YYYY-MM[-DD]]

Prints the deals a news text reports, as drafts for review (what Query.extractDeals returns).
Nothing is written; record confirmed drafts with Mutation.recordDrafts.

Companies are recognised by the names and aliases in the graph:
  default          the graph's companies, read from Neo4j: NEO4J_URI, else the local Neo4j of a
                   running \`npm start\`, else the local Neo4j is started (as \`npm run import\`
                   does); drafts also list the recorded deals that look the same (existing)
  --seed           the companies of data/seed.json instead, without a database (no existing)

  --json           the drafts as JSON, in the shape of DealExtraction
  --published-on   the source's date, used when the text has none
  --help           this text

Exit code 0: read (with or without drafts); 2: unusable input.`;

const { values, positionals } = parseOrFail(
  {
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      seed: { type: 'boolean', default: false },
      'published-on': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  },
  HELP,
);

if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const [file, ...rest] = positionals;
if (!file || rest.length) fail(HELP);
const sourceDate = values['published-on'] ?? null;
if (sourceDate !== null && !isPartialDate(sourceDate))
  fail(`--published-on: '${sourceDate}' is not a date; use YYYY-MM-DD or YYYY-MM`);

let text = '';
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  fail(`Cannot read ${file}: ${(error as Error).message}`);
}
if (text.length > MAX_TEXT_CHARS)
  fail(`${file}: ${text.length} characters; at most ${MAX_TEXT_CHARS}. Split the text.`);

let drafts: DraftWithExisting[];
let companiesFrom: string;
if (values.seed) {
  drafts = extractDrafts(text, seedGazetteer(), { sourceDate }).map((d) => ({
    ...d,
    existing: [],
  }));
  companiesFrom = 'the companies of data/seed.json (--seed)';
} else {
  const connection = await connect(loadConfig(), { reuseRunning: true });
  try {
    drafts = await extractAgainstGraph(connection.stores, text, { sourceDate });
  } finally {
    await connection.close();
  }
  companiesFrom = "the graph's companies";
}

if (values.json) {
  const json = drafts.map(({ sentenceCount: _count, cue: _cue, ...draft }) => ({
    ...draft,
    from: { ...draft.from, company: draft.from.company && { id: draft.from.company.id } },
    to: { ...draft.to, company: draft.to.company && { id: draft.to.company.id } },
    existing: draft.existing.map((d) => ({
      id: d.id,
      amountUsd: d.amountUsd,
      announcedOn: d.announcedOn,
    })),
  }));
  console.log(JSON.stringify({ drafts: json }, null, 2));
} else {
  console.log(`${drafts.length} draft(s) from ${file}, against ${companiesFrom}:`);
  drafts.forEach((d, i) => {
    const party = (p: DraftWithExisting['from']): string =>
      p.company ? `${p.company.name} (${p.company.id})` : `${p.name} (new: ${p.suggestedId})`;
    const amount =
      d.amountUsd === null
        ? 'amount unknown'
        : `${d.amountIsUpperBound ? 'up to ' : ''}${formatUsd(d.amountUsd)}`;
    const quantity = d.quantity ? `, ${d.quantity.value} ${d.quantity.unit}` : '';
    const kind = d.commitmentKind ? ` ${d.commitmentKind}` : '';
    console.log(
      `\n${i + 1}. ${d.type}${kind}: ${party(d.from)} -> ${party(d.to)}, ${amount}${quantity}; ${d.status ?? ''} ${d.announcedOn ?? 'undated'}; confidence ${d.confidence}`,
    );
    console.log(
      `   evidence [${d.evidence.start}-${d.evidence.end}] (${d.cue}, ${d.sentenceCount} sentence(s)): "${d.evidence.sentence}"`,
    );
    for (const problem of d.problems) console.log(`   problem: ${problem}`);
    for (const deal of d.existing)
      console.log(
        `   existing: ${deal.id} (${deal.amountUsd === null ? 'amount unknown' : formatUsd(deal.amountUsd)}, ${deal.announcedOn ?? 'undated'})`,
      );
  });
}
