/**
 * docker-compose.yml gives what `npm start` gives: no Docker engine runs here, so the file is
 * parsed and checked against the project's own pin of Neo4j (neo4j/pom.xml).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pinnedNeo4jVersion } from '../src/localNeo4j/provision.js';

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string> | string[];
  volumes?: (string | { source?: string; target?: string })[];
  healthcheck?: { test?: string | string[] };
  depends_on?: string[] | Record<string, { condition?: string }>;
}

const compose = parse(
  readFileSync(fileURLToPath(new URL('../docker-compose.yml', import.meta.url)), 'utf8'),
) as { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** `environment` as a map, whichever of the two forms compose allows it is written in. */
function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(
    env.map((entry) => {
      const [key, ...value] = entry.split('=');
      return [key!, value.join('=')];
    }),
  );
}

describe('docker-compose.yml', () => {
  const neo4j = compose.services.neo4j!;
  const server = compose.services.server!;

  it('runs the Neo4j Community version the project pins', () => {
    expect(neo4j).toBeDefined();
    const match = /^neo4j:(\d[\w.]*?)(-community)?$/.exec(neo4j.image ?? '');
    expect(match, `image ${neo4j.image}`).not.toBeNull();
    expect(match![1]).toBe(pinnedNeo4jVersion());
    // Community, not Enterprise (which needs a licence acceptance).
    expect(neo4j.image).not.toMatch(/enterprise/);
    expect(environment(neo4j).NEO4J_ACCEPT_LICENSE_AGREEMENT).toBeUndefined();
  });

  it('gives Neo4j a health check and a volume for its data', () => {
    expect(neo4j.healthcheck?.test).toBeTruthy();
    const mounts = (neo4j.volumes ?? []).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    const data = mounts.find((m) => m.endsWith(':/data'));
    expect(data, mounts.join(', ')).toBeDefined();
    // A named volume, declared at the top level, so data outlives the container.
    const volume = data!.split(':')[0]!;
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('points the server at the Neo4j service, once it is healthy', () => {
    expect(server).toBeDefined();
    expect(server.build).toBeDefined();
    const env = environment(server);
    expect(env.NEO4J_URI).toMatch(/^(bolt|neo4j):\/\/neo4j:7687$/);
    expect(env.NEO4J_PASSWORD).toBeDefined();
    expect(server.depends_on).toMatchObject({ neo4j: { condition: 'service_healthy' } });
  });

  it('uses one password on both sides', () => {
    const auth = environment(neo4j).NEO4J_AUTH ?? '';
    expect(auth.startsWith('neo4j/')).toBe(true);
    expect(auth.slice('neo4j/'.length)).toBe(environment(server).NEO4J_PASSWORD);
  });
});
