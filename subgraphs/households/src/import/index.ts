/**
 * Bulk import of the households subgraph's records: households, members, assessments and unit totals, a chunk at a
 * time (the scaffold in packages/server, `runImport`): each chunk is checked against what is stored (codes that
 * exist, area, standards, repeats) and written in the import's one transaction, so the next kind of file sees it.
 * Upsert by business keys: household code; member by household code and position; assessment by household code,
 * review year, kind and date; unit total by unit code and year. Other importers learn about households through
 * `householdRefs` (no SQL across schemas). The changed households reach the registry's followers at the end.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import {
  cell, CHUNK_ROWS, emptyCounts,
  type ChunkImporter, type Column, type ImportFile, type HouseholdRef, type ImportContext, type ImportCounts, type ImportIssue, type Progress, type Row,
} from '@ansinh/server';
import { bulkInsert, bulkUpdate, callerAreaCte, holdsHouseholds, inTexts, inUuids, jsonUuids, rows, type Db, type RegistryFollower } from '@ansinh/db';
import { publishStagedRegistry } from '../domain/registry.js';
import type { HouseholdsDb } from '../context.js';
import { assessments, households, members, povertyIndicators, povertyLines, povertyStandards, units, unitTotals } from '../db/schema.js';
import { classify, type LoadedStandard } from '../domain/classify.js';

/** Households whose registry facts are staged and copied at once (all in SQL: the size bounds a statement, not Node's memory). */
const REGISTRY_PAGE = 50_000;

/** How an importer names a household code it cannot use: the same whether it is absent or outside the caller's area. */
export const NO_HOUSEHOLD = (code: string) => `no household ${code} in your area, stored or in the households file`;

export const HOUSEHOLDS_KINDS = ['households', 'members', 'assessments', 'unit_totals'] as const;
export type HouseholdsKind = (typeof HOUSEHOLDS_KINDS)[number];

const AREA_TYPES = ['URBAN', 'RURAL'] as const;
const GENDERS = ['MALE', 'FEMALE'] as const;
const RELATIONS = ['HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDCHILD', 'SIBLING', 'OTHER'] as const;
const STATUSES = ['POOR', 'NEAR_POOR', 'AVERAGE_LIVING_STANDARD', 'NONE'] as const;
const KINDS = ['PERIODIC', 'REGULAR'] as const;

interface HouseholdIn { household_code: string; address: string; unit_code: string; area_type: 'URBAN' | 'RURAL'; registered_on: string }
interface MemberIn { household_code: string; position: number; full_name: string; date_of_birth: string; gender: string; relation_to_head: string; national_id: string | null; ethnicity: string | null }
interface AssessmentIn { household_code: string; review_year: number; kind: string; assessed_on: string; standard_code: string; income_per_capita: number; income_period: string; deprived_indicators: string[] | null; status: string; recorded_by: string; persons: number | null }
interface UnitTotalIn { unit_code: string; year: number; households: number; persons: number }

export const COLUMNS: Record<HouseholdsKind, Column[]> = {
  households: [
    { name: 'household_code', parse: cell.code() },
    { name: 'address', parse: cell.text(300) },
    { name: 'unit_code', parse: cell.pattern(/^\d{2,5}$/, 'an administrative unit code (2 to 5 digits)') },
    { name: 'area_type', parse: cell.oneOf(AREA_TYPES) },
    { name: 'registered_on', parse: cell.date() },
  ],
  members: [
    { name: 'household_code', parse: cell.code() },
    { name: 'position', parse: cell.int(1, 99) },
    { name: 'full_name', parse: cell.text(120) },
    { name: 'date_of_birth', parse: cell.date() },
    { name: 'gender', parse: cell.oneOf(GENDERS) },
    { name: 'relation_to_head', parse: cell.oneOf(RELATIONS) },
    { name: 'national_id', optional: true, parse: cell.pattern(/^\d{12}$/, 'a citizen identity number (CCCD: 12 digits)') },
    { name: 'ethnicity', optional: true, parse: cell.text(60) },
  ],
  assessments: [
    { name: 'household_code', parse: cell.code() },
    { name: 'review_year', parse: cell.int(2000, 2100) },
    { name: 'kind', parse: cell.oneOf(KINDS) },
    { name: 'assessed_on', parse: cell.date() },
    { name: 'standard_code', parse: cell.code() },
    { name: 'income_per_capita', parse: cell.money() },
    { name: 'income_period', parse: cell.oneOf(['MONTH', 'YEAR'] as const) },
    { name: 'deprived_indicators', optional: true, parse: cell.list(cell.pattern(/^[A-Z][A-Z_]*$/, 'an indicator code such as HEALTH_INSURANCE')) },
    { name: 'status', parse: cell.oneOf(STATUSES) },
    { name: 'recorded_by', parse: cell.text(120) },
    // nhân khẩu at the review; by default the household's members (stored and in this import) when first imported
    { name: 'persons', optional: true, parse: cell.int(1, 99) },
  ],
  unit_totals: [
    { name: 'unit_code', parse: cell.pattern(/^\d{2,5}$/, 'an administrative unit code (2 to 5 digits)') },
    { name: 'year', parse: cell.int(2000, 2100) },
    { name: 'households', parse: cell.int(0, 100_000_000) },
    { name: 'persons', parse: cell.int(0, 1_000_000_000) },
  ],
};

type Unit = typeof units.$inferSelect;
type HouseholdRow = typeof households.$inferSelect;
type MemberRow = typeof members.$inferSelect;
type AssessmentRow = typeof assessments.$inferSelect;
// head_name and search_text are the database's: triggers on members and a generated column keep them (migration 0008;
// an import writes a new household with its head's name read ahead from the members files, defers the trigger and
// sets the names that differ once in end(), migration 0010)
type Insert<T> = Omit<T, 'createdAt' | 'headName' | 'searchText'>;
type Ref = HouseholdRef & { areaType: string };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const uuids = (ids: Iterable<string>) => jsonUuids([...new Set(ids)]);

export class HouseholdsImport implements ChunkImporter<HouseholdsKind> {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<HouseholdsKind, ImportCounts> = { households: emptyCounts(), members: emptyCounts(), assessments: emptyCounts(), unit_totals: emptyCounts() };
  readonly kinds = HOUSEHOLDS_KINDS;
  private areaIds: Set<string> | null = null;
  private areaText = '';
  private unitsByCode = new Map<string, Unit[]>();
  private loaded = new Map<string, LoadedStandard>();
  private touchedTable = false;
  /** members were written with the head-name trigger deferred: end() sets the names */
  private headNamesDeferred = false;
  /** pg_temp.import_heads holds the members files' heads (stageHeads) */
  private headsStaged = false;
  private written = 0;

  /** `followers`: the programme subgraphs' copies of the registry, written at the end in the same transaction */
  constructor(private readonly db: HouseholdsDb, private readonly progress: Progress = () => {}, private readonly followers: readonly RegistryFollower[] = []) {}

  columns(kind: HouseholdsKind): Column[] {
    return COLUMNS[kind];
  }

  /** Whether a unit lies in the caller's area (the API's rule: packages/db callerAreaCte). */
  private inArea(unitId: string): boolean {
    return this.areaIds === null || this.areaIds.has(unitId);
  }

  /** The unit with this code valid on a date ([validFrom, validTo)). */
  private unitOn(code: string, date: string): Unit | undefined {
    return this.unitsByCode.get(code)?.find((u) => (!u.validFrom || u.validFrom <= date) && (!u.validTo || date < u.validTo));
  }

  /** The caller's area, the units (this import's included: written before) and the standards, read once. */
  async begin(tx: Db, { caller }: ImportContext, files: readonly ImportFile[] = []): Promise<void> {
    await this.stageHeads(tx, files);
    this.areaIds = caller.units === null ? null
      : new Set((await rows<{ id: string }>(tx, sql`with recursive ${callerAreaCte('households', caller.units)} select id from caller_area`)).map((r) => r.id));
    this.areaText = caller.units?.join(', ') ?? '';
    this.unitsByCode = new Map();
    for (const u of await tx.select().from(units)) (this.unitsByCode.get(u.code) ?? this.unitsByCode.set(u.code, []).get(u.code)!).push(u);
    // the standards as stored (lines, indicators): statuses are checked with the same classify() as recordAssessment
    const [standardRows, lineRows, indicatorRows] = await Promise.all([
      tx.select().from(povertyStandards), tx.select().from(povertyLines), tx.select().from(povertyIndicators),
    ]);
    this.loaded = new Map<string, LoadedStandard>(standardRows.map((s) => [s.code, {
      standard: s, lines: lineRows.filter((l) => l.standardCode === s.code),
      indicators: indicatorRows.filter((i) => i.standardCode === s.code).sort((a, b) => a.position - b.position),
    }]));
  }

  /**
   * Reads the members files ahead for their HEAD rows (code, position, name: nothing else is parsed into rows) into a
   * temporary table, so that a new household is written with its head's name (and its search text) at once: writing
   * it and rewriting it when its members come costs every index of the households twice, the trigram index most
   * (docs/performance.md, the import). Only a hint: end() sets every touched household's name by the stored members.
   */
  private async stageHeads(tx: Db, files: readonly ImportFile[]): Promise<void> {
    this.headsStaged = false;
    const memberFiles = files.filter((f) => f.kind === 'members');
    if (!memberFiles.length || !files.some((f) => f.kind === 'households')) return;
    await tx.execute(sql`create temporary table if not exists pg_temp.import_heads (code text primary key, position int not null, name text not null) on commit drop`);
    const { parse } = await import('csv-parse');
    const flush = async (batch: { code: string; position: number; name: string }[]) => {
      if (!batch.length) return;
      await tx.execute(sql`insert into pg_temp.import_heads (code, position, name)
        select distinct on (code) code, position, name from json_to_recordset(${JSON.stringify(batch)}::json) as x(code text, position int, name text)
        order by code, position
        on conflict (code) do update set position = excluded.position, name = excluded.name where excluded.position < import_heads.position`);
    };
    for (const f of memberFiles) {
      let at: { code: number; position: number; relation: number; name: number } | undefined;
      let batch: { code: string; position: number; name: string }[] = [];
      for await (const record of f.open().pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true })) as AsyncIterable<string[]>) {
        if (!at) {
          const header = record.map((h) => h.trim());
          at = { code: header.indexOf('household_code'), position: header.indexOf('position'), relation: header.indexOf('relation_to_head'), name: header.indexOf('full_name') };
          if (Object.values(at).some((i) => i < 0)) break; // the chunked read reports the header
          continue;
        }
        if (record[at.relation]?.trim() !== 'HEAD') continue;
        const position = Number(record[at.position]);
        const code = record[at.code]?.trim();
        const name = record[at.name]?.trim();
        if (!code || !name || !Number.isInteger(position)) continue;
        batch.push({ code, position, name });
        if (batch.length >= CHUNK_ROWS) { await flush(batch); batch = []; }
      }
      await flush(batch);
    }
    this.headsStaged = true;
    this.progress(`households subgraph: heads' names read ahead from ${memberFiles.length} members file(s)`);
  }

  private issue(file: string, row: Row<any>, column: string, reason: string): void {
    this.issues.push({ file, line: row.line, column, value: row.text(column), reason });
  }

  /** The stored households (this import's earlier chunks included) of these codes, by code. */
  private async stored(tx: Db, codes: string[]): Promise<Map<string, HouseholdRow>> {
    if (!codes.length) return new Map();
    return new Map((await tx.select().from(households).where(inTexts(households.code, [...new Set(codes)]))).map((h) => [h.code, h]));
  }

  /** Remembers the households a chunk changed (a temporary table of the transaction): their registry facts are copied at the end. */
  private async touch(tx: Db, ids: string[]): Promise<void> {
    this.written += ids.length;
    const list = [...new Set(ids)];
    if (!list.length) return;
    if (!this.touchedTable) {
      await tx.execute(sql`create temporary table if not exists pg_temp.import_touched (id uuid primary key) on commit drop`);
      this.touchedTable = true;
    }
    await tx.execute(sql`insert into pg_temp.import_touched (id) select unnest(${uuids(list)}) on conflict do nothing`);
  }

  async chunk(tx: Db, kind: HouseholdsKind, file: string, list: Row<any>[], context: ImportContext): Promise<void> {
    if (kind === 'households') return this.householdsChunk(tx, file, list, context);
    if (kind === 'members') return this.membersChunk(tx, file, list, context);
    if (kind === 'assessments') return this.assessmentsChunk(tx, file, list, context);
    return this.totalsChunk(tx, file, list, context);
  }

  private async householdsChunk(tx: Db, file: string, list: Row<HouseholdIn>[], { ledger }: ImportContext): Promise<void> {
    const first = await ledger.firstOfKey('households', list, (v) => v.household_code, file, 'household_code', this.issues,
      (earlier) => (earlier.file === file ? undefined : 'appears in another households file of this import'));
    const stored = await this.stored(tx, first.map((r) => r.value.household_code));
    const heads = new Map<string, string>();
    if (this.headsStaged) {
      const codes = first.filter((r) => !stored.has(r.value.household_code)).map((r) => r.value.household_code);
      if (codes.length) for (const h of await rows<{ code: string; name: string }>(tx, sql`select code, name from pg_temp.import_heads where code = any(array(select json_array_elements_text(${JSON.stringify(codes)}::json)))`)) heads.set(h.code, h.name);
    }
    const insert: (Insert<HouseholdRow> & { headName: string | null })[] = [];
    const update: Insert<HouseholdRow>[] = [];
    for (const row of first) {
      const v = row.value;
      const unit = this.unitOn(v.unit_code, v.registered_on);
      if (!unit) { this.issue(file, row, 'unit_code', `no administrative unit with code ${v.unit_code} was valid on ${v.registered_on} (registered_on)`); continue; }
      if (!holdsHouseholds(unit.kind)) { this.issue(file, row, 'unit_code', `${unit.name} is not a ward or commune: a household belongs to a ward or commune (valid on ${v.registered_on})`); continue; }
      if (!this.inArea(unit.id)) { this.issue(file, row, 'unit_code', `${unit.name} (${unit.code}) is outside your area (${this.areaText})`); continue; }
      const old = stored.get(v.household_code);
      // household codes are unique nationally: one held outside the caller's area cannot be taken, and nothing
      // about that household is said (docs/security.md)
      if (old && !this.inArea(old.unitId)) { this.issue(file, row, 'household_code', `the household code ${v.household_code} is taken: use another code`); continue; }
      const next = { id: old?.id ?? randomUUID(), code: v.household_code, address: v.address, unitId: unit.id, areaType: v.area_type, registeredOn: v.registered_on };
      if (!old) { insert.push({ ...next, headName: heads.get(v.household_code) ?? null }); this.counts.households.added++; }
      else if (same([old.address, old.unitId, old.areaType, old.registeredOn], [next.address, next.unitId, next.areaType, next.registeredOn])) this.counts.households.unchanged++;
      else { update.push(next); this.counts.households.changed++; }
    }
    await bulkInsert(tx, households, insert);
    await bulkUpdate(tx, households, update, ['id']);
    await this.touch(tx, [...insert, ...update].map((h) => h.id));
  }

  /** The households of these codes in the caller's area (anything else is answered like an absent one). */
  private async area(tx: Db, codes: string[]): Promise<Map<string, HouseholdRow>> {
    const found = await this.stored(tx, codes);
    for (const [code, h] of found) if (!this.inArea(h.unitId)) found.delete(code);
    return found;
  }

  private async membersChunk(tx: Db, file: string, list: Row<MemberIn>[], { ledger }: ImportContext): Promise<void> {
    const first = await ledger.firstOfKey(`members:${file}`, list, (v) => `${v.household_code}#${v.position}`, file, 'position', this.issues);
    const found = await this.area(tx, first.map((r) => r.value.household_code));
    const known = first.filter((row) => {
      if (found.has(row.value.household_code)) return true;
      this.issue(file, row, 'household_code', NO_HOUSEHOLD(row.value.household_code));
      return false;
    });
    // one head per household in a file
    const refused = new Set(known.filter((r) => r.value.relation_to_head === 'HEAD'));
    for (const r of await ledger.firstOfKey(`heads:${file}`, [...refused], (v) => v.household_code, file, 'relation_to_head', this.issues,
      (earlier, code) => `household ${code} already has its head on line ${earlier.line}`)) refused.delete(r);
    const ids = [...new Set(known.map((r) => found.get(r.value.household_code)!.id))];
    const stored = new Map<string, MemberRow>();
    if (ids.length) for (const m of await tx.select().from(members).where(inUuids(members.householdId, ids))) stored.set(`${m.householdId}#${m.position}`, m);
    const insert: MemberRow[] = [];
    const update: MemberRow[] = [];
    for (const row of known) {
      if (refused.has(row)) continue;
      const v = row.value;
      const ref = found.get(v.household_code)!;
      const old = stored.get(`${ref.id}#${v.position}`);
      const next: MemberRow = { id: old?.id ?? randomUUID(), householdId: ref.id, position: v.position, fullName: v.full_name, dateOfBirth: v.date_of_birth,
        gender: v.gender, relationToHead: v.relation_to_head, nationalId: v.national_id, ethnicity: v.ethnicity };
      if (!old) { insert.push(next); this.counts.members.added++; }
      else if (same({ ...old }, next)) this.counts.members.unchanged++;
      else { update.push(next); this.counts.members.changed++; }
    }
    if (!this.headNamesDeferred && (insert.length || update.length)) {
      // the head's name is set once at the end for every household touched (end()), not chunk by chunk
      await tx.execute(sql`select set_config('ansinh.head_names_deferred', 'on', true)`);
      this.headNamesDeferred = true;
    }
    await bulkInsert(tx, members, insert);
    await bulkUpdate(tx, members, update, ['id']);
    await this.touch(tx, [...insert, ...update].map((m) => m.householdId));
  }

  private async assessmentsChunk(tx: Db, file: string, list: Row<AssessmentIn>[], { ledger }: ImportContext): Promise<void> {
    const first = await ledger.firstOfKey(`assessments:${file}`, list, (v) => `${v.household_code}#${v.review_year}#${v.kind}#${v.assessed_on}`, file, 'assessed_on', this.issues);
    const found = await this.area(tx, first.map((r) => r.value.household_code));
    const ids = [...new Set([...found.values()].map((h) => h.id))];
    const stored = new Map<string, AssessmentRow>();
    // nhân khẩu by default: the household's members, stored or written earlier in this import
    const persons = new Map<string, number>();
    if (ids.length) {
      for (const a of await tx.select().from(assessments).where(inUuids(assessments.householdId, ids))) stored.set(`${a.householdId}#${a.reviewYear}#${a.kind}#${a.assessedOn}`, a);
      for (const c of await rows<{ id: string; n: number }>(tx, sql`select household_id as id, count(*)::int as n from households.members where household_id = any(${uuids(ids)}) group by household_id`)) persons.set(c.id, c.n);
    }
    const insert: AssessmentRow[] = [];
    const update: AssessmentRow[] = [];
    for (const row of first) {
      const v = row.value;
      const ref = found.get(v.household_code);
      if (!ref) { this.issue(file, row, 'household_code', NO_HOUSEHOLD(v.household_code)); continue; }
      let bad = false;
      if (Number(v.assessed_on.slice(0, 4)) !== v.review_year) { this.issue(file, row, 'assessed_on', `not in review year ${v.review_year}`); bad = true; }
      else if (v.kind === 'PERIODIC' && (v.assessed_on.slice(5) < '09-01' || v.assessed_on.slice(5) > '12-14')) { this.issue(file, row, 'assessed_on', 'a PERIODIC review takes place between 1 September and 14 December'); bad = true; }
      const loaded = this.loaded.get(v.standard_code);
      if (!loaded) { this.issue(file, row, 'standard_code', `no poverty standard ${v.standard_code} (known: ${[...this.loaded.keys()].join(', ')})`); continue; }
      const standard = loaded.standard;
      if (v.assessed_on < standard.validFrom || (standard.validTo && v.assessed_on >= standard.validTo)) {
        // a standard is used for the review of the year before it takes effect when the decree says so (VN-2016-2020 for 2021)
        const extended = v.standard_code === 'VN-2016-2020' && v.review_year === 2021;
        if (!extended) { this.issue(file, row, 'standard_code', `${v.standard_code} is valid from ${standard.validFrom}${standard.validTo ? ` to ${standard.validTo}` : ''}, not on ${v.assessed_on}`); bad = true; }
      }
      if (v.income_period !== standard.incomePeriod) { this.issue(file, row, 'income_period', `${v.standard_code} counts income per ${standard.incomePeriod}`); bad = true; }
      const { indicators } = loaded;
      const unknown = (v.deprived_indicators ?? []).filter((c) => !indicators.some((i) => i.code === c));
      const twice = (v.deprived_indicators ?? []).filter((c, i, all) => all.indexOf(c) !== i);
      if (unknown.length) { this.issue(file, row, 'deprived_indicators', `${unknown.join(', ')}: not an indicator of ${v.standard_code} (its indicators: ${indicators.map((i) => i.code).join(', ')})`); bad = true; }
      if (twice.length) { this.issue(file, row, 'deprived_indicators', `${twice.join(', ')} listed twice`); bad = true; }
      if (bad) continue;
      try {
        const classified = classify(loaded, { areaType: ref.areaType, incomePerCapita: v.income_per_capita, incomePeriod: v.income_period as 'MONTH' | 'YEAR', deprivedIndicators: v.deprived_indicators ?? [] });
        if (classified.status !== v.status) { this.issue(file, row, 'status', `the classification gives ${classified.status}: ${classified.reasons.explanation}`); bad = true; }
      } catch (error) {
        // classify refuses what the standard cannot judge (e.g. no lines for the household's area type)
        this.issue(file, row, 'standard_code', (error as Error).message); bad = true;
      }
      if (bad) continue;
      const old = stored.get(`${ref.id}#${v.review_year}#${v.kind}#${v.assessed_on}`);
      const count = v.persons ?? old?.persons ?? persons.get(ref.id) ?? 0;
      if (count < 1) { this.issue(file, row, 'persons', `household ${v.household_code} has no members: give its persons at the review, or import its members`); continue; }
      const next: AssessmentRow = { id: old?.id ?? randomUUID(), householdId: ref.id, reviewYear: v.review_year, kind: v.kind, assessedOn: v.assessed_on, standardCode: v.standard_code,
        incomePerCapita: v.income_per_capita, incomePeriod: v.income_period, deprivedIndicators: [...(v.deprived_indicators ?? [])].sort(), status: v.status, recordedBy: v.recorded_by,
        unitId: old?.unitId ?? ref.unitId, persons: count };
      if (!old) { insert.push(next); this.counts.assessments.added++; }
      else if (same({ ...old, deprivedIndicators: [...old.deprivedIndicators].sort(), incomePerCapita: Number(old.incomePerCapita) }, next)) this.counts.assessments.unchanged++;
      else { update.push(next); this.counts.assessments.changed++; }
    }
    await bulkInsert(tx, assessments, insert);
    await bulkUpdate(tx, assessments, update, ['id']);
    await this.touch(tx, [...insert, ...update].map((a) => a.householdId));
  }

  private async totalsChunk(tx: Db, file: string, list: Row<UnitTotalIn>[], { ledger }: ImportContext): Promise<void> {
    const first = await ledger.firstOfKey(`unit_totals:${file}`, list, (v) => `${v.unit_code}#${v.year}`, file, 'year', this.issues);
    const storedTotals = new Map((await tx.select().from(unitTotals)).map((t) => [`${t.unitId}#${t.year}`, t]));
    const insert: (typeof unitTotals.$inferSelect)[] = [];
    const update: (typeof unitTotals.$inferSelect)[] = [];
    for (const row of first) {
      const v = row.value;
      const unit = this.unitOn(v.unit_code, `${v.year}-12-31`) ?? this.unitOn(v.unit_code, `${v.year}-01-01`);
      if (!unit) { this.issue(file, row, 'unit_code', `no administrative unit with code ${v.unit_code} was valid in ${v.year}`); continue; }
      if (!this.inArea(unit.id)) { this.issue(file, row, 'unit_code', `${unit.name} (${unit.code}) is outside your area (${this.areaText})`); continue; }
      if (v.persons < v.households) { this.issue(file, row, 'persons', `fewer persons than households (${v.households})`); continue; }
      const next = { unitId: unit.id, year: v.year, households: v.households, persons: v.persons };
      const old = storedTotals.get(`${unit.id}#${v.year}`);
      if (!old) { insert.push(next); this.counts.unit_totals.added++; }
      else if (same(old, next)) this.counts.unit_totals.unchanged++;
      else { update.push(next); this.counts.unit_totals.changed++; }
    }
    await bulkInsert(tx, unitTotals, insert);
    await bulkUpdate(tx, unitTotals, update, ['unitId', 'year']);
    this.written += insert.length + update.length;
  }

  /**
   * After the last file: hands the changed households to the registry's followers (the programme subgraphs'
   * copies) in the same transaction, a page at a time.
   */
  async end(tx: Db): Promise<void> {
    if (this.written) this.progress(`households subgraph: ${this.written.toLocaleString('en')} rows written`);
    if (!this.touchedTable) return;
    if (this.headNamesDeferred) {
      const started = Date.now();
      await tx.execute(sql`select households.set_head_names(array(select id from pg_temp.import_touched))`);
      await tx.execute(sql`select set_config('ansinh.head_names_deferred', 'off', true)`);
      this.headNamesDeferred = false;
      this.progress(`households subgraph: heads' names set for searching in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    if (!this.followers.length) return;
    const [{ total }] = await rows<{ total: number }>(tx, sql`select count(*)::int as total from pg_temp.import_touched`) as [{ total: number }];
    let after = '00000000-0000-0000-0000-000000000000';
    let done = 0;
    while (done < total) {
      // a page of the changed households, staged and copied by each follower in SQL (publishStagedRegistry)
      let last: string | undefined;
      let size = 0;
      await publishStagedRegistry(tx, this.followers, async (ids) => {
        const page = await rows<{ n: number; last: string | null }>(tx, sql`with page as (
            insert into ${sql.raw(ids)} (id) select id from pg_temp.import_touched where id > ${after}::uuid order by id limit ${REGISTRY_PAGE} returning id)
          select count(*)::int as n, max(id::text) as last from page`);
        size = page[0]!.n;
        last = page[0]!.last ?? undefined;
      });
      if (!size || !last) break;
      done += size;
      this.progress(`programme subgraphs: ${done.toLocaleString('en')} households' registry facts copied`);
      after = last;
    }
  }

  /** What the other importers need about these household codes (stored or written by this import), only those of the caller's area. */
  async householdRefs(tx: Db, codes: string[]): Promise<Map<string, HouseholdRef>> {
    const found = await this.area(tx, codes);
    if (!found.size) return new Map();
    const byHousehold = new Map<string, Map<number, string>>();
    // grouped once: a lookup per household would make the import quadratic in the households it names
    for (const m of await tx.select({ id: members.id, householdId: members.householdId, position: members.position }).from(members).where(inUuids(members.householdId, [...found.values()].map((h) => h.id)))) {
      (byHousehold.get(m.householdId) ?? byHousehold.set(m.householdId, new Map()).get(m.householdId)!).set(m.position, m.id);
    }
    return new Map([...found].map(([code, h]) => [code, { id: h.id, unitId: h.unitId, areaType: h.areaType, members: byHousehold.get(h.id) ?? new Map() } satisfies Ref]));
  }
}

export function householdsImport(db: HouseholdsDb, progress?: Progress, followers?: readonly RegistryFollower[]): HouseholdsImport {
  return new HouseholdsImport(db, progress, followers);
}
