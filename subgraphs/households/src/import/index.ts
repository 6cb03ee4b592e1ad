/**
 * Bulk import of the households subgraph's records: households, members, assessments and unit totals.
 * Read (types, per cell) → validate (codes that exist, area, standards, duplicates; counts what would change) →
 * apply (one transaction over this subgraph's own tables). Upsert by business keys: household code; member by
 * household code and position; assessment by household code, review year, kind and date; unit total by unit code
 * and year. Other importers learn about households through `householdRefs` (no SQL across schemas).
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  cell, chunks, CSV_OPTIONS, emptyCounts, firstOfKey, readRows,
  type Column, type CsvRecord, type HouseholdRef, type ImportCaller, type ImportCounts, type ImportIssue, type Progress, type Row,
} from '@ansinh/server';
import { bulkInsert, callerAreaCte, HOUSEHOLD_UNIT_KINDS, rows, type Db, type RegistryFollower } from '@ansinh/db';
import { publishRegistry } from '../domain/registry.js';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { HouseholdsDb } from '../context.js';
import { assessments, households, members, povertyIndicators, povertyLines, povertyStandards, units, unitTotals } from '../db/schema.js';
import { classify, type LoadedStandard } from '../domain/classify.js';

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
type Insert<T> = Omit<T, 'createdAt'>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class HouseholdsImport {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<HouseholdsKind, ImportCounts> = { households: emptyCounts(), members: emptyCounts(), assessments: emptyCounts(), unit_totals: emptyCounts() };
  private read: { [K in HouseholdsKind]: { file: string; rows: Row<any>[] }[] } = { households: [], members: [], assessments: [], unit_totals: [] };
  private units: Unit[] = [];
  private unitById = new Map<string, Unit>();
  /** household code → what it will be after the import */
  private refs = new Map<string, HouseholdRef & { areaType: string }>();
  private plan = {
    households: { insert: [] as Insert<HouseholdRow>[], update: [] as Insert<HouseholdRow>[] },
    members: { insert: [] as MemberRow[], update: [] as MemberRow[] },
    assessments: { insert: [] as AssessmentRow[], update: [] as AssessmentRow[] },
    unitTotals: { insert: [] as (typeof unitTotals.$inferSelect)[], update: [] as (typeof unitTotals.$inferSelect)[] },
  };

  constructor(private readonly db: HouseholdsDb, private readonly progress: Progress = () => {}) {}

  /** Parses one file (streamed) and keeps its well-typed rows; bad cells go to `issues`. */
  async readFile(kind: HouseholdsKind, input: Readable, file: string): Promise<void> {
    const records = input.pipe(parse(CSV_OPTIONS)) as AsyncIterable<CsvRecord>;
    const rows = await readRows(records, file, COLUMNS[kind], this.issues, this.progress);
    this.read[kind].push({ file, rows });
    this.progress(`${file}: ${rows.length.toLocaleString('en')} ${kind} rows read`);
  }

  /** Whether a unit lies in the caller's area (the API's rule: packages/db callerAreaCte). */
  private inArea(unitId: string): boolean {
    return this.areaIds === null || this.areaIds.has(unitId);
  }
  private areaIds: Set<string> | null = null;

  /** The unit with this code valid on a date ([validFrom, validTo)). */
  private unitOn(code: string, date: string): Unit | undefined {
    if (this.unitsByCode.size === 0) for (const u of this.units) this.unitsByCode.set(u.code, [...(this.unitsByCode.get(u.code) ?? []), u]);
    return this.unitsByCode.get(code)?.find((u) => (!u.validFrom || u.validFrom <= date) && (!u.validTo || date < u.validTo));
  }
  private unitsByCode = new Map<string, Unit[]>();

  private async existing<T>(select: (batch: string[]) => Promise<T[]>, keys: string[]): Promise<T[]> {
    const out: T[] = [];
    for (const batch of chunks(keys, 10_000)) out.push(...(await select(batch)));
    return out;
  }

  /** Checks every row against the stored data and the other files; plans the writes and counts them. */
  async validate(caller: ImportCaller, unitsOfThisImport: readonly Unit[] = []): Promise<void> {
    this.areaIds = caller.units === null ? null
      : new Set((await rows<{ id: string }>(this.db, sql`with recursive ${callerAreaCte('households', caller.units)} select id from caller_area`)).map((r) => r.id));
    const storedUnits = await this.db.select().from(units);
    const incoming = new Set(unitsOfThisImport.map((u) => u.id));
    this.units = [...storedUnits.filter((u) => !incoming.has(u.id)), ...unitsOfThisImport];
    this.unitById = new Map(this.units.map((u) => [u.id, u]));
    // the standards as stored (lines, indicators): statuses are checked with the same classify() as recordAssessment
    const [standardRows, lineRows, indicatorRows] = await Promise.all([
      this.db.select().from(povertyStandards), this.db.select().from(povertyLines), this.db.select().from(povertyIndicators),
    ]);
    const loaded = new Map<string, LoadedStandard>(standardRows.map((s) => [s.code, {
      standard: s, lines: lineRows.filter((l) => l.standardCode === s.code),
      indicators: indicatorRows.filter((i) => i.standardCode === s.code).sort((a, b) => a.position - b.position),
    }]));
    const standards = new Map(standardRows.map((s) => [s.code, s]));
    const issue = (file: string, row: Row<any>, column: string, reason: string) =>
      this.issues.push({ file, line: row.line, column, value: row.text(column), reason });

    // households: every code named anywhere in the files, looked up once
    const named = new Set<string>();
    for (const kind of ['households', 'members', 'assessments'] as const) for (const f of this.read[kind]) for (const r of f.rows) named.add(r.value.household_code);
    const stored = new Map((await this.existing((b) => this.db.select().from(households).where(inArray(households.code, b)), [...named])).map((h) => [h.code, h]));
    const storedIds = [...stored.values()].map((h) => h.id);
    const storedMembers = await this.existing((b) => this.db.select().from(members).where(inArray(members.householdId, b)), storedIds);
    const membersByHousehold = new Map<string, Map<number, MemberRow>>();
    for (const m of storedMembers) {
      if (!membersByHousehold.has(m.householdId)) membersByHousehold.set(m.householdId, new Map());
      membersByHousehold.get(m.householdId)!.set(m.position, m);
    }
    for (const h of stored.values()) {
      this.refs.set(h.code, { id: h.id, unitId: h.unitId, areaType: h.areaType, fromImport: false,
        members: new Map([...(membersByHousehold.get(h.id)?.entries() ?? [])].map(([p, m]) => [p, m.id])) });
    }

    for (const { file, rows } of this.read.households) {
      const seen = new Set<string>();
      for (const row of firstOfKey(rows as Row<HouseholdIn>[], (v) => v.household_code, file, 'household_code', this.issues)) {
        const v = row.value;
        if (seen.has(v.household_code) || (this.refs.get(v.household_code)?.fromImport)) { issue(file, row, 'household_code', 'appears in another households file of this import'); continue; }
        seen.add(v.household_code);
        const unit = this.unitOn(v.unit_code, v.registered_on);
        if (!unit) { issue(file, row, 'unit_code', `no administrative unit with code ${v.unit_code} was valid on ${v.registered_on} (registered_on)`); continue; }
        if (!HOUSEHOLD_UNIT_KINDS.includes(unit.kind as never)) { issue(file, row, 'unit_code', `${unit.name} is not a ward or commune: a household belongs to a ward or commune (valid on ${v.registered_on})`); continue; }
        if (!this.inArea(unit.id)) { issue(file, row, 'unit_code', `${unit.name} (${unit.code}) is outside your area (${caller.units!.join(', ')})`); continue; }
        const old = stored.get(v.household_code);
        // household codes are unique nationally: one held outside the caller's area cannot be taken, and nothing
        // about that household is said (docs/security.md)
        if (old && !this.inArea(old.unitId)) { issue(file, row, 'household_code', `the household code ${v.household_code} is taken: use another code`); continue; }
        const next = { id: old?.id ?? randomUUID(), code: v.household_code, address: v.address, unitId: unit.id, areaType: v.area_type, registeredOn: v.registered_on };
        if (!old) { this.plan.households.insert.push(next); this.counts.households.added++; }
        else if (same([old.address, old.unitId, old.areaType, old.registeredOn], [next.address, next.unitId, next.areaType, next.registeredOn])) this.counts.households.unchanged++;
        else { this.plan.households.update.push(next); this.counts.households.changed++; }
        this.refs.set(v.household_code, { id: next.id, unitId: next.unitId, areaType: next.areaType, fromImport: !old, members: this.refs.get(v.household_code)?.members ?? new Map() });
      }
    }

    const household = (file: string, row: Row<{ household_code: string }>) => {
      // a household outside the caller's area is answered exactly like one that does not exist
      const ref = this.refs.get(row.value.household_code);
      if (!ref || !this.inArea(ref.unitId)) { issue(file, row, 'household_code', NO_HOUSEHOLD(row.value.household_code)); return undefined; }
      return ref;
    };

    for (const { file, rows } of this.read.members) {
      const heads = new Map<string, number>();
      for (const row of firstOfKey(rows as Row<MemberIn>[], (v) => `${v.household_code}#${v.position}`, file, 'position', this.issues)) {
        const v = row.value;
        const ref = household(file, row);
        if (!ref) continue;
        if (v.relation_to_head === 'HEAD') {
          const other = heads.get(v.household_code);
          if (other !== undefined) { issue(file, row, 'relation_to_head', `household ${v.household_code} already has its head on line ${other}`); continue; }
          heads.set(v.household_code, row.line);
        }
        const oldId = ref.members.get(v.position);
        const old = oldId ? membersByHousehold.get(ref.id)?.get(v.position) : undefined;
        const next: MemberRow = { id: oldId ?? randomUUID(), householdId: ref.id, position: v.position, fullName: v.full_name, dateOfBirth: v.date_of_birth,
          gender: v.gender, relationToHead: v.relation_to_head, nationalId: v.national_id, ethnicity: v.ethnicity };
        if (!old) { this.plan.members.insert.push(next); this.counts.members.added++; ref.members.set(v.position, next.id); }
        else if (same({ ...old }, next)) this.counts.members.unchanged++;
        else { this.plan.members.update.push(next); this.counts.members.changed++; }
      }
    }

    const assessmentRows = this.read.assessments.flatMap((f) => f.rows.map((r) => ({ file: f.file, row: r as Row<AssessmentIn> })));
    const refIds = [...new Set(assessmentRows.map((a) => this.refs.get(a.row.value.household_code)).filter((r) => r && !r.fromImport).map((r) => r!.id))];
    const storedAssessments = new Map((await this.existing((b) => this.db.select().from(assessments).where(inArray(assessments.householdId, b)), refIds))
      .map((a) => [`${a.householdId}#${a.reviewYear}#${a.kind}#${a.assessedOn}`, a]));
    for (const { file, rows } of this.read.assessments) {
      for (const row of firstOfKey(rows as Row<AssessmentIn>[], (v) => `${v.household_code}#${v.review_year}#${v.kind}#${v.assessed_on}`, file, 'assessed_on', this.issues)) {
        const v = row.value;
        const ref = household(file, row);
        if (!ref) continue;
        let bad = false;
        if (Number(v.assessed_on.slice(0, 4)) !== v.review_year) { issue(file, row, 'assessed_on', `not in review year ${v.review_year}`); bad = true; }
        else if (v.kind === 'PERIODIC' && (v.assessed_on.slice(5) < '09-01' || v.assessed_on.slice(5) > '12-14')) { issue(file, row, 'assessed_on', 'a PERIODIC review takes place between 1 September and 14 December'); bad = true; }
        const standard = standards.get(v.standard_code);
        if (!standard) { issue(file, row, 'standard_code', `no poverty standard ${v.standard_code} (known: ${[...standards.keys()].join(', ')})`); continue; }
        if (v.assessed_on < standard.validFrom || (standard.validTo && v.assessed_on >= standard.validTo)) {
          // a standard is used for the review of the year before it takes effect when the decree says so (VN-2016-2020 for 2021)
          const extended = v.standard_code === 'VN-2016-2020' && v.review_year === 2021;
          if (!extended) { issue(file, row, 'standard_code', `${v.standard_code} is valid from ${standard.validFrom}${standard.validTo ? ` to ${standard.validTo}` : ''}, not on ${v.assessed_on}`); bad = true; }
        }
        if (v.income_period !== standard.incomePeriod) { issue(file, row, 'income_period', `${v.standard_code} counts income per ${standard.incomePeriod}`); bad = true; }
        const { indicators } = loaded.get(v.standard_code)!;
        const unknown = (v.deprived_indicators ?? []).filter((c) => !indicators.some((i) => i.code === c));
        const twice = (v.deprived_indicators ?? []).filter((c, i, all) => all.indexOf(c) !== i);
        if (unknown.length) { issue(file, row, 'deprived_indicators', `${unknown.join(', ')}: not an indicator of ${v.standard_code} (its indicators: ${indicators.map((i) => i.code).join(', ')})`); bad = true; }
        if (twice.length) { issue(file, row, 'deprived_indicators', `${twice.join(', ')} listed twice`); bad = true; }
        if (bad) continue;
        try {
          const classified = classify(loaded.get(v.standard_code)!, { areaType: ref.areaType, incomePerCapita: v.income_per_capita, incomePeriod: v.income_period as 'MONTH' | 'YEAR', deprivedIndicators: v.deprived_indicators ?? [] });
          if (classified.status !== v.status) { issue(file, row, 'status', `the classification gives ${classified.status}: ${classified.reasons.explanation}`); bad = true; }
        } catch (error) {
          // classify refuses what the standard cannot judge (e.g. no lines for the household's area type)
          issue(file, row, 'standard_code', (error as Error).message); bad = true;
        }
        if (bad) continue;
        const key = `${ref.id}#${v.review_year}#${v.kind}#${v.assessed_on}`;
        const old = ref.fromImport ? undefined : storedAssessments.get(key);
        const persons = v.persons ?? old?.persons ?? ref.members.size;
        if (persons < 1) { issue(file, row, 'persons', `household ${v.household_code} has no members: give its persons at the review, or import its members`); continue; }
        const next: AssessmentRow = { id: old?.id ?? randomUUID(), householdId: ref.id, reviewYear: v.review_year, kind: v.kind, assessedOn: v.assessed_on, standardCode: v.standard_code,
          incomePerCapita: v.income_per_capita, incomePeriod: v.income_period, deprivedIndicators: [...(v.deprived_indicators ?? [])].sort(), status: v.status, recordedBy: v.recorded_by,
          unitId: old?.unitId ?? ref.unitId, persons };
        if (!old) { this.plan.assessments.insert.push(next); this.counts.assessments.added++; }
        else if (same({ ...old, deprivedIndicators: [...old.deprivedIndicators].sort(), incomePerCapita: Number(old.incomePerCapita) }, next)) this.counts.assessments.unchanged++;
        else { this.plan.assessments.update.push(next); this.counts.assessments.changed++; }
      }
    }

    const storedTotals = new Map((await this.db.select().from(unitTotals)).map((t) => [`${t.unitId}#${t.year}`, t]));
    for (const { file, rows } of this.read.unit_totals) {
      for (const row of firstOfKey(rows as Row<UnitTotalIn>[], (v) => `${v.unit_code}#${v.year}`, file, 'year', this.issues)) {
        const v = row.value;
        const unit = this.unitOn(v.unit_code, `${v.year}-12-31`) ?? this.unitOn(v.unit_code, `${v.year}-01-01`);
        if (!unit) { issue(file, row, 'unit_code', `no administrative unit with code ${v.unit_code} was valid in ${v.year}`); continue; }
        if (!this.inArea(unit.id)) { issue(file, row, 'unit_code', `${unit.name} (${unit.code}) is outside your area (${caller.units!.join(', ')})`); continue; }
        if (v.persons < v.households) { issue(file, row, 'persons', `fewer persons than households (${v.households})`); continue; }
        const next = { unitId: unit.id, year: v.year, households: v.households, persons: v.persons };
        const old = storedTotals.get(`${unit.id}#${v.year}`);
        if (!old) { this.plan.unitTotals.insert.push(next); this.counts.unit_totals.added++; }
        else if (same(old, next)) this.counts.unit_totals.unchanged++;
        else { this.plan.unitTotals.update.push(next); this.counts.unit_totals.changed++; }
      }
    }
  }

  /** What the other importers need about these household codes (after `validate`); unknown codes are absent. */
  async householdRefs(codes: string[]): Promise<Map<string, HouseholdRef>> {
    const missing = codes.filter((c) => !this.refs.has(c));
    if (missing.length) {
      const found = await this.existing((b) => this.db.select().from(households).where(inArray(households.code, b)), [...new Set(missing)]);
      const foundMembers = await this.existing((b) => this.db.select({ id: members.id, householdId: members.householdId, position: members.position }).from(members).where(inArray(members.householdId, b)), found.map((h) => h.id));
      // grouped once: a lookup per household would make the import quadratic in the households it names
      const byHousehold = new Map<string, Map<number, string>>();
      for (const m of foundMembers) (byHousehold.get(m.householdId) ?? byHousehold.set(m.householdId, new Map()).get(m.householdId)!).set(m.position, m.id);
      for (const h of found) {
        this.refs.set(h.code, { id: h.id, unitId: h.unitId, areaType: h.areaType, fromImport: false, members: byHousehold.get(h.id) ?? new Map() });
      }
    }
    // only households of the caller's area: to the other importers, any other household does not exist
    return new Map(codes.filter((c) => this.refs.has(c) && this.inArea(this.refs.get(c)!.unitId)).map((c) => [c, this.refs.get(c)!]));
  }

  /**
   * Writes the planned rows with `tx`: the import's one transaction, opened by the orchestrator; then hands the
   * changed households to the registry's followers (the programme subgraphs' copies) in the same transaction.
   */
  async apply(tx: Db, followers: readonly RegistryFollower[] = []): Promise<void> {
    const p = this.plan;
    const total = p.households.insert.length + p.members.insert.length + p.assessments.insert.length + p.unitTotals.insert.length
      + p.households.update.length + p.members.update.length + p.assessments.update.length + p.unitTotals.update.length;
    if (total === 0) return;
    let done = 0;
    const step = (n: number, what: string) => {
      done += n;
      this.progress(`households subgraph: ${what}, ${done.toLocaleString('en')} of ${total.toLocaleString('en')} rows written`);
    };
    const insert = (rows: object[], table: PgTable, what: string) => bulkInsert(tx as never, table, rows, 20_000, (n) => step(n, what));
    await insert(p.households.insert, households, 'households');
    for (const h of p.households.update) await tx.update(households).set(h).where(eq(households.id, h.id));
    if (p.households.update.length) step(p.households.update.length, 'households updated');
    await insert(p.members.insert, members, 'members');
    for (const m of p.members.update) await tx.update(members).set(m).where(eq(members.id, m.id));
    if (p.members.update.length) step(p.members.update.length, 'members updated');
    await insert(p.assessments.insert, assessments, 'assessments');
    for (const a of p.assessments.update) await tx.update(assessments).set(a).where(eq(assessments.id, a.id));
    if (p.assessments.update.length) step(p.assessments.update.length, 'assessments updated');
    await insert(p.unitTotals.insert, unitTotals, 'unit totals');
    for (const t of p.unitTotals.update) {
      await tx.update(unitTotals).set({ households: t.households, persons: t.persons })
        .where(and(eq(unitTotals.unitId, t.unitId), eq(unitTotals.year, t.year)));
    }
    if (p.unitTotals.update.length) step(p.unitTotals.update.length, 'unit totals updated');
    const touched = new Set<string>([...p.households.insert, ...p.households.update].map((h) => h.id));
    for (const m of [...p.members.insert, ...p.members.update]) touched.add(m.householdId);
    for (const a of [...p.assessments.insert, ...p.assessments.update]) touched.add(a.householdId);
    if (touched.size && followers.length) {
      await publishRegistry(tx as never, followers, [...touched]);
      this.progress(`programme subgraphs: ${touched.size.toLocaleString('en')} households' registry facts copied`);
    }
  }
}

export function householdsImport(db: HouseholdsDb, progress?: Progress): HouseholdsImport {
  return new HouseholdsImport(db, progress);
}
