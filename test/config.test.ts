/**
 * Every setting is read and checked in one place (src/config.ts): a value the server cannot use
 * stops it at start-up with an error naming the setting, instead of a limit that silently never
 * fires (a NaN result cap) or a timeout that runs forever (0).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_CYCLE_LIMITS,
  DEFAULT_RATE_LIMITS,
  loadConfig,
  loadLocalNeo4jSettings,
} from '../src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function problemsOf(env: Record<string, string>): { setting: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('settings', () => {
  it('have defaults when unset or empty', () => {
    for (const env of [{}, { CYCLE_QUERY_TIMEOUT_MS: '', CYCLE_RESULT_CAP: ' ', SEED: '' }]) {
      const config = loadConfig(env);
      expect(config.cycleLimits).toEqual(DEFAULT_CYCLE_LIMITS);
      expect(config).toMatchObject({
        port: 4000,
        queryTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        rateLimits: DEFAULT_RATE_LIMITS,
        heavyQueryConcurrency: 4,
        seed: true,
        logLevel: 'info',
        localNeo4j: { heapMb: 1024, javaHomes: [] },
      });
    }
  });

  it('turn rate limits off, or set them', () => {
    expect(loadConfig({ RATE_LIMIT: 'false' }).rateLimits).toBeUndefined();
    expect(
      loadConfig({
        RATE_LIMIT_POINTS: '50',
        RATE_LIMIT_WINDOW_SECONDS: '10',
        RATE_LIMIT_COST_UNIT: '200',
      }).rateLimits,
    ).toEqual({ points: 50, windowSeconds: 10, costUnit: 200 });
    expect(() => loadConfig({ RATE_LIMIT_POINTS: '0' })).toThrow(/RATE_LIMIT_POINTS/);
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/REQUEST_TIMEOUT_MS/);
  });

  it('are parsed from the environment', () => {
    const config = loadConfig({
      CYCLE_QUERY_TIMEOUT_MS: '1500',
      CYCLE_RESULT_CAP: '20',
      SEED: 'false',
      LOG_LEVEL: 'warn',
      NEO4J_HEAP_MB: '2048',
      NEO4J_JAVA_HOME: '/opt/jdk25',
      JAVA_HOME: '/opt/jdk21',
      LOCAL_NEO4J_HOME: '/tmp/neo4j-jars',
      NEO4J_URI: 'neo4j+s://example.databases.neo4j.io',
    });
    expect(config.cycleLimits).toEqual({ timeoutMs: 1500, resultCap: 20 });
    expect(config).toMatchObject({
      seed: false,
      logLevel: 'warn',
      neo4jUri: 'neo4j+s://example.databases.neo4j.io',
      localNeo4j: {
        heapMb: 2048,
        javaHomes: ['/opt/jdk25', '/opt/jdk21'],
        home: '/tmp/neo4j-jars',
      },
    });
  });

  it.each([
    ['CYCLE_QUERY_TIMEOUT_MS', '0'],
    ['CYCLE_QUERY_TIMEOUT_MS', 'abc'],
    ['CYCLE_QUERY_TIMEOUT_MS', '1.5'],
    ['CYCLE_RESULT_CAP', 'abc'],
    ['CYCLE_RESULT_CAP', '-3'],
    ['QUERY_TIMEOUT_MS', '0'],
    ['HEAVY_QUERY_CONCURRENCY', '0'],
    ['PORT', '70000'],
    ['PORT', '80abc'],
    ['GRAPHQL_MAX_COST', 'lots'],
    ['SEED', 'nope'],
    ['LOG_LEVEL', 'verbose'],
    ['NEO4J_HEAP_MB', '12'],
    ['NEO4J_URI', 'http://localhost:7474'],
    ['ADMIN_TOKEN', 'short'],
    ['METRICS_TOKEN', 'short'],
  ])('refuse %s=%s, naming it', (setting, value) => {
    const problems = problemsOf({ [setting]: value });
    expect(problems.map((p) => p.setting)).toEqual([setting]);
    expect(() => loadConfig({ [setting]: value })).toThrow(new RegExp(`\\b${setting}\\b`));
  });

  it('are all reported at once', () => {
    const problems = problemsOf({ CYCLE_RESULT_CAP: 'abc', LOG_LEVEL: 'loud', PORT: '-1' });
    expect(problems.map((p) => p.setting).sort()).toEqual([
      'CYCLE_RESULT_CAP',
      'LOG_LEVEL',
      'PORT',
    ]);
  });

  it('of the local Neo4j are checked on their own too (tests and benchmarks read only those)', () => {
    expect(loadLocalNeo4jSettings({ NEO4J_HEAP_MB: '512' }).heapMb).toBe(512);
    expect(() => loadLocalNeo4jSettings({ NEO4J_HEAP_MB: 'big' })).toThrow(/NEO4J_HEAP_MB/);
  });
});

describe('npm start with a bad setting', () => {
  it('exits before connecting to anything, naming the setting', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CYCLE_RESULT_CAP: 'abc', NEO4J_URI: 'bolt://127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('CYCLE_RESULT_CAP must be a whole number from 1 to');
    expect(result.stderr).toContain("got 'abc'");
  });
});
