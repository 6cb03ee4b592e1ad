/**
 * What every subgraph's bulk import (`src/import/` in each subgraph) shares: the report types, the caller, and
 * typed reading of CSV records (each subgraph parses its own files with csv-parse and hands the records here).
 * Every bad cell becomes an issue with file, line, column, value and reason; nothing stops at the first one.
 */
import { sql } from 'drizzle-orm';
import { bulkSummaryWrites, rows as rows_ } from '@ansinh/db';

/** One bad value: where it is and why it is refused. `line` counts the header as line 1. */
export interface ImportIssue {
  file: string;
  line: number;
  column: string;
  value: string;
  reason: string;
}

/** What an import did (or, in a dry run, would do) to one kind of record. */
export interface ImportCounts {
  added: number;
  changed: number;
  unchanged: number;
}

/**
 * Who imports: `units` are the unit codes of the caller's token (null: everywhere). The households importer turns
 * them into the area's unit ids (packages/db callerAreaCte), as the API does; rows must fall inside.
 */
export interface ImportCaller {
  sub: string;
  role: string;
  units: string[] | null;
}

export type Progress = (message: string) => void;

type Db = import('@ansinh/db').Db<any>;

/** A record as csv-parse gives it with `info: true` (the line number is where the record ends). */
export interface CsvRecord {
  record: string[];
  info: { lines: number };
}

/** The csv-parse options every importer uses: header handled here, BOM dropped, ragged rows reported, not thrown. */
export const CSV_OPTIONS = { bom: true, info: true, relax_column_count: true, skip_empty_lines: true } as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
export type CellParser<T> = (text: string) => Parsed<T>;

export interface Column<T = unknown> {
  name: string;
  /** an empty cell of an optional column is null */
  optional?: boolean;
  parse: CellParser<T>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const no = (reason: string): Parsed<never> => ({ ok: false, reason });

export const cell = {
  text(maxLength = 200): CellParser<string> {
    return (t) => (t.length > maxLength ? no(`longer than ${maxLength} characters`) : ok(t.normalize('NFC')));
  },
  code(pattern = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,39}$/): CellParser<string> {
    return (t) => (pattern.test(t) ? ok(t) : no(`not a code (letters, digits, "-", "." or "/", at most 40 characters)`));
  },
  pattern(pattern: RegExp, what: string): CellParser<string> {
    return (t) => (pattern.test(t) ? ok(t) : no(`not ${what}`));
  },
  /** A calendar date written YYYY-MM-DD, not after today. */
  date(options: { future?: boolean } = {}): CellParser<string> {
    return (t) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(t)) return no('not a date written YYYY-MM-DD');
      const d = new Date(`${t}T00:00:00Z`);
      if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== t) return no('not a calendar date');
      if (!options.future && t > new Date().toISOString().slice(0, 10)) return no('is in the future');
      return ok(t);
    };
  },
  int(min: number, max: number): CellParser<number> {
    return (t) => {
      if (!/^-?\d+$/.test(t)) return no('not a whole number (digits only, no separators)');
      const n = Number(t);
      if (!Number.isSafeInteger(n) || n < min || n > max) return no(`must be between ${min} and ${max}`);
      return ok(n);
    };
  },
  /** Whole VND, no separators, not negative. */
  money(): CellParser<number> {
    return (t) => {
      if (!/^\d+$/.test(t)) return no('not an amount in whole VND (digits only, no separators or decimals)');
      const n = Number(t);
      return Number.isSafeInteger(n) ? ok(n) : no('too large');
    };
  },
  oneOf<T extends string>(values: readonly T[]): CellParser<T> {
    return (t) => ((values as readonly string[]).includes(t) ? ok(t as T) : no(`must be one of ${values.join(', ')}`));
  },
  /** Values separated by ";" (an empty cell is an empty list), each checked, no repeats. */
  list<T>(item: CellParser<T>): CellParser<T[]> {
    return (t) => {
      if (t === '') return ok([]);
      const out: T[] = [];
      for (const part of t.split(';').map((p) => p.trim())) {
        const r = item(part);
        if (!r.ok) return no(`"${part}": ${r.reason}`);
        if (out.includes(r.value)) return no(`"${part}" is listed twice`);
        out.push(r.value);
      }
      return ok(out);
    };
  },
};

/** A typed row with the line it came from, and the text of its cells as written (for reports). */
export class Row<T> {
  constructor(readonly line: number, readonly value: T, private readonly cells: string[], private readonly index: Map<string, number>) {}
  /** the cell of a column as written in the file */
  text(column: string): string {
    const i = this.index.get(column);
    return i === undefined ? '' : (this.cells[i] ?? '').trim();
  }
}

/**
 * Reads one CSV file in chunks: checks the header (every required column present, none unknown; optional columns
 * may be left out), then every row's cells; rows with a bad cell are reported and left out, and the good rows are
 * handed to `onChunk` `size` at a time, so that a file of any length is read in bounded memory.
 */
export async function readChunks<T>(
  records: AsyncIterable<CsvRecord>,
  file: string,
  columns: Column[],
  issues: ImportIssue[],
  size: number,
  onChunk: (rows: Row<T>[]) => Promise<void>,
  progress?: Progress,
): Promise<void> {
  let rows: Row<T>[] = [];
  let header: string[] | undefined;
  // read-ahead: the next chunk is parsed and checked while the last one is written (at most two chunks in memory);
  // chunks are still handed over one at a time, in order
  let writing: Promise<void> | undefined;
  let failed: { error: unknown } | undefined;
  const hand = async (chunk: Row<T>[]) => {
    if (writing) await writing;
    if (failed) throw failed.error;
    writing = onChunk(chunk).catch((error) => { failed = { error }; });
  };
  let index: number[] = [];
  let positions = new Map<string, number>();
  let count = 0;
  try {
    for await (const { record, info } of records) {
      if (!header) {
        header = record.map((h) => h.trim());
        const problems = issues.length;
        // an optional column may be left out of the header: its cells are then empty
        for (const c of columns) if (!c.optional && !header.includes(c.name)) issues.push({ file, line: 1, column: c.name, value: '', reason: 'column missing from the header' });
        for (const h of header) if (!columns.some((c) => c.name === h)) issues.push({ file, line: 1, column: h, value: h, reason: `unknown column (expected ${columns.map((c) => c.name).join(', ')})` });
        if (issues.length > problems) return; // a wrong header makes every row unreadable: reported once
        index = columns.map((c) => header!.indexOf(c.name));
        positions = new Map(columns.map((c, i) => [c.name, index[i]!]));
        continue;
      }
      const line = info.lines;
      count += 1;
      if (progress && count % 100_000 === 0) progress(`${file}: read ${count.toLocaleString('en')} rows`);
      if (record.length !== header.length) {
        issues.push({ file, line, column: '', value: record.join(','), reason: `has ${record.length} cells, the header has ${header.length}` });
        continue;
      }
      const value: Record<string, unknown> = {};
      let bad = false;
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i]!;
        const text = index[i]! < 0 ? '' : (record[index[i]!] ?? '').trim();
        if (text === '') {
          if (c.optional) { value[c.name] = null; continue; }
          issues.push({ file, line, column: c.name, value: text, reason: 'required' });
          bad = true;
          continue;
        }
        const parsed = c.parse(text);
        if (parsed.ok) value[c.name] = parsed.value;
        else {
          issues.push({ file, line, column: c.name, value: text, reason: parsed.reason });
          bad = true;
        }
      }
      if (!bad) rows.push(new Row(line, value as T, record, positions));
      if (rows.length >= size) {
        const chunk = rows;
        rows = [];
        await hand(chunk);
      }
    }
  } catch (error) {
    // a file that cannot be read further: the chunk being written finishes first (no statement outlives the transaction)
    if (writing) await writing;
    throw error;
  }
  if (!header) issues.push({ file, line: 1, column: '', value: '', reason: 'the file is empty (a header row is required)' });
  if (rows.length) await hand(rows);
  if (writing) await writing;
  if (failed) throw failed.error;
}

/** Reads a whole (small) CSV file: `readChunks` into one list of good rows. */
export async function readRows<T>(records: AsyncIterable<CsvRecord>, file: string, columns: Column[], issues: ImportIssue[], progress?: Progress): Promise<Row<T>[]> {
  const out: Row<T>[] = [];
  await readChunks<T>(records, file, columns, issues, 10_000, async (rows) => { out.push(...rows); }, progress);
  return out;
}

/** Reports rows whose key appears on an earlier line of the same file. Returns the rows that are first of their key. */
export function firstOfKey<T>(rows: Row<T>[], key: (row: T) => string, file: string, column: string, issues: ImportIssue[]): Row<T>[] {
  const seen = new Map<string, number>();
  const out: Row<T>[] = [];
  for (const row of rows) {
    const k = key(row.value);
    const first = seen.get(k);
    if (first !== undefined) {
      issues.push({ file, line: row.line, column, value: row.text(column) || k, reason: `duplicate of line ${first} (same ${column})` });
      continue;
    }
    seen.set(k, row.line);
    out.push(row);
  }
  return out;
}

export function emptyCounts(): ImportCounts {
  return { added: 0, changed: 0, unchanged: 0 };
}

/** Splits a list for `= any($1)` look-ups and batched writes. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * What the households subgraph tells the other importers about a household code: its id (existing or the one this
 * import gave it), its ward and its members by position. A household
 * outside the caller's area is never handed out: to the caller it does not exist.
 */
export interface HouseholdRef {
  id: string;
  /** the household's ward (unit id) */
  unitId: string;
  members: Map<number, string>;
}

/**
 * Whether a stored row already holds what an import row would write: every field of `next` equal to the stored one
 * (bigint columns may come back as strings; arrays compare by value). Fields the import does not set are ignored.
 */
export function sameFields(old: object, next: object): boolean {
  const o = old as Record<string, unknown>;
  return Object.entries(next).every(([key, value]) => {
    const stored = o[key];
    if (typeof value === 'number') return Number(stored) === value;
    return JSON.stringify(stored ?? null) === JSON.stringify(value ?? null);
  });
}

/**
 * The keys an import has seen, in a temporary table of the import's transaction (dropped at its end), so that a
 * repeated key is found at any size without holding every key in memory. A scope is one kind of key: a file's own
 * (`kind:file`) when only repeats within a file are refused, or a kind's across files.
 */
export class KeyLedger {
  private ready = false;
  constructor(private readonly tx: Db) {}

  /**
   * Leaves out, and reports, the rows whose key was seen before in `scope` (earlier in this chunk or in an earlier
   * one): on an earlier line of the same file, "duplicate of line N"; or what `reason` says of the earlier row
   * (undefined: the default, which names the other file and line).
   * Returns the rows that are first of their key; their keys are recorded.
   */
  async firstOfKey<T>(scope: string, rows: Row<T>[], key: (row: T) => string, file: string, column: string, issues: ImportIssue[], reason?: (earlier: { file: string; line: number }, key: string) => string | undefined): Promise<Row<T>[]> {
    if (!rows.length) return rows;
    if (!this.ready) {
      await this.tx.execute(sql`create temporary table if not exists pg_temp.import_keys (scope text not null, k text not null, file text not null, line int not null, primary key (scope, k)) on commit drop`);
      this.ready = true;
    }
    const keys = rows.map((r) => key(r.value));
    const earlier = new Map((await rows_<{ k: string; file: string; line: number }>(this.tx, sql`
      select k, file, line from pg_temp.import_keys where scope = ${scope} and k = any(array(select json_array_elements_text(${JSON.stringify([...new Set(keys)])}::json)))`))
      .map((r) => [r.k, r]));
    const out: Row<T>[] = [];
    const fresh: { k: string; line: number }[] = [];
    rows.forEach((row, i) => {
      const k = keys[i]!;
      const first = earlier.get(k);
      if (first) {
        const why = reason?.(first, k) ?? (first.file === file ? `duplicate of line ${first.line} (same ${column})` : `duplicate of ${first.file} line ${first.line} (same ${column})`);
        issues.push({ file, line: row.line, column, value: row.text(column) || k, reason: why });
        return;
      }
      earlier.set(k, { k, file, line: row.line });
      fresh.push({ k, line: row.line });
      out.push(row);
    });
    if (fresh.length) {
      await this.tx.execute(sql`insert into pg_temp.import_keys (scope, k, file, line) select ${scope}, k, ${file}, line from json_to_recordset(${JSON.stringify(fresh)}::json) as x(k text, line int)`);
    }
    return out;
  }
}

/** What an importer's chunks are given: the caller, the import's key ledger, and the households of the caller's area. */
export interface ImportContext {
  caller: ImportCaller;
  ledger: KeyLedger;
  /** the households (stored, or written earlier in this import) of these codes that lie in the caller's area */
  households(tx: Db, codes: string[]): Promise<Map<string, HouseholdRef>>;
  progress: Progress;
}

/**
 * What every subgraph's importer offers the import scaffold (`runImport`): the kinds of file it reads, in the order
 * they are applied, their columns, and a step that checks one chunk of well-typed rows against what is stored
 * (read with `tx`, which holds the rows of earlier chunks and files) and writes the good ones with `tx`, batched.
 * Nothing is kept between chunks but counts, issues and small reference data: memory stays bounded at any size.
 */
export interface ChunkImporter<K extends string> {
  readonly issues: ImportIssue[];
  readonly counts: Record<K, ImportCounts>;
  readonly kinds: readonly K[];
  columns(kind: K): Column[];
  /** before the first chunk (reads the reference data it checks against, with `tx`); `files`: its files, which it may read ahead */
  begin?(tx: Db, context: ImportContext, files: readonly ImportFile[]): Promise<void>;
  chunk(tx: Db, kind: K, file: string, rows: Row<any>[], context: ImportContext): Promise<void>;
  /** after the last of its files */
  end?(tx: Db, context: ImportContext): Promise<void>;
}

/** A file of an import: its kind, its name in reports, and how to read it (each `open()` reads it from the start). */
export interface ImportFile<K extends string = string> {
  kind: K;
  name: string;
  open(): import('node:stream').Readable;
}

/** Rows per chunk: big enough for few statements, small enough for bounded memory. */
export const CHUNK_ROWS = 20_000;

/**
 * Runs one importer over its files inside the import's transaction `tx`: kind by kind in the importer's order, each
 * file streamed through csv-parse and `readChunks`, each chunk checked and written. The caller decides afterwards
 * whether the transaction commits (no issue anywhere, not a dry run) or rolls back.
 */
export async function runImport<K extends string>(tx: Db, importer: ChunkImporter<K>, files: readonly ImportFile[], context: ImportContext, size = CHUNK_ROWS): Promise<void> {
  const mine = files.filter((f) => (importer.kinds as readonly string[]).includes(f.kind));
  if (!mine.length && !importer.begin) return;
  // an import drops the report summaries of what it writes at its commit (packages/db summaries.ts), row locks on
  // each unit's version held for the import's whole transaction would stop every officer's mutation meanwhile
  await bulkSummaryWrites(tx);
  await importer.begin?.(tx, context, mine);
  const { parse } = await import('csv-parse');
  for (const kind of importer.kinds) {
    for (const f of mine.filter((x) => x.kind === kind)) {
      const records = f.open().pipe(parse(CSV_OPTIONS)) as AsyncIterable<CsvRecord>;
      let read = 0;
      await readChunks(records, f.name, importer.columns(kind), importer.issues, size, async (rows) => {
        await importer.chunk(tx, kind, f.name, rows, context);
        read += rows.length;
        context.progress(`${f.name}: ${read.toLocaleString('en')} ${kind} rows checked and written`);
      });
    }
  }
  await importer.end?.(tx, context);
}

/** The transaction was only a trial (a dry run, or bad rows): thrown to roll it back. */
export class RollBack extends Error {
  constructor() { super('roll back'); }
}

/** The system itself, loading the reference data shipped in the repository. */
export const SYSTEM_CALLER: ImportCaller = { sub: 'system:reference-data', role: 'ADMIN', units: null };

/**
 * Loads a subgraph's shipped reference defaults (data/reference/<kind>.csv) through its own importer: the same
 * checks as an integrator's file; any bad row stops the start with the file, line and reason.
 */
export async function loadReferenceFiles<K extends string>(db: Db, importer: ChunkImporter<K>, kinds: K[], dir: string): Promise<void> {
  const { createReadStream } = await import('node:fs');
  const { join } = await import('node:path');
  const files = kinds.map((kind) => ({ kind, name: `data/reference/${kind}.csv`, open: () => createReadStream(join(dir, `${kind}.csv`)) }));
  try {
    await db.transaction(async (tx) => {
      const context: ImportContext = { caller: SYSTEM_CALLER, ledger: new KeyLedger(tx), households: async () => new Map(), progress: () => {} };
      await runImport(tx, importer, files, context);
      if (importer.issues.length) throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
    const first = importer.issues[0]!;
    throw new Error(`The shipped reference data is not valid: ${first.file} line ${first.line}, ${first.column}: ${first.reason} (${importer.issues.length} issue(s))`);
  }
}
