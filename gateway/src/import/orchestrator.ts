/**
 * The import orchestrator: routes each CSV file to the subgraph that owns its records, validates everything
 * first (the households subgraph answers the others' questions about household codes and members through its
 * import API, never through SQL across schemas), and only when no row anywhere is bad applies every subgraph's
 * changes in one transaction. Used by the CLI (`pnpm import`) and the HTTP endpoint (`POST /import`).
 */
import type { Readable } from 'node:stream';
import type { Db, RegistryFollower } from '@ansinh/db';
import { UNIT_KINDS, UnitsImport, type ImportCaller, type ImportCounts, type ImportIssue, type Progress, type UnitTables } from '@ansinh/server';
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

export class ImportSession {
  private readonly units: UnitsImport;
  private readonly households: HouseholdsImport;
  private readonly others: { credit: CreditImport; health: HealthImport; housing: HousingImport };
  private readonly files: { name: string; kind: FileKind }[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly dbs: SubgraphDbs, private readonly caller: ImportCaller, private readonly progress: Progress = () => {}) {
    this.units = new UnitsImport(dbs.households, householdsTables, progress);
    this.households = new HouseholdsImport(dbs.households as never, progress);
    this.others = { credit: new CreditImport(dbs.credit as never, progress), health: new HealthImport(dbs.health as never, progress), housing: new HousingImport(dbs.housing as never, progress) };
  }

  /** Reads one file as it streams in. */
  async addFile(kind: FileKind, stream: Readable, name: string): Promise<void> {
    this.files.push({ name, kind });
    this.used.add(kind);
    if ((UNIT_KINDS as readonly string[]).includes(kind)) return this.units.readFile(kind as never, stream, name);
    if ((HOUSEHOLDS_KINDS as readonly string[]).includes(kind)) return this.households.readFile(kind as never, stream, name);
    if ((CREDIT_KINDS as readonly string[]).includes(kind)) return this.others.credit.readFile(kind as never, stream, name);
    if ((HEALTH_KINDS as readonly string[]).includes(kind)) return this.others.health.readFile(kind as never, stream, name);
    return this.others.housing.readFile(kind as never, stream, name);
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

  /** Validates every file; applies (unless a dry run) only when no row anywhere is bad. */
  async finish(options: { dryRun?: boolean } = {}): Promise<ImportReport> {
    const dryRun = options.dryRun ?? false;
    this.progress('validating…');
    await this.units.validate(this.caller);
    // the households' checks see the units this import brings as if they were stored
    await this.households.validate(this.caller, this.units.set.units);
    const codes = [...new Set(Object.values(this.others).flatMap((o) => o.householdCodes()))];
    const refs = await this.households.householdRefs(codes);
    for (const o of Object.values(this.others)) await o.validate(this.caller, refs);
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
    // one transaction for every subgraph's rows (their schemas live in one database: see SubgraphDbs), so an
    // import is written whole or not at all; the households subgraph first, the others' rows point at its records
    await this.dbs.households.transaction(async (tx) => {
      await this.units.apply(tx, UNIT_TABLES);
      await this.households.apply(tx, this.dbs.followers ?? []);
      for (const o of Object.values(this.others)) await o.apply(tx);
    });
    return { ...base, status: 'applied', message: `Imported: ${summary}.` };
  }
}
