/**
 * docker-compose.yml gives what `npm start` gives, in production mode, and the Dockerfile builds
 * a production image: no Docker engine runs here, so the files are parsed and checked (against
 * the project's own pin of Neo4j, neo4j/pom.xml, and its scripts) rather than run.
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

/** `${NAME:-default}` -> default, as compose resolves it with NAME unset. */
function unsetDefault(value: string | undefined): string | undefined {
  return value?.replace(/^\$\{[A-Z_]+:-([^}]*)\}$/, '$1');
}

describe('the server service, with nothing set in the environment', () => {
  const env = environment(compose.services.server!);

  it('runs in production: no playground, no introspection', () => {
    expect(unsetDefault(env.NODE_ENV)).toBe('production');
    expect(unsetDefault(env.GRAPHQL_PLAYGROUND) ?? 'false').toBe('false');
    expect(unsetDefault(env.GRAPHQL_INTROSPECTION) ?? 'false').toBe('false');
  });

  it('keeps /metrics closed unless a token is given or it is opened explicitly', () => {
    expect(unsetDefault(env.METRICS_PUBLIC) ?? 'false').toBe('false');
    expect(unsetDefault(env.METRICS_TOKEN) ?? '').toBe('');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(fileURLToPath(new URL('../Dockerfile', import.meta.url)), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? '';
  const packageJson = JSON.parse(
    readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'),
  ) as { scripts: Record<string, string> };

  it("builds the compiled server with the project's build script", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(packageJson.scripts.build).toMatch(/tsc/);
    expect(stages[0]).toMatch(/RUN npm run build\b/);
  });

  it('runs compiled JavaScript with production dependencies only, as a non-root user', () => {
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=\S+ \/app\/dist \.\/dist/);
    expect(runtime).toMatch(/^USER node$/m);
    const cmd = /^CMD (.*)$/m.exec(runtime)?.[1] ?? '';
    expect(JSON.parse(cmd)).toEqual(['node', 'dist/src/main.js']);
    expect(runtime).not.toMatch(/tsx/);
    expect(runtime).toMatch(/NODE_ENV=production/);
  });
});
