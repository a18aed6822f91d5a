/**
 * Limits on what one GraphQL document may ask for. Each refusal carries a code naming the limit
 * and a message that states it:
 *
 * - depth, aliases and directives: graphql-armor's validation rules, run with the schema's own
 *   rules (one pass over the document) before anything executes;
 * - cost and searches: after validation, once the variables are known, one walk over the
 *   operation (fragments and @skip/@include resolved) estimates the fields the response can hold
 *   and counts the searches it can trigger (estimateCost); past either limit the request is
 *   refused before anything executes, the refusal giving the estimate and the limit.
 *
 * The token limit runs before parsing and lives with the other HTTP-level limits
 * (requestLimits.ts).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
} from 'graphql';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../config.js';
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

/**
 * What one request can cost, estimated before it runs: the fields its response can hold, and the
 * searches (cycle, path and graph queries, each a heavy read with its own time limit) it can
 * trigger.
 */
export interface CostEstimate {
  fields: number;
  searches: number;
}

/**
 * Fields that each run one search per item they resolve for: a field under a page of 20
 * companies runs 20 (Company.cycles is resolved once per listed company).
 */
const SEARCH_FIELDS: ReadonlySet<string> = new Set([
  'Query.circularDeals',
  'Query.moneyPaths',
  'Query.relationshipGraph',
  'RelationshipGraph.cycles',
  'Company.cycles',
]);

/** The page size a connection field gets without `first` (the schema's default). */
const DEFAULT_PAGE_SIZE = 20;
/** The `maxLength` of a cycle or path search that gives none (schema default). */
const DEFAULT_FLOW_LENGTH = 4;

/**
 * How many items a list that is not a page holds, by field: a cycle's steps and companies are at
 * most its search's `maxLength`; a drawn graph has its start companies at depth 0 and about 20
 * times more per hop, at most 500 nodes, and four edges per node, at most 2000 (its caps);
 * the rest are typical sizes (a step is backed by a few deals, a deal has a source or two).
 */
const LIST_LENGTHS: Record<string, number | 'flowLength' | 'graphNodes' | 'graphEdges'> = {
  'DealCycle.steps': 'flowLength',
  'DealCycle.companies': 'flowLength',
  'MoneyPath.steps': 'flowLength',
  'MoneyPath.companies': 'flowLength',
  'GraphCycle.steps': 'flowLength',
  'FlowStep.deals': 3,
  'Deal.sources': 2,
  'Investment.sources': 2,
  'CloudCommitment.sources': 2,
  'RelationshipGraph.nodes': 'graphNodes',
  'RelationshipGraph.edges': 'graphEdges',
  'RelationshipGraph.cycles': 50,
};
/** Other lists of objects (subsidiaries, drafts) are assumed to hold this many. */
const ASSUMED_LIST_LENGTH = 10;

/** Past this many selections visited (fragments spread over and over), the estimate is infinite. */
const MAX_VISITS = 20_000;

interface Scope {
  /** How many times the selection is resolved: the product of the pages and lists above it. */
  items: number;
  /** Page size of the connection whose fields are being walked (for its `edges` / `nodes`). */
  page: number;
  /** `maxLength` of the search whose cycles or paths are being walked. */
  flowLength: number;
  /** Nodes of the relationship graph being walked. */
  graphNodes: number;
}

/** Companies a drawn graph reaches per company and hop, for the estimate (the cap bounds it). */
const GRAPH_FAN_OUT = 20;
const GRAPH_NODE_CAP = 500;
const GRAPH_EDGE_CAP = 2000;

class TooManySelections extends Error {}

/**
 * Walks the operation once, with its fragments and variables: each field counts once per item of
 * every page and list it sits in (a page as full: `first` or `last` capped at MAX_PAGE_SIZE, or
 * the default), and each search field once per item too. Introspection fields count once each.
 * The document has been validated, so every field and fragment exists.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): CostEstimate {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const estimate: CostEstimate = { fields: 0, searches: 0 };
  let visits = 0;

  const included = (node: Parameters<typeof getDirectiveValues>[1]): boolean =>
    getDirectiveValues(GraphQLSkipDirective, node, variables)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;

  const walk = (set: SelectionSetNode, type: GraphQLCompositeType, scope: Scope): void => {
    for (const selection of set.selections) {
      if (++visits > MAX_VISITS) throw new TooManySelections();
      if (!included(selection)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment =
          selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const condition = fragment.typeCondition
          ? schema.getType(fragment.typeCondition.name.value)
          : type;
        // On an abstract type, the fields of every possible type's fragment count: an upper bound.
        if (isCompositeType(condition)) walk(fragment.selectionSet, condition, scope);
        continue;
      }
      const name = selection.name.value;
      const introspection = name.startsWith('__') || type.name.startsWith('__');
      estimate.fields += introspection ? 1 : scope.items;
      if (name === '__typename') continue;
      const definition =
        name === '__schema'
          ? SchemaMetaFieldDef
          : name === '__type'
            ? TypeMetaFieldDef
            : isObjectType(type) || isInterfaceType(type)
              ? type.getFields()[name]
              : undefined;
      if (!definition || !selection.selectionSet) continue;
      const key = `${type.name}.${name}`;
      const args = introspection ? {} : getArgumentValues(definition, selection, variables);
      if (SEARCH_FIELDS.has(key)) estimate.searches += scope.items;

      const child = getNamedType(definition.type);
      if (!isCompositeType(child)) continue;
      if (introspection) {
        walk(selection.selectionSet, child, { items: 1, page: 1, flowLength: 1, graphNodes: 1 });
        continue;
      }
      const next: Scope = { ...scope };
      const where = args.where as { maxLength?: number } | null | undefined;
      const length = (args.maxLength ?? where?.maxLength) as number | undefined;
      if (SEARCH_FIELDS.has(key)) next.flowLength = length ?? DEFAULT_FLOW_LENGTH;
      if (key === 'Query.relationshipGraph') {
        const starts = Array.isArray(args.companyIds) ? args.companyIds.length : 1;
        const depth = typeof args.depth === 'number' ? Math.max(args.depth, 0) : 1;
        next.graphNodes = Math.min(GRAPH_NODE_CAP, starts * GRAPH_FAN_OUT ** depth);
      }
      if (child.name.endsWith('Connection')) {
        const size = (args.first ?? args.last ?? DEFAULT_PAGE_SIZE) as number;
        next.page = Math.min(Math.max(size, 0), MAX_PAGE_SIZE);
      } else if ((name === 'edges' || name === 'nodes') && type.name.endsWith('Connection')) {
        next.items = scope.items * scope.page;
      } else if (isListType(getNullableType(definition.type))) {
        const length = LIST_LENGTHS[key] ?? ASSUMED_LIST_LENGTH;
        next.items =
          scope.items *
          (length === 'flowLength'
            ? scope.flowLength
            : length === 'graphNodes'
              ? scope.graphNodes
              : length === 'graphEdges'
                ? Math.min(GRAPH_EDGE_CAP, scope.graphNodes * 4)
                : length);
      }
      walk(selection.selectionSet, child, next);
    }
  };

  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!root) return estimate;
  try {
    walk(operation.selectionSet, root, {
      items: 1,
      page: 1,
      flowLength: DEFAULT_FLOW_LENGTH,
      graphNodes: GRAPH_NODE_CAP,
    });
  } catch (error) {
    if (!(error instanceof TooManySelections)) throw error;
    // A document built to multiply (fragments spread into each other), far past any limit.
    return { fields: Number.POSITIVE_INFINITY, searches: estimate.searches };
  }
  return estimate;
}

function refusal(
  code: ErrorCode,
  what: string,
  estimate: number,
  limit: number,
  advice: string,
): UserError {
  const found = Number.isFinite(estimate) ? `, estimated ${estimate}` : '';
  return new UserError(code, `${what} limit of ${limit} exceeded${found}. ${advice}`, {
    limit,
    max: limit,
    ...(Number.isFinite(estimate) ? { estimate, found: estimate } : {}),
    http: { status: 400 },
  });
}

/**
 * The cost and search limits, checked once the operation and its variables are known, before
 * anything runs. `maxCost`: estimated fields in the response; `maxSearches`: searches one request
 * may run.
 */
export function costLimitPlugin<TContext extends { cost?: { estimate: number } }>(
  maxCost: number,
  maxSearches: number = DEFAULT_QUERY_LIMITS.maxSearches,
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
          const estimate = estimateCost(schema, document, operation, variables.coerced);
          // The rate limiter (src/http/rateLimit.ts) charges by it.
          if (contextValue.cost && Number.isFinite(estimate.fields))
            contextValue.cost.estimate = estimate.fields;
          if (estimate.fields > maxCost) {
            throw refusal(
              ErrorCode.QUERY_TOO_COMPLEX,
              'Query cost',
              estimate.fields,
              maxCost,
              'The cost counts every field once per item of each requested page (a page as full); ' +
                'ask for smaller pages (first) or fewer nested connections.',
            );
          }
          if (estimate.searches > maxSearches) {
            throw refusal(
              ErrorCode.TOO_MANY_SEARCHES,
              'Search',
              estimate.searches,
              maxSearches,
              'Each cycle, path or graph query is one search, and a field such as Company.cycles ' +
                'runs one per company of the page it sits in; ask for fewer, or a smaller page.',
            );
          }
        },
      };
    },
  };
}
