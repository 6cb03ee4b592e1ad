/**
 * Structured logs: pino, one JSON line per event on stdout. What a log line may hold is narrow on purpose: request
 * ids, operation names, the caller's subject and role, subgraph names, durations, outcomes, counts and error causes.
 * Never row values, names, national ids, card numbers, addresses or SQL parameters: an error is logged through
 * `safeError`, which keeps its type, codes and a redacted message and drops what drivers attach (postgres.js and
 * PGlite put `query`, `parameters` and `detail` on their errors; drizzle puts the parameters in the message).
 */
import { format } from 'node:util';
import pino, { type Logger } from 'pino';

type Sink = (line: string) => void;
const sinks = new Set<Sink>();

/** Writes to stdout (synchronous on files and pipes on Linux, so nothing is lost at exit) and to any test sink. */
const destination = {
  write(line: string) {
    process.stdout.write(line);
    for (const sink of sinks) sink(line);
  },
};

/** The process's logger. LOG_LEVEL: trace, debug, info (default), warn, error, fatal, silent. */
export const log: Logger = pino({
  level: process.env.LOG_LEVEL || 'info',
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  serializers: { err: safeError, error: safeError },
  // belt and braces: fields that carry row values never leave the process, wherever a caller put them
  redact: {
    paths: ['query', 'parameters', 'params', 'args', 'detail', 'where', 'variables', 'headers.authorization', 'headers["x-ansinh-caller"]',
      '*.parameters', '*.params', '*.detail', '*.variables', '*.query'],
    censor: '[redacted]',
  },
}, destination);

/** Also hands every log line to `sink` (tests read the logs of their own process); returns the function that stops it. */
export function captureLogs(sink: Sink): () => void {
  sinks.add(sink);
  return () => sinks.delete(sink);
}

// ---- errors without personal data ------------------------------------------------------------------------

export interface SafeError {
  type: string;
  message: string;
  /** SQLSTATE (PostgreSQL), a Node error code (ECONNREFUSED) or a GraphQL error code */
  code?: string;
  severity?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  routine?: string;
  stack?: string;
  cause?: SafeError;
}

/**
 * A message with what might be a value taken out: quoted text ("…", '…'), `Key (col)=(value)` pairs, long digit
 * runs (national ids, card and phone numbers) and anything after drizzle's "params:".
 */
export function redactMessage(message: string): string {
  return message
    .replace(/\nparams:[\s\S]*$/, '\nparams: [redacted]')
    .replace(/\)=\([^)]*\)/g, ')=(…)')
    .replace(/"[^"\n]*"/g, '"…"')
    .replace(/'[^'\n]*'/g, "'…'")
    .replace(/[A-Za-z]{0,4}\d{6,}[A-Za-z0-9]*/g, '#…')
    .slice(0, 1_000);
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** What may be logged of an error: type, codes, names of the schema objects involved, a redacted message, the stack frames. */
export function safeError(error: unknown, depth = 0): SafeError {
  if (error === null || typeof error !== 'object') return { type: typeof error, message: redactMessage(String(error)) };
  const e = error as Record<string, unknown> & { message?: unknown; name?: unknown; stack?: unknown; cause?: unknown; originalError?: unknown };
  const type = str(e.constructor?.name) ?? str(e.name) ?? 'Error';
  let message = typeof e.message === 'string' ? e.message : '';
  // drizzle: "Failed query: <sql>\nparams: <every value>" — the statement is kept (placeholders only), the values dropped
  if (message.startsWith('Failed query:')) message = message.split('\n')[0]!.slice(0, 300);
  const out: SafeError = { type, message: redactMessage(message) };
  const code = e.code ?? (e.extensions as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' || typeof code === 'number') out.code = String(code);
  out.severity = str(e.severity);
  out.schema = str(e.schema_name) ?? str(e.schema);
  out.table = str(e.table_name) ?? str(e.table);
  out.column = str(e.column_name) ?? str(e.column);
  out.constraint = str(e.constraint_name) ?? str(e.constraint);
  out.routine = str(e.routine);
  if (typeof e.stack === 'string') {
    // the frames only: the first line repeats the unredacted message
    out.stack = e.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 12).join('\n');
  }
  const cause = e.originalError ?? e.cause;
  if (cause && depth < 5) out.cause = safeError(cause, depth + 1);
  for (const key of Object.keys(out) as (keyof SafeError)[]) if (out[key] === undefined) delete out[key];
  return out;
}

/** The deepest cause's message, redacted: what a person reads first ("the database is not accepting connections"). */
export function rootCause(error: unknown): string {
  let e = safeError(error);
  while (e.cause) e = e.cause;
  return e.message || e.type;
}

// ---- console.* through the logger -------------------------------------------------------------------------

let routed = false;

/**
 * Sends console.log/info/warn/error/debug of this process (ours and libraries') to the logger as JSON lines, with
 * the service's name on each. Errors among the arguments go through `safeError`. Server entry points call it once.
 */
export function routeConsoleToLog(service: string): void {
  if (routed) return;
  routed = true;
  const logger = log.child({ service });
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const errors = args.filter((a): a is Error => a instanceof Error);
    const text = args.filter((a) => !(a instanceof Error)).map((a) => (typeof a === 'string' ? a : format('%o', a)));
    const msg = (text.join(' ') || errors.map((e) => redactMessage(e.message)).join('; ')).trim();
    if (errors.length) logger[level]({ err: errors[0] }, errors.length > 1 || text.length ? msg : redactMessage(msg));
    else logger[level](msg);
  };
  console.log = line('info');
  console.info = line('info');
  console.warn = line('warn');
  console.error = line('error');
  console.debug = line('debug');
}
