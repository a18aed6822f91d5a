/**
 * The write guard covers EVERY Mutation field of the schema: this walks the Mutation type as the
 * schema files declare it (so a mutation added tomorrow is walked too), sends each field with
 * valid arguments and no token, and expects the guard's code, with nothing written.
 */
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../src/schema.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/harness.js';

const schema = buildSchema(loadTypeDefs());
const mutationFields = Object.values(schema.getMutationType()?.getFields() ?? {});

const SCALARS: Record<string, unknown> = {
  ID: 'some-id',
  String: 'text',
  Int: 1,
  Float: 1,
  Boolean: false,
  PartialDate: '2025-01',
};

/** A value of `type` that passes GraphQL's own coercion: what a resolver would be handed. */
function valueOf(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return valueOf(type.ofType);
  if (isListType(type)) return [valueOf(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isScalarType(type)) {
    if (!(type.name in SCALARS)) throw new Error(`no sample value for scalar ${type.name}`);
    return SCALARS[type.name];
  }
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined)
        value[field.name] = valueOf(field.type);
    }
    return value;
  }
  throw new Error(`unexpected input type ${String(type)}`);
}

/** `mutation($a: T!) { field(a: $a) { __typename } }` with valid variables. */
function request(field: GraphQLField<unknown, unknown>): {
  query: string;
  variables: Record<string, unknown>;
} {
  const variables: Record<string, unknown> = {};
  for (const arg of field.args) variables[arg.name] = valueOf(arg.type);
  const declared = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passed = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  return {
    query: `mutation${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selection} }`,
    variables,
  };
}

const FIXTURE = {
  formatVersion: 1,
  companies: [{ id: 'some-id', name: 'Some Company' }],
};

async function nodeCount(t: TestServer): Promise<unknown> {
  return (await t.cypher('MATCH (n) RETURN count(n) AS n'))[0]!.n;
}

describe('every Mutation field of the schema', () => {
  it('is walked (the schema has mutations)', () => {
    expect(mutationFields.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'upsertCompany',
        'recordInvestment',
        'recordCommitment',
        'deleteDeal',
      ]),
    );
  });

  describe('on a server with ADMIN_TOKEN', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ adminToken: ADMIN_TOKEN });
      await t.load(FIXTURE);
    });
    afterAll(() => t.close());

    it.each(mutationFields.map((f) => [f.name, f] as const))(
      '%s without a token: UNAUTHENTICATED, nothing written',
      async (_, field) => {
        const before = await nodeCount(t);
        const { query, variables } = request(field);
        const res = await t.gql(query, variables, { token: null });
        expect(
          res.errors?.map((e) => e.extensions?.code),
          JSON.stringify(res.errors),
        ).toEqual(['UNAUTHENTICATED']);
        expect(await nodeCount(t)).toBe(before);
      },
    );

    it.each(mutationFields.map((f) => [f.name, f] as const))(
      '%s with a wrong token: UNAUTHENTICATED',
      async (_, field) => {
        const { query, variables } = request(field);
        const res = await t.gql(query, variables, { token: 'not-the-admin-token-at-all' });
        expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      },
    );
  });

  describe('on a server without ADMIN_TOKEN', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ adminToken: undefined });
    });
    afterAll(() => t.close());

    it.each(mutationFields.map((f) => [f.name, f] as const))(
      '%s: MUTATIONS_DISABLED, even with a token',
      async (_, field) => {
        const { query, variables } = request(field);
        const res = await t.gql(query, variables, { token: ADMIN_TOKEN });
        expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['MUTATIONS_DISABLED']);
      },
    );
  });
});
