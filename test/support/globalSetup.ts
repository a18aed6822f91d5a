/**
 * Starts the throwaway Neo4j of the test run: the project's pinned local Neo4j in a temporary
 * folder, removed afterwards. With TEST_NEO4J_URI set, that database is used instead (and wiped).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalNeo4j, type LocalNeo4j } from '../../src/localNeo4j/provision.js';

export const TEST_PASSWORD = 'test-neo4j-password';

declare module 'vitest' {
  export interface ProvidedContext {
    neo4jUri: string;
    neo4jPassword: string;
    neo4jHomeDir: string;
  }
}

let neo4j: LocalNeo4j | undefined;
let homeDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (process.env.TEST_NEO4J_URI) {
    project.provide('neo4jUri', process.env.TEST_NEO4J_URI);
    project.provide('neo4jPassword', process.env.TEST_NEO4J_PASSWORD ?? TEST_PASSWORD);
    project.provide('neo4jHomeDir', '');
    return;
  }
  homeDir = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-test-neo4j-'));
  neo4j = await startLocalNeo4j({ homeDir, password: TEST_PASSWORD });
  project.provide('neo4jUri', neo4j.uri);
  project.provide('neo4jPassword', TEST_PASSWORD);
  project.provide('neo4jHomeDir', homeDir);
}

export async function teardown(): Promise<void> {
  await neo4j?.stop();
  if (homeDir) rmSync(homeDir, { recursive: true, force: true });
}
