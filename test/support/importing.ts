/**
 * What the import tests share: `npm run import` as a user runs it (in a child process against the
 * test Neo4j: its exit code and what it printed), and the message a report gives for a field.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, inject } from 'vitest';
import type { ImportReport } from '../../src/importer/importDataset.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function runImport(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '-s', 'import', '--', ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NEO4J_URI: inject('neo4jUri'),
          NEO4J_USER: 'neo4j',
          NEO4J_PASSWORD: inject('neo4jPassword'),
          NEO4J_DATABASE: 'neo4j',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The one message a rejection carries for `field`. */
export function messageOf(report: ImportReport, field: string): string {
  const messages = report.rejections
    .flatMap((r) => r.problems)
    .filter((p) => p.field === field)
    .map((p) => p.message);
  expect(messages, field).toHaveLength(1);
  return messages[0]!;
}
