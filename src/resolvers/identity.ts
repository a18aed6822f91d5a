/**
 * Cache identities of the objects whose values depend on the query's arguments.
 *
 * A normalised client cache (Apollo Client's InMemoryCache, urql's graphcache) stores one record
 * per `__typename` + `id` and merges every response into it. An object whose fields change with
 * the arguments (a cycle's amounts under a deal filter, a graph node's depth around other
 * companies) must therefore carry those arguments in its id, or two queries overwrite each other
 * in the cache. Such ids are `<key>@<hash>`: the plain key (`amazon>anthropic`) and a short hash
 * of exactly the arguments the values depend on, left out where those are the defaults.
 *
 * Ids are also unique across types: the forms differ (`a>b`, `path:a>b`, `graph:a>b@h`, `x@h`,
 * `a->b:...`), and company and deal slugs never coincide (the writes refuse it).
 */
import { createHash } from 'node:crypto';

/** `value` as JSON with keys sorted and null, undefined and empty lists left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      const item = (v as Record<string, unknown>)[key];
      if (item === null || item === undefined) continue;
      if (Array.isArray(item) && item.length === 0) continue;
      sorted[key] =
        Array.isArray(item) && item.every((x) => typeof x === 'string')
          ? [...(item as string[])].sort()
          : item;
    }
    return sorted;
  });
}

/** 12 hex digits of SHA-256 over the canonical JSON of `value`: stable across processes. */
export function argumentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12);
}

/** '' when `dependency` is the default one, else `@<hash of dependency>`: appended to a key. */
export function dependencySuffix(dependency: unknown, byDefault: unknown): string {
  return canonicalJson(dependency) === canonicalJson(byDefault)
    ? ''
    : `@${argumentHash(dependency)}`;
}

/**
 * The id suffix (`@<hash>`, or '' for the defaults) of rows returned for one set of arguments,
 * kept beside the rows (which are shared, read-only objects) until their `id` is resolved.
 */
const suffixes = new WeakMap<object, string>();

export function tagRows<T extends object>(rows: readonly T[], suffix: string): void {
  for (const row of rows) suffixes.set(row, suffix);
}

export function suffixOf(row: object): string {
  return suffixes.get(row) ?? '';
}
