import { GraphQLScalarType, Kind } from 'graphql';
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

export const PartialDate = new GraphQLScalarType({
  name: 'PartialDate',
  description: 'A date at day or month precision: YYYY-MM-DD or YYYY-MM.',
  serialize: (value) => String(value),
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new TypeError('PartialDate must be a string: YYYY-MM-DD or YYYY-MM.');
    }
    return parse(ast.value);
  },
});
