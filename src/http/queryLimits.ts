/**
 * Limits on what one GraphQL document may ask for. Each refusal carries a code naming the limit
 * and a message that states it:
 *
 * - depth, aliases and directives: graphql-armor's validation rules, run with the schema's own
 *   rules (one pass over the document) before anything executes;
 * - cost: after validation, once the variables are known, an estimate of the fields the response
 *   can hold, counting every requested page as full (`first`, or the argument's default).
 *   graphql-armor's cost rule reads `first` only when written as a literal, so `first: $n` would
 *   slip past it; graphql-query-complexity sees the variables.
 *
 * The token limit runs before parsing and lives with the other HTTP-level limits
 * (requestLimits.ts).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  getNullableType,
  getVariableValues,
  isLeafType,
  isListType,
  type GraphQLError,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { QueryLimits } from '../config.js';
import { ErrorCode, UserError } from '../errors.js';
import { MAX_PAGE_SIZE } from '../stores/pagination.js';

/**
 * A refusal reported from a validation rule. Apollo reports every validation error as
 * GRAPHQL_VALIDATION_FAILED; formatError restores this error's own code (see formatError.ts).
 */
export class LimitError extends UserError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown>) {
    super(code, message, extensions);
    this.name = 'LimitError';
  }
}

/** Turns an armor rejection ("Syntax Error: Query depth limit of 12 exceeded, found 13.") into ours. */
function reject(
  code: ErrorCode,
  max: number,
  advice: string,
): (context: ValidationContext | null, error: GraphQLError) => void {
  return (context, error) => {
    const stated = error.message.replace(/^Syntax Error:\s*/, '');
    const found = /found (\d+)/.exec(stated)?.[1];
    context?.reportError(
      new LimitError(code, `${stated} ${advice}`, {
        max,
        ...(found ? { found: Number(found) } : {}),
      }),
    );
  };
}

/** Depth, aliases and directives, as validation rules. */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  // propagateOnRejection false: report through the validation context (a 400 with our code)
  // instead of throwing out of the validator.
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  return [
    maxDepthRule({
      ...common,
      n: limits.maxDepth,
      // Fragments group fields; they do not nest the response.
      flattenFragments: true,
      ignoreIntrospection: true,
      onReject: [
        reject(
          ErrorCode.QUERY_TOO_DEEP,
          limits.maxDepth,
          'Ask for fewer nested levels and follow further links in a second query.',
        ),
      ],
    }),
    maxAliasesRule({
      ...common,
      n: limits.maxAliases,
      onReject: [
        reject(
          ErrorCode.TOO_MANY_ALIASES,
          limits.maxAliases,
          'Split the aliased fields over several requests.',
        ),
      ],
    }),
    maxDirectivesRule({
      ...common,
      n: limits.maxDirectives,
      onReject: [
        reject(ErrorCode.TOO_MANY_DIRECTIVES, limits.maxDirectives, 'Use fewer directives.'),
      ],
    }),
  ] as ValidationRule[];
}

/** Lists that are not pages (subsidiaries, sources, graph nodes) are assumed to hold this many. */
const ASSUMED_LIST_LENGTH = 10;

/**
 * One per field, and a list field's selection counted once per item: `first` items for a page
 * (capped at MAX_PAGE_SIZE, since more is refused anyway), ASSUMED_LIST_LENGTH for other lists.
 * A connection's `edges` are the page itself, so they are not multiplied again. Introspection
 * fields count once each, whatever their lists hold.
 */
export const estimateFieldCost: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (type.name.startsWith('__') || field.name.startsWith('__')) return 1 + childComplexity;
  const first: unknown = args.first;
  if (typeof first === 'number') {
    return 1 + Math.min(Math.max(first, 0), MAX_PAGE_SIZE) * childComplexity;
  }
  const isPage = field.name === 'edges' && type.name.endsWith('Connection');
  const returnsObjects = !isLeafType(getNamedType(field.type));
  if (isListType(getNullableType(field.type)) && returnsObjects && !isPage) {
    return 1 + ASSUMED_LIST_LENGTH * childComplexity;
  }
  return 1 + childComplexity;
};

/** The cost limit, checked once the operation and its variables are known. */
export function costLimitPlugin<TContext extends { cost?: { estimate: number } }>(
  maxCost: number,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return;
          // Variables that do not fit the operation are reported by execution, which then never
          // starts; nothing to estimate.
          const variables = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            request.variables ?? {},
          );
          if (variables.errors) return;

          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              variables: request.variables ?? {},
              estimators: [estimateFieldCost],
              ...(request.operationName ? { operationName: request.operationName } : {}),
            });
          } catch {
            // Thrown past 10,000 selections after expanding fragments: a document built to
            // multiply, far past any limit.
            cost = Number.POSITIVE_INFINITY;
          }
          // The rate limiter (src/http/rateLimit.ts) charges by it.
          if (contextValue.cost && Number.isFinite(cost)) contextValue.cost.estimate = cost;
          if (cost > maxCost) {
            const found = Number.isFinite(cost) ? `, found ${cost}` : '';
            throw new UserError(
              ErrorCode.QUERY_TOO_COMPLEX,
              `Query cost limit of ${maxCost} exceeded${found}. The cost counts every field once ` +
                'per item of each requested page; ask for smaller pages (first) or fewer nested ' +
                'connections.',
              {
                max: maxCost,
                ...(Number.isFinite(cost) ? { found: cost } : {}),
                http: { status: 400 },
              },
            );
          }
        },
      };
    },
  };
}
