import { GraphQLScalarType, Kind, buildSchema } from 'graphql';
import { loadTypeDefs } from '../schema.js';
import { partialDateProblem } from '../domain/partialDate.js';

/**
 * Bad dates are thrown as plain errors, not GraphQLErrors: graphql-js then wraps them with what
 * the client needs to find the value (for a variable, its name and path, `$input ... at
 * "input.announcedOn"`; for a literal, the type, the value and its location in the document).
 * A GraphQLError thrown here is passed on bare, without either. Apollo reports a bad variable as
 * BAD_USER_INPUT and a bad literal as GRAPHQL_VALIDATION_FAILED.
 */
function parse(value: unknown): string {
  if (typeof value !== 'string') {
    throw new TypeError('PartialDate must be a string: YYYY-MM-DD or YYYY-MM.');
  }
  const problem = partialDateProblem(value);
  if (problem) throw new TypeError(problem);
  return value;
}

/**
 * The SDL's description and @specifiedBy URL of a scalar. Apollo copies a resolver scalar's fields
 * over the SDL's, so the scalar repeats them, read from schema/ (the source of truth).
 */
function documented(name: string): { description?: string; specifiedByURL?: string } {
  const type = buildSchema(loadTypeDefs(), { assumeValid: true }).getType(name);
  if (!(type instanceof GraphQLScalarType)) throw new Error(`schema has no scalar ${name}`);
  return {
    ...(type.description ? { description: type.description } : {}),
    ...(type.specifiedByURL ? { specifiedByURL: type.specifiedByURL } : {}),
  };
}

export const PartialDate = new GraphQLScalarType({
  name: 'PartialDate',
  ...documented('PartialDate'),
  serialize: (value) => String(value),
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new TypeError('PartialDate must be a string: YYYY-MM-DD or YYYY-MM.');
    }
    return parse(ast.value);
  },
});
