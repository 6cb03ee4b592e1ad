/**
 * The request a statement is sent for, so that the statement stops when the request does. A server runs each
 * request's work inside `inRequestScope` with the request's signal (aborted when its deadline passes or its client
 * goes away); the driver wrappers (observe.ts) read it: a statement is not sent once the signal has fired, and a
 * statement running or queued for a pooled connection is cancelled when it fires (postgres.js `query.cancel()`,
 * which sends PostgreSQL a CancelRequest, SQLSTATE 57014). PGlite cannot cancel a running statement: there the
 * signal only stops the next one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  /** aborted when the request's deadline passes or its client disconnects */
  signal: AbortSignal;
  /** when the request stops being worth answering (epoch ms), if it has a deadline */
  deadline?: number;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` (and everything it starts) on behalf of a request. */
export function inRequestScope<T>(request: RequestScope, fn: () => T): T {
  return scope.run(request, fn);
}

/** The request the current code runs for, if any. */
export function currentRequestScope(): RequestScope | undefined {
  return scope.getStore();
}

/** PostgreSQL's code for a cancelled statement (query_canceled), also given to statements never sent. */
export const STATEMENT_CANCELLED = '57014';

export class StatementCancelledError extends Error {
  readonly code = STATEMENT_CANCELLED;
  constructor() {
    super('canceling statement: the request it was for has ended (deadline passed or client gone)');
  }
}

/** Whether an error (or one of its causes) is a statement cancelled for its request. */
export function isStatementCancelled(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 8; depth++) {
    if (e.code === STATEMENT_CANCELLED) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}
