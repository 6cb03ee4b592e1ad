/**
 * Watching the SQL a subgraph sends, for metrics and tracing: the driver client handed to drizzle is wrapped so
 * each statement reports when it starts and ends (drizzle's Logger hook only says that a statement starts). The
 * hook sees the statement text with its placeholders, never the parameters: those are row values.
 */
import { setMaxListeners } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';
import type postgres from 'postgres';
import { currentRequestScope, StatementCancelledError } from './cancel.js';

/** Called when a statement is sent; the function it returns is called when the statement has ended (or failed). */
export type StatementObserver = (statement: string) => (error?: unknown) => void;

/** How many of a connection's pooled connections are in use (statements running, transactions open). */
export interface PoolStats {
  max: number;
  busy: number;
}

const stats = new WeakMap<object, PoolStats>();

/** The pool use of a driver client (PGlite: one connection; postgres.js: `max`). */
export function poolStats(client: object, max: number): PoolStats {
  let s = stats.get(client);
  if (!s) stats.set(client, (s = { max, busy: 0 }));
  return s;
}

function settle<T>(result: T, done: (error?: unknown) => void): T {
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    // postgres.js queries are lazy thenables that run on a later tick: listening does not change what they do
    (result as unknown as PromiseLike<unknown>).then(() => done(), (error) => done(error));
  } else done();
  return result;
}

function track(pool: PoolStats, observe: StatementObserver | undefined, statement: string, inTransaction: boolean) {
  const end = observe?.(statement);
  if (!inTransaction) pool.busy += 1;
  return (error?: unknown) => {
    if (!inTransaction) pool.busy -= 1;
    end?.(error);
  };
}

/** Cancels a postgres.js query (running or waiting for a connection) when the request's signal fires. */
function cancelWith(query: postgres.PendingQuery<postgres.Row[]>, signal: AbortSignal, done: (error?: unknown) => void) {
  const cancel = () => { query.cancel(); };
  // one listener per statement in flight, removed when it ends: a report's small-cell tree runs dozens at once on
  // its request's signal, which is not the leak Node's warning at 10 listeners is there to catch
  setMaxListeners(0, signal);
  signal.addEventListener('abort', cancel, { once: true });
  return (error?: unknown) => {
    signal.removeEventListener('abort', cancel);
    done(error);
  };
}

/** A postgres.js client that reports every statement drizzle sends through it (`unsafe`, transactions, savepoints). */
export function observePostgres(sql: postgres.Sql, pool: PoolStats, observe?: StatementObserver, inTransaction = false): postgres.Sql {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop === 'unsafe') {
        return (query: string, ...rest: unknown[]) => {
          const request = currentRequestScope();
          // the request has ended: the statement is not worth sending
          if (request?.signal.aborted) return Promise.reject(new StatementCancelledError());
          const done = track(pool, observe, query, inTransaction);
          try {
            const pending = (target.unsafe as (...a: unknown[]) => postgres.PendingQuery<postgres.Row[]>)(query, ...rest);
            return settle(pending, request ? cancelWith(pending, request.signal, done) : done);
          } catch (error) {
            done(error);
            throw error;
          }
        };
      }
      if (prop === 'begin' || prop === 'savepoint') {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.Sql) => unknown;
          if (!inTransaction) pool.busy += 1; // a transaction holds one connection until it ends
          const result = ((target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop]!)(...args, (tx: postgres.Sql) => fn(observePostgres(tx, pool, observe, true)));
          return inTransaction ? result : result.finally(() => { pool.busy -= 1; });
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** A PGlite client that reports every statement drizzle sends through it (`query`, `exec`, transactions). */
export function observePglite(pglite: PGlite, pool: PoolStats, observe?: StatementObserver): PGlite {
  const wrapTx = (tx: object, inTransaction: boolean): object => new Proxy(tx, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'query' || prop === 'exec' || prop === 'sql') {
        return (query: string, ...rest: unknown[]) => {
          // PGlite cannot cancel a running statement; a request that has ended sends no further one
          if (currentRequestScope()?.signal.aborted) return Promise.reject(new StatementCancelledError());
          const done = track(pool, observe, typeof query === 'string' ? query : String(query), inTransaction);
          try {
            return settle(value.call(target, query, ...rest), done);
          } catch (error) {
            done(error);
            throw error;
          }
        };
      }
      if (prop === 'transaction') {
        return (fn: (tx: object) => unknown) => {
          if (!inTransaction) pool.busy += 1;
          const result = value.call(target, (tx: object) => fn(wrapTx(tx, true))) as Promise<unknown>;
          return inTransaction ? result : result.finally(() => { pool.busy -= 1; });
        };
      }
      return value.bind(target);
    },
  });
  return wrapTx(pglite, false) as PGlite;
}
