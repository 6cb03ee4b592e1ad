/**
 * Database strings as GraphQL enums, mapped once at the database boundary. Columns are plain text (their values are
 * checked on the way in, by the import and the mutations); a subgraph's `src/db/enums.ts` declares one mapper per
 * enum, whose list of values the type checker holds to the generated enum type both ways (no value the schema
 * lacks, none of the schema's missing), so resolvers return typed values without casts, and a stored value the
 * schema does not know fails with its column's name instead of as a serialisation error deep in Apollo.
 */

/** `[T] extends [V]` without distributing: every member of T is among the listed values. */
type Exhaustive<T extends string, V extends readonly string[]> = [T] extends [V[number]] ? V : never;

export interface EnumMapper<T extends string> {
  (value: string): T;
  /** the values, in the schema's order */
  readonly values: readonly T[];
}

/**
 * `enumMapper<LoanProgramme>()('loans.programme', ['POOR_HOUSEHOLD', …])`: the generated union first (explicitly),
 * then the column it reads and every value.
 */
export function enumMapper<T extends string>() {
  return <const V extends readonly T[]>(column: string, values: Exhaustive<T, V>): EnumMapper<T> => {
    const known = new Set<string>(values);
    const map = (value: string): T => {
      if (!known.has(value)) throw new Error(`${column} holds "${value}", which is not one of ${values.join(', ')}`);
      return value as T;
    };
    return Object.assign(map, { values: values as readonly T[] });
  };
}

/** The same for a nullable column. */
export const orNull = <T extends string>(map: EnumMapper<T>) => (value: string | null): T | null => (value === null ? null : map(value));
