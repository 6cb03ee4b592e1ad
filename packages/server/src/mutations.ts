/**
 * What every day-to-day mutation of the programme subgraphs goes through: the caller check (one place), then the
 * idempotency key, then the change, all in one transaction. A replay of a key with the same input changes nothing
 * and returns the first result; the same key with another input is IDEMPOTENCY_KEY_REUSED.
 */
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { rows, sql, type Db } from '@ansinh/db';
import { badInput, isUuid } from './errors.js';
import { householdInArea, type AreaIds } from './area.js';
import { callerSeesEverywhere, forbidden, type Caller } from './identity.js';

/** A record the caller may not see or that does not exist: the same answer for both (docs/security.md). */
export function notFound(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND', ...(argument ? { argument } : {}) } });
}

/**
 * The single place where the caller of a mutation is checked: who may change this programme's records (the role),
 * then the household the change touches, as stored: its unit now must lie in the caller's area. Runs inside the
 * mutation's transaction, before anything is written or replayed. Never trusts a unit the client sends.
 */
export async function checkCaller(tx: Db<any>, pgSchema: string, context: unknown, operation: string, householdId: string | null, missing: GraphQLError): Promise<string> {
  const ctx = context as { caller?: Caller; area?: AreaIds };
  const caller = ctx.caller;
  if (!caller) throw new GraphQLError('Sign in to change records', { extensions: { code: 'UNAUTHENTICATED' } });
  const programme = operation.split('.')[0]!;
  // who may change programme records (docs/security.md): ADMIN, the programme's own officers, ward officers
  const writers = ['ADMIN', 'WARD_OFFICER', `${programme.toUpperCase()}_OFFICER`];
  if (!writers.includes(caller.role)) throw forbidden(`A ${caller.role} may not change ${programme} records`);
  if (!householdId || !isUuid(householdId)) throw missing;
  const placed = await householdInArea(tx, pgSchema, ctx.area ?? (async () => (callerSeesEverywhere(caller) ? null : [])), householdId);
  // a household outside the area is answered exactly like one that does not exist
  if (!placed) throw missing;
  return placed.unitId;
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
  /** the request context: the caller and its area */
  context: unknown;
  /** the household the change touches, read from the stored record (or from the input for a new record); null when none */
  household: (tx: Db<any>) => Promise<string | null>;
  /** the error for a record that does not exist or lies outside the caller's area (the same for both) */
  missing: GraphQLError;
  /** the change, given the household's unit now; its result must be JSON (rows of the subgraph's tables) */
  run: (tx: Db<any>, unitId: string) => Promise<T>;
}

/**
 * For a mutation that creates a record of a household named by `householdId` in its input: that household, and the
 * NOT_FOUND it gets when absent or outside the caller's area (one answer for both).
 */
export function inputHousehold(householdId: string): Pick<IdempotentOptions<unknown>, 'household' | 'missing'> {
  return { household: async () => householdId, missing: notFound(`No household has the id "${householdId}"`, 'householdId') };
}

export async function runIdempotent<T>(db: Db<any>, pgSchema: string, o: IdempotentOptions<T>): Promise<{ result: T; replayed: boolean }> {
  const key = idempotencyKey(o.key);
  // the caller's area is read before the transaction: it is read through the request's own handle, and on PGlite
  // (one connection) a statement outside an open transaction waits for it to end, which would never come
  await (o.context as { area?: AreaIds }).area?.();
  return db.transaction(async (tx) => {
    const unitId = await checkCaller(tx, pgSchema, o.context, o.operation, await o.household(tx), o.missing);
    return withIdempotencyKey(tx, pgSchema, { key, operation: o.operation, input: o.input }, () => o.run(tx, unitId));
  });
}

/** Checks a client's idempotency key: 8 to 200 characters once trimmed. */
export function idempotencyKey(given: string): string {
  const key = given.trim();
  if (key.length < 8 || key.length > 200) {
    throw badInput(`"idempotencyKey" must be 8 to 200 characters (a UUID the client makes for this change), got ${JSON.stringify(given)}`, 'idempotencyKey');
  }
  return key;
}

export interface IdempotencyClaim {
  key: string;
  /** e.g. `households.recordAssessment` */
  operation: string;
  /** the mutation's input without the key */
  input: unknown;
}

const inputHash = (claim: IdempotencyClaim) => createHash('sha256').update(`${claim.operation}\n${stable(claim.input)}`).digest('hex');

function keyReused(claim: IdempotencyClaim, operation?: string): GraphQLError {
  return new GraphQLError(`The idempotency key "${claim.key}" was already used for a different change${operation && operation !== claim.operation ? ` (${operation})` : ''}; use a new key for a new change`, {
    extensions: { code: 'IDEMPOTENCY_KEY_REUSED', argument: 'idempotencyKey' },
  });
}

/**
 * The one idempotency mechanism of every mutation (each subgraph has its `idempotency_keys` table, see
 * `idempotencyTable`): inside the mutation's transaction, claim the key, run the change and store its result. A
 * concurrent call with the same key waits on the key's row (its insert conflicts once the first commits) and then
 * returns the stored result; the same key with another input is IDEMPOTENCY_KEY_REUSED. The result must be JSON.
 */
export async function withIdempotencyKey<T>(tx: Db<any>, pgSchema: string, claim: IdempotencyClaim, run: () => Promise<T>): Promise<{ result: T; replayed: boolean }> {
  const key = idempotencyKey(claim.key);
  const hash = inputHash(claim);
  const table = sql.raw(`"${pgSchema}"."idempotency_keys"`);
  const inserted = await rows<{ key: string }>(tx, sql`insert into ${table} (key, operation, input_hash) values (${key}, ${claim.operation}, ${hash})
    on conflict (key) do nothing returning key`);
  if (inserted.length === 0) {
    const [first] = await rows<{ operation: string; input_hash: string; result: T }>(tx, sql`select operation, input_hash, result from ${table} where key = ${key}`);
    if (!first || first.operation !== claim.operation || first.input_hash !== hash) throw keyReused({ ...claim, key }, first?.operation);
    return { result: (typeof first.result === 'string' ? JSON.parse(first.result) : first.result) as T, replayed: true };
  }
  const result = await run();
  await tx.execute(sql`update ${table} set result = ${JSON.stringify(result)}::jsonb where key = ${key}`);
  return { result, replayed: false };
}

/**
 * The stored result of a key already used, before the mutation checks its input against the current state (a
 * retried re-assignment would otherwise be refused as "already there"); undefined when the key is new. The caller's
 * role and area are checked before this, as for the change itself.
 */
export async function replayOf<T>(db: Db<any>, pgSchema: string, claim: IdempotencyClaim): Promise<T | undefined> {
  const key = idempotencyKey(claim.key);
  const table = sql.raw(`"${pgSchema}"."idempotency_keys"`);
  const [first] = await rows<{ operation: string; input_hash: string; result: T | string | null }>(db, sql`select operation, input_hash, result from ${table} where key = ${key}`);
  if (!first || first.result === null) return undefined;
  if (first.operation !== claim.operation || first.input_hash !== inputHash(claim)) throw keyReused({ ...claim, key }, first.operation);
  return (typeof first.result === 'string' ? JSON.parse(first.result) : first.result) as T;
}

/**
 * The unit a programme report is for: the unit with that code in force on the date, or else the most recent unit
 * with that code that came into force before it (an old ward after the reform still answers for the households not
 * yet re-assigned). BAD_USER_INPUT when there is none.
 */
export async function reportUnit(db: Db<any>, pgSchema: string, code: string, on: string, argument = 'unitCode'): Promise<{ id: string; code: string }> {
  const table = sql.raw(`"${pgSchema}"."units"`);
  const [unit] = await rows<{ id: string; code: string }>(db, sql`select id, code from ${table}
    where code = ${code.trim()} and (valid_from is null or valid_from <= ${on}::date)
    order by (valid_to is null or valid_to > ${on}::date) desc, valid_from desc nulls last limit 1`);
  if (!unit) throw badInput(`No administrative unit with the code "${code}" was in force on ${on}`, argument);
  return unit;
}
