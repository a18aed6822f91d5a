/**
 * The README's example queries, as GraphiQL tabs: each ```graphql block of the README, split at
 * the comment that introduces each query, named after that comment so its tab says what it is.
 */
export interface Example {
  title: string;
  query: string;
  /** JSON for the headers editor (the write example needs the admin token). */
  headers?: string;
}

const BLOCK = /```graphql\n([\s\S]*?)```/g;

/** "# Amazon's investments in Anthropic and ..." -> "AmazonsInvestmentsInAnthropic". */
export function operationName(title: string): string {
  const words = title
    .replace(/[^A-Za-z0-9 ]+/g, '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 5);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(name) ? name : `Example${name}`;
}

/** Gives an anonymous operation (`{ ... }` or `mutation { ... }`) the name `name`. */
function named(body: string, name: string): string {
  return body.replace(/^(query|mutation|subscription)?\s*\{/m, (_match, kind?: string) => {
    return `${kind ?? 'query'} ${name} {`;
  });
}

export function examplesFrom(markdown: string): Example[] {
  const examples: Example[] = [];
  for (const [, block = ''] of markdown.matchAll(BLOCK)) {
    // A new example starts at a comment line at the start of the block or after a blank line.
    const chunks = block.split(/\n\n(?=#)/).map((chunk) => chunk.trim());
    for (const chunk of chunks) {
      if (!chunk) continue;
      const comment = /^#\s*(.+)$/m.exec(chunk);
      const isMutation = /^\s*mutation\b/m.test(chunk);
      const title = comment?.[1]?.trim() ?? (isMutation ? 'Writes' : 'Query');
      examples.push({
        title,
        query: `${named(chunk, operationName(title))}\n`,
        ...(isMutation ? { headers: '{\n  "Authorization": "Bearer <ADMIN_TOKEN>"\n}\n' } : {}),
      });
    }
  }
  return examples;
}
