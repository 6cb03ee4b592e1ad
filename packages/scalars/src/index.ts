/**
 * The scalars every subgraph shares (DESIGN.md, Conventions). Each subgraph declares them in its own
 * schema.graphql (`scalar VND`, `scalar Date`) and maps them to these implementations.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Whole Vietnamese đồng. Stored as bigint in SQL; sent as a JSON number (never a fraction, never negative). */
export function toVnd(value: unknown): number {
  let n: number;
  if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = Number(value);
  else throw badInput(`VND must be a whole number of đồng, got ${JSON.stringify(String(value))}`);
  if (!Number.isInteger(n)) throw badInput(`VND must be a whole number of đồng, got ${n}`);
  if (!Number.isSafeInteger(n)) throw badInput(`VND amount ${String(value)} is too large to send exactly as a JSON number`);
  if (n < 0) throw badInput(`VND amount must not be negative, got ${n}`);
  return n;
}

export const VND = new GraphQLScalarType({
  name: 'VND',
  description: 'An amount of Vietnamese đồng (whole đồng, never negative), sent as a JSON number.',
  serialize: toVnd,
  parseValue: (value) => {
    if (typeof value !== 'number') throw badInput(`VND must be a JSON number, got ${JSON.stringify(value)}`);
    return toVnd(value);
  },
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind === Kind.INT) return toVnd(ast.value);
    if (ast.kind === Kind.FLOAT) throw badInput(`VND must be a whole number of đồng, got ${ast.value}`);
    throw badInput(`VND must be a number, got a ${ast.kind}`);
  },
});

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks that a string is a real calendar date in YYYY-MM-DD form and returns it unchanged. */
export function toIsoDate(value: unknown): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw badInput('Invalid date');
    return value.toISOString().slice(0, 10);
  }
  if (typeof value !== 'string') throw badInput(`Date must be a string YYYY-MM-DD, got ${JSON.stringify(value)}`);
  const m = ISO_DATE.exec(value);
  if (!m) throw badInput(`Date must be YYYY-MM-DD, got "${value}"`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
    throw badInput(`"${value}" is not a calendar date`);
  }
  return value;
}

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'A calendar date, ISO 8601 (YYYY-MM-DD).',
  serialize: toIsoDate,
  parseValue: toIsoDate,
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind !== Kind.STRING) throw badInput(`Date must be a string YYYY-MM-DD, got a ${ast.kind}`);
    return toIsoDate(ast.value);
  },
});

/** Resolver map entries for the shared scalars. */
export const scalarResolvers = { VND, Date: DateScalar };

/** Today's date (UTC) as YYYY-MM-DD. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
