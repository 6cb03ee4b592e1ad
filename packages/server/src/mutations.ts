/**
 * What every day-to-day mutation of the programme subgraphs goes through: the caller check (one place), then the
 * idempotency key, then the change, all in one transaction. A replay of a key with the same input changes nothing
 * and returns the first result; the same key with another input is IDEMPOTENCY_KEY_REUSED.
 */
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { rows, sql, type Db } from '@ansinh/db';
import { badInput } from './errors.js';
import { callerSeesEverywhere, forbidden, type Caller } from './identity.js';

/**
 * The single place where the caller of a mutation is checked: the operation (e.g. `credit.disburseLoan`) and the
 * area of the record it touches (unit ids, province first, as stored in the record's `area` column).
 * Authorization: the caller's role and area (from the request context). It runs inside the mutation's
 * transaction, before anything is written or replayed.
 */
export async function checkCaller(context: unknown, operation: string, area: string[]): Promise<void> {
  const caller = (context as { caller?: Caller }).caller;
  if (!caller) throw new GraphQLError('Sign in to change records', { extensions: { code: 'UNAUTHENTICATED' } });
  const programme = operation.split('.')[0]!;
  // who may change programme records (docs/security.md): ADMIN, the programme's own officers, ward officers
  const writers = ['ADMIN', 'WARD_OFFICER', `${programme.toUpperCase()}_OFFICER`];
  if (!writers.includes(caller.role)) throw forbidden(`A ${caller.role} may not change ${programme} records`);
  if (callerSeesEverywhere(caller)) return;
  // the record must lie in the caller's area: one of its units has a code the token lists
  const codes = new Set(caller.units);
  if (!area.some((unitId) => codes.has(unitId.split('@')[0]!))) throw forbidden(`This ${programme} record is outside your area`);
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface IdempotentOptions<T> {
  /** the client-supplied key */
  key: string;
  /** e.g. `credit.disburseLoan` */
  operation: string;
  /** the mutation's input without the key: a replay must send the same */
  input: unknown;
  /** the request context (who is calling: issue 5) */
  context: unknown;
  /** the area of the record the mutation touches; may throw BAD_USER_INPUT (unknown record) */
  area: (tx: Db<any>) => Promise<string[]>;
  /** the change; its result must be JSON (rows of the subgraph's tables) */
  run: (tx: Db<any>) => Promise<T>;
}

export async function runIdempotent<T>(db: Db<any>, pgSchema: string, o: IdempotentOptions<T>): Promise<{ result: T; replayed: boolean }> {
  const key = o.key.trim();
  if (key.length < 8 || key.length > 200) {
    throw badInput(`"idempotencyKey" must be 8 to 200 characters (a UUID the client makes for this change), got ${JSON.stringify(o.key)}`, 'idempotencyKey');
  }
  const hash = createHash('sha256').update(`${o.operation}\n${stable(o.input)}`).digest('hex');
  const table = sql.raw(`"${pgSchema}"."idempotency_keys"`);
  return db.transaction(async (tx) => {
    await checkCaller(o.context, o.operation, await o.area(tx));
    const inserted = await rows<{ key: string }>(tx, sql`insert into ${table} (key, operation, input_hash) values (${key}, ${o.operation}, ${hash})
      on conflict (key) do nothing returning key`);
    if (inserted.length === 0) {
      const [first] = await rows<{ operation: string; input_hash: string; result: T }>(tx, sql`select operation, input_hash, result from ${table} where key = ${key}`);
      if (!first || first.operation !== o.operation || first.input_hash !== hash) {
        throw new GraphQLError(`The idempotency key "${key}" was already used for a different change${first && first.operation !== o.operation ? ` (${first.operation})` : ''}; use a new key for a new change`, {
          extensions: { code: 'IDEMPOTENCY_KEY_REUSED', argument: 'idempotencyKey' },
        });
      }
      return { result: (typeof first.result === 'string' ? JSON.parse(first.result) : first.result) as T, replayed: true };
    }
    const result = await o.run(tx);
    await tx.execute(sql`update ${table} set result = ${JSON.stringify(result)}::jsonb where key = ${key}`);
    return { result, replayed: false };
  });
}

/** The unit in force on a date with a code, from the subgraph's `area_units`; BAD_USER_INPUT when there is none. */
export async function unitInForce(db: Db<any>, pgSchema: string, code: string, on: string, argument = 'unitCode'): Promise<{ id: string; area: string[] }> {
  const table = sql.raw(`"${pgSchema}"."area_units"`);
  const [unit] = await rows<{ id: string; area: string[] }>(db, sql`select id, area from ${table}
    where code = ${code.trim()} and (valid_from is null or valid_from <= ${on}) and (valid_to is null or valid_to > ${on})
    order by valid_from desc nulls last limit 1`);
  if (!unit) throw badInput(`No administrative unit with the code "${code}" was in force on ${on}`, argument);
  return unit;
}

/** The area of a ward (its id and its ancestors'), for a new record; BAD_USER_INPUT when the unit is unknown. */
export async function areaOfUnit(db: Db<any>, pgSchema: string, unitId: string, argument: string): Promise<string[]> {
  const table = sql.raw(`"${pgSchema}"."area_units"`);
  const [unit] = await rows<{ area: string[] }>(db, sql`select area from ${table} where id = ${unitId}`);
  if (!unit) throw badInput(`"${argument}" is not the id of an administrative unit: "${unitId}" (ids look like "27373@origin")`, argument);
  return unit.area;
}
