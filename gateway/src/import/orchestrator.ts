/**
 * The import orchestrator: routes each CSV file to the subgraph that owns its records and runs every subgraph's
 * importer through the one scaffold (packages/server `runImport`) inside one transaction: the files are streamed
 * kind by kind (units, then households, members, assessments, then the programmes' files), each chunk checked
 * against what is stored and written, so memory stays bounded at any size. The transaction commits only when no
 * row anywhere is bad and it is not a dry run; otherwise it rolls back and nothing is written. The households
 * subgraph answers the others' questions about household codes and members through its import API, never through
 * SQL across schemas. Tables are analysed after a commit (fresh statistics for the reports' plans). Used by the CLI
 * (`pnpm import`) and the HTTP endpoint (`POST /import`).
 */
import { createReadStream, createWriteStream, mkdtempSync, ReadStream, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { recountStale, rows, sql, type Db, type RegistryFollower } from '@ansinh/db';
import {
  KeyLedger, RollBack, runImport, UNIT_KINDS, UnitsImport, unitsChanged,
  type ChunkImporter, type ImportCaller, type ImportContext, type ImportCounts, type ImportFile, type ImportIssue, type Progress, type UnitTables,
} from '@ansinh/server';
import * as householdsTables from '@ansinh/households/tables';
import * as creditTables from '@ansinh/credit/tables';
import * as healthTables from '@ansinh/health/tables';
import * as housingTables from '@ansinh/housing/tables';

/** Every subgraph's units tables: units and links an import brings go to all four (packages/server/src/units.ts). */
const UNIT_TABLES: UnitTables[] = [householdsTables, creditTables, healthTables, housingTables];
import { HouseholdsImport, HOUSEHOLDS_KINDS } from '@ansinh/households';
import { CreditImport, CREDIT_KINDS } from '@ansinh/credit';
import { HealthImport, HEALTH_KINDS } from '@ansinh/health';
import { HousingImport, HOUSING_KINDS } from '@ansinh/housing';

const isUnitKind = (kind: string): kind is (typeof UNIT_KINDS)[number] => (UNIT_KINDS as readonly string[]).includes(kind);

export const FILE_KINDS = [...UNIT_KINDS, ...HOUSEHOLDS_KINDS, ...CREDIT_KINDS, ...HEALTH_KINDS, ...HOUSING_KINDS] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export function isFileKind(kind: string): kind is FileKind {
  return (FILE_KINDS as readonly string[]).includes(kind);
}

/** The kind of a file from its name: `households.csv`, `loans-2024.csv`, `unit_totals_hai_phong.csv` … */
export function kindFromName(name: string): FileKind | undefined {
  const base = name.split(/[\\/]/).pop()!.replace(/\.csv$/i, '').toLowerCase();
  return [...FILE_KINDS].sort((a, b) => b.length - a.length).find((k) => base === k || base.startsWith(`${k}-`) || base.startsWith(`${k}_`) || base.startsWith(`${k}.`));
}

export interface ImportReport {
  /** rejected: bad rows, nothing written; validated: a dry run found no bad row; applied: written */
  status: 'rejected' | 'validated' | 'applied';
  dryRun: boolean;
  files: { name: string; kind: FileKind }[];
  /** per kind of record: added, changed, unchanged (in a dry run or a rejected import: what would have been) */
  counts: Partial<Record<FileKind, ImportCounts>>;
  /** true when the import changes nothing (every row is already stored as it is) */
  noChange: boolean;
  issues: ImportIssue[];
  message: string;
}

/**
 * Each subgraph's database handle, and the programme subgraphs' copies of the registry. The import runs where the
 * four subgraphs' schemas share one database (the all-in-one process, the CLI): it writes them in one transaction.
 * Each subgraph still validates and writes only its own tables; the registry's changes reach the followers' copies
 * in the same transaction (docs/areas.md).
 */
export type SubgraphDbs = { households: Db<any>; credit: Db<any>; health: Db<any>; housing: Db<any>; followers?: RegistryFollower[] };

/** The tables a kind of file fills (the large ones), analysed after an import that changed that kind. */
const ANALYSED: Partial<Record<FileKind, string[]>> = {
  households: ['households.households'],
  members: ['households.members'],
  assessments: ['households.assessments'],
  loans: ['credit.loans', 'credit.loan_transactions'],
  insurance_cards: ['health.insurance_cards', 'health.support_layers'],
  housing_supports: ['housing.supports', 'housing.funding_lines'],
};

/**
 * Another import holds the import lock: the losing one stops at once with the holder's identity (who, which process
 * and host, since when), never with row values. `code` CONFLICT: the HTTP route answers 409, the CLI exits 3.
 */
export class ImportConflict extends Error {
  readonly code = 'CONFLICT';
  constructor(readonly holder: string) {
    super(`another import is running: ${holder}; nothing was written, import again when it has finished`);
  }
}

/** The import lock's key (pg_try_advisory_xact_lock(int, int)): one import at a time per database. */
export const IMPORT_LOCK_KEY = [0x616e_7368, 1] as const;
const LOCK_KEY = IMPORT_LOCK_KEY;
/**
 * Imports in this process, per database handle (a PGlite connection is one session, where an advisory lock is
 * re-entrant; tests run several databases in one process).
 */
const localHolders = new WeakMap<object, string>();

/** Who runs an import, as other imports are told: the caller's subject and role, process id and host (no data). */
function identity(caller: ImportCaller): string {
  return `${caller.sub} (${caller.role}) pid ${process.pid} on ${hostname()}`.slice(0, 63);
}

/**
 * Takes the import lock inside the import's transaction (released at its end, whatever happens, also when the
 * process dies): in this process, and in PostgreSQL with a transaction-level advisory lock whose holder names
 * itself through its session's application_name (SET LOCAL: reverts at the transaction's end), read by the loser
 * from pg_stat_activity with the time its transaction started.
 */
async function lockImport(db: Db<any>, tx: Db<any>, caller: ImportCaller): Promise<() => void> {
  const holder = localHolders.get(db);
  if (holder) throw new ImportConflict(holder);
  const me = `${identity(caller)}, started ${new Date().toISOString()}`;
  localHolders.set(db, me);
  const release = () => { if (localHolders.get(db) === me) localHolders.delete(db); };
  try {
    const [{ locked }] = await rows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${LOCK_KEY[0]}::int, ${LOCK_KEY[1]}::int) as locked`) as [{ locked: boolean }];
    if (!locked) {
      const [holder] = await rows<{ name: string; started: string | null }>(tx, sql`
        select a.application_name as name, to_char(a.xact_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as started
        from pg_locks l join pg_stat_activity a on a.pid = l.pid
        -- advisory locks are per database: the holder of another database's lock (an import there) is not ours
        where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database())
          and l.classid = ${LOCK_KEY[0]}::int::oid and l.objid = ${LOCK_KEY[1]}::int::oid and l.objsubid = 2`);
      throw new ImportConflict(holder ? `${holder.name.replace(/^ansinh import: /, '') || 'an unnamed session'}, started ${holder.started ?? 'at an unknown time'}` : 'a session that has just finished');
    }
    await tx.execute(sql`select set_config('application_name', ${`ansinh import: ${identity(caller)}`.slice(0, 63)}, true)`);
  } catch (error) {
    release();
    throw error;
  }
  return release;
}

export class ImportSession {
  private readonly units: UnitsImport;
  private readonly households: HouseholdsImport;
  private readonly others: { credit: CreditImport; health: HealthImport; housing: HousingImport };
  private readonly files: { name: string; kind: FileKind }[] = [];
  private readonly sources: ImportFile<FileKind>[] = [];
  private readonly used = new Set<string>();
  private spool: string | undefined;

  constructor(private readonly dbs: SubgraphDbs, private readonly caller: ImportCaller, private readonly progress: Progress = () => {}) {
    this.units = new UnitsImport(dbs.households, householdsTables, progress);
    this.households = new HouseholdsImport(dbs.households, progress, dbs.followers ?? []);
    this.others = { credit: new CreditImport(dbs.credit, progress), health: new HealthImport(dbs.health, progress), housing: new HousingImport(dbs.housing, progress) };
  }

  /**
   * Takes one file as it streams in. Units are small and read now; any other file is read when its kind's turn
   * comes (households before members before programme rows): a file on disk is read from there, an upload is
   * spooled to a temporary file first (never held in memory).
   */
  async addFile(kind: FileKind, stream: Readable, name: string): Promise<void> {
    this.files.push({ name, kind });
    this.used.add(kind);
    if (isUnitKind(kind)) return this.units.readFile(kind, stream, name);
    if (stream instanceof ReadStream && typeof stream.path === 'string') {
      const path = stream.path;
      stream.destroy();
      this.sources.push({ kind, name, open: () => createReadStream(path) });
      return;
    }
    this.spool ??= mkdtempSync(join(tmpdir(), 'ansinh-import-'));
    const path = join(this.spool, `${this.sources.length}.csv`);
    await pipeline(stream, createWriteStream(path));
    this.sources.push({ kind, name, open: () => createReadStream(path) });
  }

  /** What this import holds so far, without any value: its kinds of file and the counts per kind (for logs). */
  summary(): { files: FileKind[]; counts: Partial<Record<FileKind, ImportCounts>>; issues: number } {
    return { files: this.files.map((f) => f.kind), counts: this.counts(), issues: this.issues().length };
  }

  private issues(): ImportIssue[] {
    return [this.units, this.households, ...Object.values(this.others)].flatMap((i) => i.issues).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column.localeCompare(b.column));
  }

  private counts(): Partial<Record<FileKind, ImportCounts>> {
    const all = { ...this.units.counts, ...this.households.counts, ...this.others.credit.counts, ...this.others.health.counts, ...this.others.housing.counts } as Record<FileKind, ImportCounts>;
    return Object.fromEntries(FILE_KINDS.filter((k) => this.used.has(k)).map((k) => [k, all[k]]));
  }

  private issueCount(): number {
    return [this.units, this.households, ...Object.values(this.others)].reduce((n, i) => n + i.issues.length, 0);
  }

  /** Checks and writes every file in one transaction; commits only when no row anywhere is bad and it is not a dry run. */
  async finish(options: { dryRun?: boolean } = {}): Promise<ImportReport> {
    const dryRun = options.dryRun ?? false;
    let committed = false;
    let unlock = () => {};
    try {
      this.progress('checking and writing…');
      await this.units.validate(this.caller);
      await this.dbs.households.transaction(async (tx) => {
        // first of all: an overlapping import would otherwise fail late on a unique key, or wait on its rows
        unlock = await lockImport(this.dbs.households, tx, this.caller);
        const context: ImportContext = {
          caller: this.caller, ledger: new KeyLedger(tx), progress: this.progress,
          households: (t, codes) => this.households.householdRefs(t, codes),
        };
        // the units first (the households' checks see them as stored), the households subgraph next: the others'
        // rows point at its records
        await this.units.apply(tx, UNIT_TABLES);
        await runImport(tx, this.households, this.sources, context);
        for (const o of Object.values(this.others)) await runImport(tx, o as ChunkImporter<string>, this.sources, context);
        const noChange = Object.values(this.counts()).every((c) => c!.added === 0 && c!.changed === 0);
        if (dryRun || noChange || this.issueCount()) throw new RollBack();
      });
      committed = true;
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    } finally {
      unlock();
      if (this.spool) rmSync(this.spool, { recursive: true, force: true });
    }
    if (committed) {
      // unit lists read by a request while the import ran are read afresh (packages/server area.ts, packages/db hierarchy.ts)
      unitsChanged();
      await this.analyze();
      await this.recountSummaries();
    }
    const issues = this.issues();
    const counts = this.counts();
    const noChange = Object.values(counts).every((c) => c!.added === 0 && c!.changed === 0);
    const summary = Object.entries(counts).map(([k, c]) => `${k}: ${c!.added} added, ${c!.changed} changed, ${c!.unchanged} unchanged`).join('; ');
    const base = { dryRun, files: this.files, counts, noChange, issues };
    if (issues.length) {
      return { ...base, status: 'rejected', message: `${issues.length} bad ${issues.length === 1 ? 'value' : 'values'}: nothing was written. Fix them and import the files again.` };
    }
    if (dryRun) return { ...base, status: 'validated', message: `Dry run: every row is valid; nothing was written. It would do: ${summary || 'nothing'}.` };
    if (noChange) return { ...base, status: 'applied', message: `Nothing to change: every row is already stored as it is (${summary}).` };
    return { ...base, status: 'applied', message: `Imported: ${summary}.` };
  }

  /**
   * The import dropped every report summary of the schemas it wrote (packages/db summaries.ts: the epoch): the
   * reports and arguments asked for in the last month are counted again now, most recently asked first, within
   * ANSINH_RECOUNT_SECONDS (default 120; 0: none), so that the first officer to open a province's report after an
   * import does not wait for every unit to be counted (docs/performance.md "Summaries per unit").
   */
  private async recountSummaries(): Promise<void> {
    const budget = Number(process.env.ANSINH_RECOUNT_SECONDS ?? 120) * 1000;
    if (!(budget > 0)) return;
    const started = Date.now();
    for (const schema of ['households', 'credit', 'health', 'housing'] as const) {
      const left = budget - (Date.now() - started);
      if (left <= 0) break;
      const done = await recountStale(this.dbs[schema], schema, left);
      if (done.reports || done.left) {
        this.progress(`${schema}: ${done.reports} report summaries counted again (${done.units} units)${done.left ? `, ${done.left} left to the next report that asks` : ''}`);
      }
    }
  }

  /** Fresh planner statistics after a bulk write: without them the reports' plans are far worse (issue 11). */
  private async analyze(): Promise<void> {
    const counts = this.counts();
    const changed = (kind: FileKind) => !!counts[kind] && (counts[kind]!.added > 0 || counts[kind]!.changed > 0);
    const registry = ['credit', 'health', 'housing'].flatMap((s) => ['households', 'placements', 'members', 'reviews'].map((t) => `${s}.registry_${t}`));
    const tables = new Set<string>();
    for (const [kind, names] of Object.entries(ANALYSED) as [FileKind, string[]][]) if (changed(kind)) for (const n of names) tables.add(n);
    if ((['households', 'members', 'assessments'] as const).some(changed)) for (const n of registry) tables.add(n);
    if (tables.size) this.progress(`analysing ${tables.size} tables…`);
    for (const t of [...tables].sort()) await this.dbs.households.execute(sql.raw(`analyze ${t}`));
  }
}
