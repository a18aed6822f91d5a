/**
 * Fails when src/generated/ differs from what schema/*.graphql generates now: regenerates in
 * memory (nothing is written) and compares with the committed files.
 */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';

const outputs = (await generate({ ...config, silent: true }, false)) as {
  filename: string;
  content: string;
}[];
let stale = 0;
for (const { filename, content } of outputs) {
  let current = '';
  try {
    current = readFileSync(filename, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== content) {
    stale++;
    console.error(`${filename} is stale: run \`npm run codegen\` and commit the result.`);
  }
}
if (stale) process.exit(1);
console.log(`codegen: ${outputs.length} generated file(s) up to date with schema/.`);
