/**
 * The project's folder, where package.json is: found from this file upwards, so that the schema,
 * the seed data, the built pages and the Neo4j launcher are found whether the server runs from
 * src/ (tsx) or from dist/src/ (compiled by `npm run build`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}.`);
  }
}

export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
