/**
 * Operation limits, checked on the document that will run, before Apollo parses, validates, plans or executes it:
 * tokens (graphql-js `parse` with `maxTokens`), bad characters in string values, depth, aliases, root fields,
 * directives, `first`, and an estimated cost read from the schema's types. Each refusal is a 400 with its own code.
 *
 * One walk, linear in the document's size: each fragment is measured once (its depth, cost, aliases… relative to
 * where it is spread) and every spread reuses that, so a fragment that spreads another twice, 30 levels deep, is
 * refused after reading 30 fragments, not 2^30 copies. The walk refuses as soon as a running total passes a limit.
 */
import { LRUCache } from 'lru-cache';
import {
  getIntrospectionQuery, getNamedType, getNullableType, isCompositeType, isEnumType, isInputObjectType, isInterfaceType, isListType,
  isObjectType, isUnionType, Kind, parse, SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef,
  type DirectiveNode, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLCompositeType,
  type GraphQLField, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLSchema, type GraphQLUnionType, type OperationDefinitionNode, type SelectionSetNode, type ValueNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { HttpError } from '@ansinh/server';

export interface Limits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  /**
   * how often one field (one response key) may be selected in one selection set, fragments included: execution merges
   * the copies, but validation compares every pair of them (graphql-js OverlappingFieldsCanBeMerged), so 500 copies of
   * `parent { parent { name } }` would keep the gateway busy for half a second
   */
  maxRepeatedFields: number;
  /** largest `first` of any list argument (the subgraphs page at most this many) */
  maxFirst: number;
  /** estimated cost of the fields the subgraphs resolve: each field 1, times the sizes of the lists it is inside */
  maxCost: number;
  /**
   * estimated cost of the introspection fields (under `__schema` and `__type`), which the gateway answers itself from
   * the schema; by default the cost of the standard introspection query on the schema served (it grows with it)
   */
  maxIntrospectionCost?: number;
  /** request body, bytes */
  maxBodyBytes: number;
}

/**
 * Sized on two documents (test/limits.test.ts checks both edges): the largest page of the full household picture,
 * gateway/operations/HouseholdPicturePage.graphql (100 households with every field of HouseholdPicture.graphql),
 * costs exactly `maxCost`; the standard introspection query (STANDARD_INTROSPECTION_QUERY) is `maxDepth` deep and
 * costs exactly the introspection limit, which is worked out from the schema served.
 */
export const DEFAULT_LIMITS: Limits = {
  maxTokens: 5_000,
  maxDepth: 14,
  maxAliases: 30,
  maxRootFields: 15,
  maxDirectives: 20,
  maxRepeatedFields: 10,
  maxFirst: 100,
  maxCost: 20_506,
  maxBodyBytes: 1_000_000,
};

/** Limits from the environment: ANSINH_MAX_DEPTH, ANSINH_MAX_ALIASES, … (see docs/security.md). */
export function limitsFromEnv(base: Limits = DEFAULT_LIMITS): Limits {
  const env = <T extends number | undefined>(name: string, fallback: T): number | T => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
    return n;
  };
  return {
    maxTokens: env('ANSINH_MAX_TOKENS', base.maxTokens),
    maxDepth: env('ANSINH_MAX_DEPTH', base.maxDepth),
    maxAliases: env('ANSINH_MAX_ALIASES', base.maxAliases),
    maxRootFields: env('ANSINH_MAX_ROOT_FIELDS', base.maxRootFields),
    maxDirectives: env('ANSINH_MAX_DIRECTIVES', base.maxDirectives),
    maxRepeatedFields: env('ANSINH_MAX_REPEATED_FIELDS', base.maxRepeatedFields),
    maxFirst: env('ANSINH_MAX_FIRST', base.maxFirst),
    maxCost: env('ANSINH_MAX_COST', base.maxCost),
    maxIntrospectionCost: env('ANSINH_MAX_INTROSPECTION_COST', base.maxIntrospectionCost),
    maxBodyBytes: env('ANSINH_MAX_BODY_BYTES', base.maxBodyBytes),
  };
}

/** A refused operation: HTTP 400 with its own code (and `argument` or `variable` for bad input). */
export class OperationRefused extends HttpError {
  constructor(code: string, message: string, extensions: Record<string, unknown> = {}) {
    super(400, code, message, {}, extensions);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The cost model

/** A list without `first` whose size the table below does not give counts as this many items. */
export const UNPAGED_LIST_ESTIMATE = 5;
/** `first` when neither the operation nor the schema gives one (the resolvers' own fallback). */
export const DEFAULT_PAGE_SIZE = 20;

/**
 * Lists without `first` that are much longer than a household's members or loans: their size is the largest the
 * data can give. Units: Thành phố Hồ Chí Minh has 168 wards and communes from 2025-07-01 (data/admin-units), the
 * most children of any unit. The access log returns at most 500 entries per subgraph.
 */
export const LIST_SIZE_ESTIMATES: Record<string, number> = {
  'AdministrativeUnit.children': 200,
  'AreaStatistics.children': 200,
  'HousingStatistics.byWard': 200,
};

/** What the walk needs of a schema, worked out once per schema. */
interface SchemaModel {
  schema: GraphQLSchema;
  /** types returned by a field with `first` (Relay connections): their lists are the page, already counted */
  connections: Set<string>;
  /** list sizes by schema coordinate, the table above plus the introspection lists of this schema */
  listSizes: Map<string, number>;
  /** the cost of STANDARD_INTROSPECTION_QUERY on this schema: the default introspection limit */
  introspectionCost: number;
}

/**
 * The standard introspection query (graphql-js `getIntrospectionQuery`) with every option the gateway answers:
 * GraphiQL turns on input-value deprecation and the schema description, GraphQL Code Generator can turn on the rest.
 * (`oneOf` and `experimentalDirectiveDeprecation` ask for fields Apollo Federation 2.14 does not know.)
 */
export const STANDARD_INTROSPECTION_QUERY = getIntrospectionQuery({
  descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true,
});

const models = new WeakMap<GraphQLSchema, SchemaModel>();

/**
 * Introspection lists are as long as this schema makes them: `__Schema.types` is the number of types, and each list
 * below a type is its average length over the types that have one, so the standard introspection query is priced at
 * about the number of fields it resolves.
 */
function introspectionSizes(schema: GraphQLSchema): Map<string, number> {
  const types = Object.values(schema.getTypeMap());
  const average = (lengths: number[]) => Math.max(1, Math.ceil(lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length)));
  const withFields = types.filter((t): t is GraphQLObjectType | GraphQLInterfaceType => isObjectType(t) || isInterfaceType(t));
  const fields = withFields.flatMap((t) => Object.values(t.getFields()));
  const inputs = types.filter(isInputObjectType);
  const enums = types.filter(isEnumType);
  const abstract = types.filter((t): t is GraphQLInterfaceType | GraphQLUnionType => isInterfaceType(t) || isUnionType(t));
  const directives = schema.getDirectives();
  return new Map([
    ['__Schema.types', types.length],
    ['__Schema.directives', directives.length],
    ['__Type.fields', average(withFields.map((t) => Object.keys(t.getFields()).length))],
    ['__Type.interfaces', average(withFields.map((t) => t.getInterfaces().length))],
    ['__Type.possibleTypes', average(abstract.map((t) => schema.getPossibleTypes(t).length))],
    ['__Type.enumValues', average(enums.map((t) => t.getValues().length))],
    ['__Type.inputFields', average(inputs.map((t) => Object.keys(t.getFields()).length))],
    ['__Field.args', average(fields.map((f) => f.args.length))],
    ['__Directive.args', average(directives.map((d) => d.args.length))],
    ['__Directive.locations', average(directives.map((d) => d.locations.length))],
  ]);
}

function schemaModel(schema: GraphQLSchema): SchemaModel {
  let model = models.get(schema);
  if (model) return model;
  const connections = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const nullable = getNullableType(field.type);
      if (field.args.some((a) => a.name === 'first') && !isListType(nullable)) connections.add(getNamedType(field.type).name);
    }
  }
  model = { schema, connections, listSizes: new Map([...Object.entries(LIST_SIZE_ESTIMATES), ...introspectionSizes(schema)]), introspectionCost: Infinity };
  models.set(schema, model);
  const unlimited: Limits = { maxTokens: Infinity, maxDepth: Infinity, maxAliases: Infinity, maxRootFields: Infinity, maxDirectives: Infinity, maxRepeatedFields: Infinity, maxFirst: Infinity, maxCost: Infinity, maxIntrospectionCost: Infinity, maxBodyBytes: Infinity };
  model.introspectionCost = measureDocument(schema, parse(STANDARD_INTROSPECTION_QUERY), undefined, undefined, unlimited).introspectionCost;
  return model;
}

/** The schema coordinates of LIST_SIZE_ESTIMATES that are not list fields of this schema (a test keeps it empty). */
export function staleListSizeEstimates(schema: GraphQLSchema): string[] {
  return Object.keys(LIST_SIZE_ESTIMATES).filter((coordinate) => {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    const field = type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[fieldName] : undefined;
    return !field || !isListType(getNullableType(field.type));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Bad characters: PostgreSQL refuses NUL in text, and an unpaired surrogate is no Unicode text at all.

/** a NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one */
const BAD_CHARACTER = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** what is wrong with a string, or undefined */
function badCharacter(text: string): string | undefined {
  const match = BAD_CHARACTER.exec(text);
  if (!match) return undefined;
  return match[0] === '\u0000' ? 'a NUL character (U+0000)' : 'an unpaired surrogate (U+D800–U+DFFF), which is not Unicode text';
}

/** Refuses a variable value that holds a NUL or an unpaired surrogate, anywhere inside it (field names included). */
export function checkVariables(variables: Record<string, unknown> | undefined): void {
  const visit = (value: unknown, path: string, variable: string): void => {
    if (typeof value === 'string') {
      const bad = badCharacter(value);
      if (bad) throw new OperationRefused('BAD_USER_INPUT', `Variable "$${path}" contains ${bad}`, { variable });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`, variable));
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const bad = badCharacter(key);
        if (bad) throw new OperationRefused('BAD_USER_INPUT', `Variable "$${path}" has a field name that contains ${bad}`, { variable });
        visit(item, `${path}.${key}`, variable);
      }
    }
  };
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (badCharacter(name)) throw new OperationRefused('BAD_USER_INPUT', `A variable name contains ${badCharacter(name)}`);
    visit(value, name, name);
  }
}

/** Calls `fn` on every string literal of the document with the argument it is in (`input.source` inside objects). */
function eachStringLiteral(document: DocumentNode, fn: (node: ValueNode & { kind: Kind.STRING }, argument: string) => void): void {
  const value = (node: ValueNode, argument: string): void => {
    if (node.kind === Kind.STRING) fn(node, argument);
    else if (node.kind === Kind.LIST) for (const item of node.values) value(item, argument);
    else if (node.kind === Kind.OBJECT) for (const field of node.fields) value(field.value, `${argument}.${field.name.value}`);
  };
  const directives = (nodes: readonly DirectiveNode[] | undefined) => {
    for (const d of nodes ?? []) for (const a of d.arguments ?? []) value(a.value, a.name.value);
  };
  const set = (selectionSet: SelectionSetNode): void => {
    for (const sel of selectionSet.selections) {
      directives(sel.directives);
      if (sel.kind === Kind.FIELD) for (const a of sel.arguments ?? []) value(a.value, a.name.value);
      if (sel.kind !== Kind.FRAGMENT_SPREAD && sel.selectionSet) set(sel.selectionSet);
    }
  };
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) {
      for (const v of def.variableDefinitions ?? []) {
        if (v.defaultValue) value(v.defaultValue, `$${v.variable.name.value}`);
        directives(v.directives);
      }
    }
    if (def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION) {
      directives(def.directives);
      set(def.selectionSet);
    }
  }
}

/** Parses the operation text: tokens first, then bad characters in string literals. */
export function parseOperation(query: string, limits: Pick<Limits, 'maxTokens'>): DocumentNode {
  const bad = BAD_CHARACTER.exec(query);
  if (bad && bad[0] !== '\u0000') {
    // graphql-js refuses an unpaired surrogate as a syntax error; say which argument holds it when one does. The
    // replacement (U+FFFD) keeps every offset, so the located string literal is the one that holds it.
    let argument: string | undefined;
    try {
      const located = parse(query.replace(new RegExp(BAD_CHARACTER.source, 'g'), (c) => (c === '\u0000' ? c : '\uFFFD')), { maxTokens: limits.maxTokens });
      eachStringLiteral(located, (node, name) => { if (node.loc && node.loc.start <= bad.index && bad.index < node.loc.end) argument ??= name; });
    } catch { /* no string literal holds it: the syntax error below */ }
    if (argument) throw new OperationRefused('BAD_USER_INPUT', `The value of "${argument}" contains ${badCharacter(bad[0])}`, { argument });
  }
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens, noLocation: true });
  } catch (error) {
    const message = (error as Error).message;
    // graphql-js says "Document contains more that N tokens"
    if (/contains more th\w+ \d+ tokens/i.test(message)) throw new OperationRefused('TOO_MANY_TOKENS', `The operation has more than ${limits.maxTokens} tokens`);
    throw new OperationRefused('GRAPHQL_PARSE_FAILED', message);
  }
  eachStringLiteral(document, (node, argument) => {
    const problem = badCharacter(node.value);
    if (problem) throw new OperationRefused('BAD_USER_INPUT', `The value of "${argument}" contains ${problem}`, { argument });
  });
  return document;
}

// ---------------------------------------------------------------------------------------------------------------
// The walk

export interface Measured {
  /** depth of the operation (nested selection sets) */
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
  /** estimated cost of the fields the subgraphs resolve */
  cost: number;
  /** estimated cost of the introspection fields */
  introspectionCost: number;
  /** selections the walk read: each selection of the document at most once, however often fragments are spread */
  visited: number;
}

/** What a selection set adds up to where it is used once, at depth 0 (a fragment's totals are reused as they are). */
interface Totals {
  depth: number;
  cost: number;
  /** inside a connection: the cost of one item of its page (the connection field multiplies it by `first`) */
  pageCost: number;
  introspectionCost: number;
  aliases: number;
  directives: number;
  /** fields at this level, fragments expanded (the root fields, at the root) */
  fields: number;
  /** how often each response key is selected at this level, fragments expanded */
  keys: Map<string, number>;
}

const zero = (): Totals => ({ depth: 0, cost: 0, pageCost: 0, introspectionCost: 0, aliases: 0, directives: 0, fields: 0, keys: new Map() });

/** Where a selection set is used: how deep, and how many times over (the sizes of the lists around it). */
interface Place {
  depth: number;
  multiplier: number;
  /** inside a connection: its `first` (the size of its page) */
  page?: number;
}

const isIntrospectionType = (type: GraphQLCompositeType | undefined) => type?.name.startsWith('__') ?? false;

/**
 * Measures the operation that runs (`operationName`, or the document's only one) against the limits, on the schema's
 * types; throws OperationRefused. Fragments are measured once each. A fragment cycle, an unknown fragment, field or
 * operation is left for validation to report (its cost counts as far as it can be known).
 */
export function measureDocument(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, limits: Limits): Measured {
  const result: Measured = { depth: 0, aliases: 0, rootFields: 0, directives: 0, cost: 0, introspectionCost: 0, visited: 0 };
  const model = schemaModel(schema);
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
  }
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  // an unknown or missing operation name: GraphQL itself says so, and nothing runs
  if (!operation) return result;
  const memo = new Map<string, Totals>();
  const inProgress = new Set<string>();
  const maxIntrospectionCost = limits.maxIntrospectionCost ?? model.introspectionCost;

  /** refuses as soon as what is known already passes a limit (totals only grow) */
  const check = (at: Place, t: Totals) => {
    if (at.depth + t.depth > limits.maxDepth) throw new OperationRefused('QUERY_TOO_DEEP', `The operation is nested deeper than ${limits.maxDepth} levels`);
    if (at.depth === 0 && t.fields > limits.maxRootFields) throw new OperationRefused('TOO_MANY_ROOT_FIELDS', `The operation asks for more than ${limits.maxRootFields} root fields`);
    if (t.aliases > limits.maxAliases) throw new OperationRefused('TOO_MANY_ALIASES', `The operation uses more than ${limits.maxAliases} aliases`);
    if (t.directives > limits.maxDirectives) throw new OperationRefused('TOO_MANY_DIRECTIVES', `The operation uses more than ${limits.maxDirectives} directives`);
    // the walk stops here, so the cost said is what it had counted: the whole operation costs at least that
    const cost = (t.cost + t.pageCost * (at.page ?? DEFAULT_PAGE_SIZE)) * at.multiplier;
    if (cost > limits.maxCost) {
      throw new OperationRefused('QUERY_TOO_COMPLEX', `The operation's estimated cost is at least ${cost}, over the limit of ${limits.maxCost}`);
    }
    if (t.introspectionCost * at.multiplier > maxIntrospectionCost) {
      throw new OperationRefused('QUERY_TOO_COMPLEX', `The operation's estimated introspection cost is at least ${t.introspectionCost * at.multiplier}, over the limit of ${maxIntrospectionCost}${limits.maxIntrospectionCost === undefined ? ' (the standard introspection query\'s)' : ''}`);
    }
  };

  /** an Int argument's value (literal, variable, the variable's default); null when null, undefined when not given */
  const intValue = (value: ValueNode | undefined): number | null | undefined => {
    if (!value) return undefined;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.NULL) return null;
    if (value.kind === Kind.VARIABLE) {
      const name = value.name.value;
      if (variables && name in variables) {
        const v = variables[name];
        // coercion refuses a non-number later; until then it counts as the largest page
        return v === null ? null : typeof v === 'number' ? v : limits.maxFirst;
      }
      const given = operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue;
      return given?.kind === Kind.INT ? Number(given.value) : given?.kind === Kind.NULL ? null : undefined;
    }
    return limits.maxFirst; // not an Int: validation refuses it
  };

  /** the field's `first` (given, the variable's, or the schema's default), checked; undefined for a field without one */
  const firstOf = (field: GraphQLField<unknown, unknown> | undefined, node: FieldNode): number | undefined => {
    const firstArg = field?.args.find((a) => a.name === 'first');
    if (!firstArg) return undefined;
    const given = intValue(node.arguments?.find((a) => a.name.value === 'first')?.value);
    const first = given ?? (typeof firstArg.defaultValue === 'number' ? firstArg.defaultValue : DEFAULT_PAGE_SIZE);
    if (!Number.isInteger(first) || first < 1 || first > limits.maxFirst) {
      throw new OperationRefused('BAD_USER_INPUT', `"first" must be between 1 and ${limits.maxFirst}, got ${first}`, { argument: 'first' });
    }
    return first;
  };

  const fieldDef = (parent: GraphQLCompositeType | undefined, name: string): GraphQLField<unknown, unknown> | undefined => {
    if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
    if (parent && parent === schema.getQueryType()) {
      if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
      if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    }
    return parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
  };

  const compositeType = (name: string): GraphQLCompositeType | undefined => {
    const type = schema.getType(name);
    return type && isCompositeType(type) ? type : undefined;
  };

  /** adds a child's totals: its cost `times` over (the list it is in), its depth one level down for a field */
  const add = (into: Totals, t: Totals, times: number, depthOffset: number) => {
    into.depth = Math.max(into.depth, t.depth + depthOffset);
    into.cost += t.cost * times;
    into.pageCost += t.pageCost * times;
    into.introspectionCost += t.introspectionCost * times;
    into.aliases += t.aliases;
    into.directives += t.directives;
  };
  const select = (into: Totals, key: string, times: number) => {
    const n = (into.keys.get(key) ?? 0) + times;
    into.keys.set(key, n);
    if (n > limits.maxRepeatedFields) {
      throw new OperationRefused('TOO_MANY_REPEATED_FIELDS', `The field "${key}" is selected more than ${limits.maxRepeatedFields} times in one selection set: select it once`);
    }
  };
  /** a fragment's fields at the level it is spread: they join that level's fields */
  const merge = (into: Totals, t: Totals) => {
    into.fields += t.fields;
    for (const [key, n] of t.keys) select(into, key, n);
  };

  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType | undefined, at: Place): Totals => {
    const totals = zero();
    for (const sel of set.selections) {
      result.visited += 1;
      totals.directives += sel.directives?.length ?? 0;
      if (sel.kind === Kind.FIELD) {
        totals.fields += 1;
        select(totals, sel.alias?.value ?? sel.name.value, 1);
        if (sel.alias) totals.aliases += 1;
        const name = sel.name.value;
        const field = fieldDef(parent, name);
        // introspection is answered by the gateway from the schema: its own budget
        if (isIntrospectionType(parent) || name === '__schema' || name === '__type') totals.introspectionCost += 1;
        else totals.cost += 1;
        // the field itself counts before what is below it: a fan-out stops where its cost passes the limit
        check(at, totals);
        const first = firstOf(field, sel);
        if (sel.selectionSet) {
          const named = field ? getNamedType(field.type) : undefined;
          const type = named && isCompositeType(named) ? named : undefined;
          const list = field ? isListType(getNullableType(field.type)) : false;
          const down = at.depth + 1;
          if (type && !list && model.connections.has(type.name)) {
            // a connection: its own fields (totalCount, pageInfo) once, its page (edges, nodes) `first` times
            const page = first ?? DEFAULT_PAGE_SIZE;
            const child = walk(sel.selectionSet, type, { depth: down, multiplier: at.multiplier, page });
            add(totals, { ...child, cost: child.cost + child.pageCost * page, pageCost: 0 }, 1, 1);
          } else if (list && parent && model.connections.has(parent.name)) {
            // the page of a connection: per item, the connection field multiplies it by its `first`
            const child = walk(sel.selectionSet, type, { depth: down, multiplier: at.multiplier * (at.page ?? DEFAULT_PAGE_SIZE) });
            add(totals, { ...child, cost: 0, pageCost: child.cost }, 1, 1);
          } else {
            const size = first ?? (list ? model.listSizes.get(`${parent?.name}.${field!.name}`) ?? UNPAGED_LIST_ESTIMATE : 1);
            const child = walk(sel.selectionSet, type, { depth: down, multiplier: at.multiplier * size });
            add(totals, child, size, 1);
          }
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const child = walk(sel.selectionSet, sel.typeCondition ? compositeType(sel.typeCondition.name.value) : parent, at);
        add(totals, child, 1, 0);
        merge(totals, child);
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (!fragment || inProgress.has(name)) continue; // unknown or cyclic: a validation error
        let measured = memo.get(name);
        if (!measured) {
          inProgress.add(name);
          measured = walk(fragment.selectionSet, compositeType(fragment.typeCondition.name.value), at);
          measured.directives += fragment.directives?.length ?? 0;
          inProgress.delete(name);
          memo.set(name, measured);
        }
        add(totals, measured, 1, 0);
        merge(totals, measured);
      }
      check(at, totals);
    }
    return totals;
  };

  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  const start: Place = { depth: 0, multiplier: 1 };
  const totals = walk(operation.selectionSet, root ?? undefined, start);
  totals.directives += (operation.directives?.length ?? 0) + (operation.variableDefinitions ?? []).reduce((n, v) => n + (v.directives?.length ?? 0), 0);
  check(start, totals);
  return { ...result, depth: totals.depth, aliases: totals.aliases, rootFields: totals.fields, directives: totals.directives, cost: totals.cost, introspectionCost: totals.introspectionCost };
}

/** Parses and checks one request's operation text and variables; returns the document and what was measured. */
/**
 * Documents parsed lately, by their text and token limit: a client sends the same few operations again and again, and
 * parsing them (with the checks of string literals) is most of what the guard costs. Apollo keeps its own parsed and
 * validated copy the same way (its document store), so neither parses a known text a second time.
 */
const parsedDocuments = new LRUCache<string, DocumentNode>({ max: 1_000, maxSize: 8 * 1024 * 1024, sizeCalculation: (_doc, key) => key.length || 1 });

export function checkOperation(schema: GraphQLSchema, request: { query: string; variables?: Record<string, unknown>; operationName?: string }, limits: Limits): { document: DocumentNode; measured: Measured } {
  const key = `${limits.maxTokens}:${request.query}`;
  let document = parsedDocuments.get(key);
  if (!document) parsedDocuments.set(key, (document = parseOperation(request.query, limits)));
  checkVariables(request.variables);
  return { document, measured: measureDocument(schema, document, request.variables, request.operationName, limits) };
}

/**
 * Keeps the API schema Apollo serves (the supergraph's, without federation internals) for the guard, which checks
 * operations before Apollo sees them.
 */
export function apiSchemaRecorder(): { plugin: ApolloServerPlugin; current(): GraphQLSchema | undefined } {
  let schema: GraphQLSchema | undefined;
  return {
    current: () => schema,
    plugin: {
      async serverWillStart() {
        return { schemaDidLoadOrUpdate({ apiSchema }) { schema = apiSchema; } };
      },
    },
  };
}
