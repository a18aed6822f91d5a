import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { partialDateProblem } from '../domain/partialDate.js';

function parse(value: unknown): string {
  if (typeof value !== 'string') {
    throw new GraphQLError('PartialDate must be a string: YYYY-MM-DD or YYYY-MM.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const problem = partialDateProblem(value);
  if (problem) throw new GraphQLError(problem, { extensions: { code: 'BAD_USER_INPUT' } });
  return value;
}

export const PartialDate = new GraphQLScalarType({
  name: 'PartialDate',
  description: 'A date at day or month precision: YYYY-MM-DD or YYYY-MM.',
  serialize: (value) => String(value),
  parseValue: parse,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('PartialDate must be a string: YYYY-MM-DD or YYYY-MM.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return parse(ast.value);
  },
});
