import { buildSchema, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { READ_AHEAD_FIELDS } from '../src/resolvers/selection.js';
import { loadTypeDefs } from '../src/schema.js';

/**
 * A row read ahead (src/resolvers/selection.ts) carries only the fields read for the selection,
 * so a field added to a type without teaching the read-ahead about it would resolve to nothing.
 * This keeps the schema and the read-ahead in step. (Behaviour: test/batching.test.ts.)
 */
describe('read-ahead coverage', () => {
  const schema = buildSchema(loadTypeDefs());
  const types: [string, string][] = [
    ['Company', 'Company'],
    ['Investment', 'Deal'],
    ['CloudCommitment', 'Deal'],
    ['Source', 'Source'],
    ['CompanyTotals', 'CompanyTotals'],
  ];

  it.each(types)('knows every field of %s', (typeName, coverage) => {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
    const { read, byId } = READ_AHEAD_FIELDS[coverage]!;
    const unknown = Object.keys(type.getFields()).filter(
      (field) => !read.includes(field) && !byId.includes(field),
    );
    expect(unknown).toEqual([]);
  });

  it('reads no field the schema does not have', () => {
    const fieldsOf = (name: string): string[] => {
      const type = schema.getType(name);
      return isObjectType(type) ? Object.keys(type.getFields()) : [];
    };
    const deal = [...fieldsOf('Investment'), ...fieldsOf('CloudCommitment')];
    for (const [coverage, { read }] of Object.entries(READ_AHEAD_FIELDS)) {
      const fields = coverage === 'Deal' ? deal : fieldsOf(coverage);
      expect(read.filter((field) => !fields.includes(field))).toEqual([]);
    }
  });
});
