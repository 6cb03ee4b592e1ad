/**
 * Operation limits, checked before anything executes: tokens (graphql-js `parse` with `maxTokens`), depth,
 * aliases, root fields, directives, `first`, and an estimated cost. Each refusal is a 400 with its own code.
 */
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { HttpError } from '@ansinh/server';

export interface Limits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  /** largest `first` of any list argument (the subgraphs page at most this many) */
  maxFirst: number;
  /** estimated cost: each field 1, times the page size of the lists it is inside */
  maxCost: number;
  /** request body, bytes */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxTokens: 5_000,
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 15,
  maxDirectives: 20,
  maxFirst: 100,
  maxCost: 20_000,
  maxBodyBytes: 1_000_000,
};

/** Limits from the environment: ANSINH_MAX_DEPTH, ANSINH_MAX_ALIASES, … (see docs/security.md). */
export function limitsFromEnv(base: Limits = DEFAULT_LIMITS): Limits {
  const env = (name: string, fallback: number) => {
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
    maxFirst: env('ANSINH_MAX_FIRST', base.maxFirst),
    maxCost: env('ANSINH_MAX_COST', base.maxCost),
    maxBodyBytes: env('ANSINH_MAX_BODY_BYTES', base.maxBodyBytes),
  };
}

const refuse = (code: string, message: string) => new HttpError(400, code, message);

/** List fields without `first` are counted as this many items (members of a household, loans, cards…). */
const UNPAGED_LIST_ESTIMATE = 5;
/** Fields named like lists that are not (or whose size the page already counted: a connection's edges). */
const NOT_LISTS = /^(edges|nodes|pageInfo|accessLog)$|Summary$|Coverage$|Statistics$|Status$/;
const DEFAULT_FIRST = 20;

export interface Measured {
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
  cost: number;
}

/** Parses and checks one operation; returns the document and what was measured, or throws a 400 HttpError. */
export function checkOperation(query: string, variables: Record<string, unknown> | undefined, operationName: string | undefined, limits: Limits): { document: DocumentNode; measured: Measured } {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens, noLocation: true });
  } catch (error) {
    const message = (error as Error).message;
    // graphql-js says "Document contains more that N tokens"
    if (/contains more th\w+ \d+ tokens/i.test(message)) throw refuse('TOO_MANY_TOKENS', `The operation has more than ${limits.maxTokens} tokens`);
    throw refuse('GRAPHQL_PARSE_FAILED', message);
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
  }
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  // an unknown or missing operation name: let GraphQL itself say so
  if (!operation) return { document, measured: { depth: 0, aliases: 0, rootFields: 0, directives: 0, cost: 0 } };

  let aliases = 0;
  let directives = operation.directives?.length ?? 0;
  const firstOf = (value: ValueNode | undefined): number | undefined => {
    if (!value) return undefined;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const v = variables?.[value.name.value];
      if (typeof v === 'number') return v;
      const def = operation.variableDefinitions?.find((d) => d.variable.name.value === value.name.value)?.defaultValue;
      return def?.kind === Kind.INT ? Number(def.value) : undefined;
    }
    return undefined;
  };
  // depth and cost of a selection set; fragments are followed (a fragment cycle is a validation error later)
  const walk = (set: SelectionSetNode, depth: number, multiplier: number, seen: Set<string>): { depth: number; cost: number } => {
    let deepest = depth;
    let cost = 0;
    for (const sel of set.selections) {
      directives += sel.directives?.length ?? 0;
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) aliases += 1;
        let inner = multiplier;
        const firstArg = sel.arguments?.find((a) => a.name.value === 'first');
        if (firstArg) {
          const first = firstOf(firstArg.value);
          if (first !== undefined && (first < 1 || first > limits.maxFirst)) {
            throw new HttpError(400, 'BAD_USER_INPUT', `"first" must be between 1 and ${limits.maxFirst}, got ${first}`);
          }
          inner = multiplier * (first ?? DEFAULT_FIRST);
        } else if (sel.selectionSet && /s$/.test(sel.name.value) && !NOT_LISTS.test(sel.name.value)) {
          inner = multiplier * UNPAGED_LIST_ESTIMATE;
        }
        cost += multiplier;
        if (sel.selectionSet) {
          const sub = walk(sel.selectionSet, depth + 1, inner, seen);
          deepest = Math.max(deepest, sub.depth);
          cost += sub.cost;
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const sub = walk(sel.selectionSet, depth, multiplier, seen);
        deepest = Math.max(deepest, sub.depth);
        cost += sub.cost;
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        const sub = walk(fragment.selectionSet, depth, multiplier, new Set([...seen, name]));
        directives += fragment.directives?.length ?? 0;
        deepest = Math.max(deepest, sub.depth);
        cost += sub.cost;
      }
      if (aliases > limits.maxAliases) throw refuse('TOO_MANY_ALIASES', `The operation uses more than ${limits.maxAliases} aliases`);
      if (directives > limits.maxDirectives) throw refuse('TOO_MANY_DIRECTIVES', `The operation uses more than ${limits.maxDirectives} directives`);
      if (deepest > limits.maxDepth) throw refuse('QUERY_TOO_DEEP', `The operation is nested deeper than ${limits.maxDepth} levels`);
    }
    return { depth: deepest, cost };
  };
  const rootFields = operation.selectionSet.selections.length;
  if (rootFields > limits.maxRootFields) throw refuse('TOO_MANY_ROOT_FIELDS', `The operation asks for more than ${limits.maxRootFields} root fields`);
  const { depth, cost } = walk(operation.selectionSet, 0, 1, new Set());
  if (cost > limits.maxCost) throw refuse('QUERY_TOO_COMPLEX', `The operation's estimated cost ${cost} is over the limit of ${limits.maxCost}`);
  return { document, measured: { depth, aliases, rootFields, directives, cost } };
}
