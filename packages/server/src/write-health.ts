/**
 * Writes that fail while the process runs (a full disk, a read-only file system or database): the error says so
 * (DATABASE_WRITE_FAILED with the cause) and `/ready` answers 503 "writes failing: <cause>" until a later write
 * succeeds. Reads may still work meanwhile, so the process stays up. One state per process: in the all-in-one
 * process the subgraphs share one database.
 */

/** SQLSTATEs (and file-system codes) meaning "the database cannot write now", in words. */
const WRITE_FAILURES: Record<string, string> = {
  '53100': 'the disk is full', '53000': 'the server is out of resources', '58030': 'input/output error',
  '25006': 'the database is read-only', ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only', EIO: 'input/output error',
};

/** The cause of a failed write in words with its code ("the disk is full (53100)"), or undefined for other errors. */
export function writeFailureCause(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 8; depth++) {
    if (typeof e.code === 'string' && WRITE_FAILURES[e.code]) return `${WRITE_FAILURES[e.code]} (${e.code})`;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return undefined;
}

let failing: { cause: string; since: string } | undefined;

export const writeHealth = {
  /** a write failed for `cause` */
  failed(cause: string): void {
    failing ??= { cause, since: new Date().toISOString() };
    failing.cause = cause;
  },
  /** a write succeeded: writes work again */
  succeeded(): void {
    failing = undefined;
  },
  /** "writes failing: <cause> (since <time>)", or undefined while writes work */
  problem(): string | undefined {
    return failing && `writes failing: ${failing.cause} (since ${failing.since})`;
  },
};
