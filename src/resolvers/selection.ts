/**
 * From a GraphQL selection to what SelectionStore reads at once (see there why), and back: the
 * field resolvers take a part read with their row when there is one, and load it otherwise.
 *
 * Reading ahead is an optimisation only: whatever it does not understand, a selection shape whose
 * statement Neo4j has not planned yet, and any new one past the plan-cache budget
 * (MAX_READ_AHEAD_SHAPES), is left to the field's resolver, so
 * answers and errors stay those of the per-field path. A deal list whose arguments are invalid
 * is not read ahead (its resolver then reports the error on that field), nor is a list whose
 * edges or nodes are selected under two response keys (the node objects are shared, and two
 * parts could claim one key).
 */
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { isObjectType } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import { dealListArgs } from './args.js';
import {
  ALL_TOTALS_FIGURES,
  COMPANY_SCALARS,
  type CompanyScalar,
  type TotalsFigure,
} from '../stores/companyStore.js';
import {
  DEAL_SCALARS,
  SOURCE_SCALARS,
  type DealScalar,
  type DealSide,
  type SourceScalar,
} from '../stores/dealStore.js';
import type { DealType } from '../stores/rows.js';
import {
  selectedPart,
  type CompanySelection,
  type DealSelection,
} from '../stores/selectionStore.js';

type Fields = Record<string, ResolveTree>;

/**
 * Whether the field being resolved selects no fields but these, however they are written: directly,
 * in named fragments or in inline fragments (after @skip / @include).
 */
export function selectsOnly(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  const tree = parseResolveInfo(info) as ResolveTree | null | undefined;
  if (!tree) return false;
  return Object.values(tree.fieldsByTypeName).every((fields) =>
    Object.values(fields).every((field) => names.includes(field.name)),
  );
}

/** The value read ahead for this field of `row`, if it was. */
export function readAhead<T>(row: object, info: GraphQLResolveInfo): { value: T } | undefined {
  return selectedPart<T>(row, String(info.path.key));
}

/** Two trees of one response key merged (validation guarantees the same field and arguments). */
function merge(a: ResolveTree, b: ResolveTree): ResolveTree {
  const fieldsByTypeName = { ...a.fieldsByTypeName };
  for (const [type, fields] of Object.entries(b.fieldsByTypeName)) {
    const merged: Fields = { ...fieldsByTypeName[type] };
    for (const [alias, tree] of Object.entries(fields)) {
      merged[alias] = merged[alias] ? merge(merged[alias], tree) : tree;
    }
    fieldsByTypeName[type] = merged;
  }
  return { ...a, fieldsByTypeName };
}

/** The fields selected on an object type: its own and those selected on its interfaces. */
function fieldsOf(tree: ResolveTree, schema: GraphQLSchema, typeName: string): Fields {
  const type = schema.getType(typeName);
  const names = [typeName, ...(isObjectType(type) ? type.getInterfaces().map((i) => i.name) : [])];
  const fields: Fields = {};
  for (const name of names) {
    for (const [alias, field] of Object.entries(tree.fieldsByTypeName[name] ?? {})) {
      fields[alias] = fields[alias] ? merge(fields[alias], field) : field;
    }
  }
  return fields;
}

/** The one `edges { node }` of a connection selection; null when either is selected twice. */
function connectionNode(
  tree: ResolveTree,
  schema: GraphQLSchema,
  [connection, edge]: [string, string],
): ResolveTree | null {
  const edges = Object.values(fieldsOf(tree, schema, connection)).filter((f) => f.name === 'edges');
  if (edges.length !== 1) return edges.length === 0 ? emptyTree() : null;
  const nodes = Object.values(fieldsOf(edges[0]!, schema, edge)).filter((f) => f.name === 'node');
  if (nodes.length !== 1) return nodes.length === 0 ? emptyTree() : null;
  return nodes[0]!;
}

function emptyTree(): ResolveTree {
  return { name: '', alias: '', args: {}, fieldsByTypeName: {} };
}

const COMPANY_FIELDS = new Set<string>(COMPANY_SCALARS);
const DEAL_FIELDS = new Set<string>(DEAL_SCALARS);
const SOURCE_FIELDS = new Set<string>(SOURCE_SCALARS);

/** A company's four deal lists: which deals each lists. */
export const DEAL_LISTS = {
  investmentsMade: { type: 'INVESTMENT', side: 'made' },
  investmentsReceived: { type: 'INVESTMENT', side: 'received' },
  commitmentsMade: { type: 'COMMITMENT', side: 'made' },
  commitmentsReceived: { type: 'COMMITMENT', side: 'received' },
} as const satisfies Record<string, { type: DealType; side: DealSide }>;

const DEAL_TYPES = {
  INVESTMENT: ['InvestmentConnection', 'InvestmentEdge', 'Investment'],
  COMMITMENT: ['CloudCommitmentConnection', 'CloudCommitmentEdge', 'CloudCommitment'],
} as const;

/** The figures the `totals` fields select: investedUsd and investedUnknownCount are `invested`. */
function totalsFigures(totals: ResolveTree[], schema: GraphQLSchema): TotalsFigure[] {
  const names = totals.flatMap((tree) =>
    Object.values(fieldsOf(tree, schema, 'CompanyTotals')).map((f) => f.name),
  );
  return ALL_TOTALS_FIGURES.filter((figure) => names.some((name) => name.startsWith(figure)));
}

function companySelection(tree: ResolveTree, schema: GraphQLSchema): CompanySelection {
  const selection: CompanySelection = { scalars: new Set(), parts: [] };
  for (const [alias, field] of Object.entries(fieldsOf(tree, schema, 'Company'))) {
    const name = field.name;
    if (COMPANY_FIELDS.has(name)) selection.scalars.add(name as CompanyScalar);
    else if (name === 'parent' || name === 'ultimateParent' || name === 'subsidiaries') {
      selection.parts.push({ alias, kind: name, company: companySelection(field, schema) });
    } else if (name === 'totals') {
      selection.parts.push({ alias, kind: 'totals', figures: totalsFigures([field], schema) });
    } else if (name in DEAL_LISTS) {
      const { type, side } = DEAL_LISTS[name as keyof typeof DEAL_LISTS];
      const [connection, edge, node] = DEAL_TYPES[type];
      let load: ReturnType<typeof dealListArgs>['load'];
      try {
        load = dealListArgs(type, side, field.args).load;
      } catch {
        continue; // invalid arguments: the resolver reports them on this field
      }
      const nodeTree = connectionNode(field, schema, [connection, edge]);
      if (!load || !nodeTree) continue;
      selection.parts.push({
        alias,
        kind: 'deals',
        type,
        side,
        filter: load.filter,
        page: load.page,
        deal: dealSelection(nodeTree, schema, node),
      });
    }
    // id is always read; cycles and __typename are resolved on their own.
  }
  return selection;
}

const DEAL_COMPANIES: Record<string, 'FROM' | 'TO'> = {
  from: 'FROM',
  to: 'TO',
  investor: 'FROM',
  investee: 'TO',
  customer: 'FROM',
  provider: 'TO',
};

/**
 * Per type, the fields the read-ahead reads, and those it leaves to resolvers that need only the
 * row's id. A field in neither would be missing from a row read ahead: a test checks the schema.
 */
export const READ_AHEAD_FIELDS: Record<string, { read: string[]; byId: string[] }> = {
  Company: {
    read: ['id', ...COMPANY_SCALARS, 'parent', 'ultimateParent', 'subsidiaries', 'totals'].concat(
      Object.keys(DEAL_LISTS),
    ),
    byId: ['cycles'],
  },
  Deal: { read: ['id', ...DEAL_SCALARS, ...Object.keys(DEAL_COMPANIES), 'sources'], byId: [] },
  Source: { read: [...SOURCE_SCALARS], byId: [] },
  CompanyTotals: {
    read: ALL_TOTALS_FIGURES.flatMap((f) => [`${f}Usd`, `${f}UnknownCount`]),
    byId: [],
  },
};

function dealSelection(tree: ResolveTree, schema: GraphQLSchema, typeName: string): DealSelection {
  return dealFieldsSelection(fieldsOf(tree, schema, typeName), schema);
}

function dealFieldsSelection(fields: Fields, schema: GraphQLSchema): DealSelection {
  const selection: DealSelection = { scalars: new Set(), parts: [] };
  for (const [alias, field] of Object.entries(fields)) {
    const rel = DEAL_COMPANIES[field.name];
    if (DEAL_FIELDS.has(field.name)) selection.scalars.add(field.name as DealScalar);
    else if (rel) {
      selection.parts.push({
        alias,
        kind: 'company',
        rel,
        company: companySelection(field, schema),
      });
    } else if (field.name === 'sources') {
      const scalars = Object.values(fieldsOf(field, schema, 'Source'))
        .map((f) => f.name)
        .filter((name) => SOURCE_FIELDS.has(name)) as SourceScalar[];
      selection.parts.push({ alias, kind: 'sources', scalars: new Set(scalars) });
    }
  }
  return selection;
}

/**
 * What a company connection field (`companies`) selects below its nodes; null when it cannot be
 * read ahead (its nodes selected under two response keys).
 */
export function companyConnectionSelection(info: GraphQLResolveInfo): CompanySelection | null {
  const tree = parseResolveInfo(info) as ResolveTree | null | undefined;
  if (!tree) return null;
  const node = connectionNode(tree, info.schema, ['CompanyConnection', 'CompanyEdge']);
  if (!node) return null;
  const selection = companySelection(node, info.schema);
  return selection;
}

/**
 * What a company field (`company(id)`) selects; null when nothing below it needs more than the
 * company's own row (the batched loader serves that as well).
 */
export function companyFieldSelection(info: GraphQLResolveInfo): CompanySelection | null {
  const tree = parseResolveInfo(info) as ResolveTree | null | undefined;
  if (!tree) return null;
  const selection = companySelection(tree, info.schema);
  return selection.parts.length > 0 ? selection : null;
}

/**
 * What a deal connection field (`deals`) selects below its nodes, of either type; null when it
 * cannot be read ahead (nodes selected twice, or one response key naming different fields on
 * the two types).
 */
export function dealConnectionSelection(info: GraphQLResolveInfo): DealSelection | null {
  const tree = parseResolveInfo(info) as ResolveTree | null | undefined;
  if (!tree) return null;
  const node = connectionNode(tree, info.schema, ['DealConnection', 'DealEdge']);
  if (!node) return null;
  const fields = fieldsOf(node, info.schema, 'Investment');
  for (const [alias, field] of Object.entries(fieldsOf(node, info.schema, 'CloudCommitment'))) {
    const other = fields[alias];
    if (other && other.name !== field.name) return null;
    fields[alias] = other ? merge(other, field) : field;
  }
  const selection = dealFieldsSelection(fields, info.schema);
  return selection;
}

/**
 * The totals figures selected on a relationship graph's nodes (under any response key): the
 * graph query reads them with the nodes.
 */
export function graphNodeTotals(info: GraphQLResolveInfo): TotalsFigure[] {
  const tree = parseResolveInfo(info) as ResolveTree | null | undefined;
  if (!tree) return [];
  const totals = Object.values(fieldsOf(tree, info.schema, 'RelationshipGraph'))
    .filter((f) => f.name === 'nodes')
    .flatMap((nodes) => Object.values(fieldsOf(nodes, info.schema, 'GraphNode')))
    .filter((f) => f.name === 'totals');
  return totalsFigures(totals, info.schema);
}
