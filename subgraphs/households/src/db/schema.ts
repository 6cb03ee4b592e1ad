/** The households subgraph's tables, in the PostgreSQL schema `households`. */
import { sql } from 'drizzle-orm';
import { bigint, boolean, date, index, integer, pgSchema, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accessLogTable, idempotencyTable, summaryTables, unitTables } from '@ansinh/db';

export const householdsSchema = pgSchema('households');

/** Administrative units and the 2025 crosswalk: the same tables in every subgraph (packages/db/src/units.ts). */
export const { units, unitLinks } = unitTables(householdsSchema);
/** Report figures kept per unit (areaStatistics' counts), valid while the unit's version is current (packages/db summaries.ts). */
export const { reportSummaries, summaryVersions, summaryEpoch } = summaryTables(householdsSchema);

/** All households and persons of a unit in a year (population data: the denominator of poverty rates). */
export const unitTotals = householdsSchema.table('unit_totals', {
  unitId: text('unit_id').notNull().references(() => units.id),
  year: smallint('year').notNull(),
  households: integer('households').notNull(),
  persons: integer('persons').notNull(),
}, (t) => [primaryKey({ columns: [t.unitId, t.year] })]);

export const povertyStandards = householdsSchema.table('poverty_standards', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  legalBasis: text('legal_basis').notNull(),
  /** null: national; otherwise the province code of a city's own standard */
  jurisdiction: text('jurisdiction'),
  validFrom: date('valid_from', { mode: 'string' }).notNull(),
  validTo: date('valid_to', { mode: 'string' }),
  incomePeriod: text('income_period').notNull(),
  /** Rule parameters (one rule shape for every standard, see classify.ts). Deprivations that count as "deprived": 3. */
  deprivationCutoff: smallint('deprivation_cutoff'),
  /** Poor needs income ≤ poverty line AND deprivations ≥ cut-off (VN-2022-2025); false: income alone (VN-2016-2020, HCM). */
  poorRequiresDeprivation: boolean('poor_requires_deprivation').notNull().default(false),
  /** Also poor: income ≤ near-poor line AND deprivations ≥ cut-off (VN-2016-2020's minimum-living-standard rule). */
  poorAlsoBelowNearPoorLine: boolean('poor_also_below_near_poor_line').notNull().default(false),
});

/** Lines of a standard per area type, in the standard's income period (whole đồng). */
export const povertyLines = householdsSchema.table('poverty_lines', {
  standardCode: text('standard_code').notNull().references(() => povertyStandards.code),
  areaType: text('area_type').notNull(),
  /** Chuẩn nghèo: at or below it, income counts as poor. */
  povertyLine: bigint('poverty_line', { mode: 'number' }).notNull(),
  /** Upper end of the near-poor band (VN-2016-2020's minimum living standard; HCM's 46,000,000; VN-2022-2025's own line). */
  nearPoorLine: bigint('near_poor_line', { mode: 'number' }).notNull(),
  /** Upper end of the average-living-standard band (mức sống trung bình), where the standard defines one. */
  averageLine: bigint('average_line', { mode: 'number' }),
}, (t) => [primaryKey({ columns: [t.standardCode, t.areaType] })]);

/** Dimensions (chiều) and indicators (chỉ số) of a standard. */
export const povertyIndicators = householdsSchema.table('poverty_indicators', {
  standardCode: text('standard_code').notNull().references(() => povertyStandards.code),
  code: text('code').notNull(),
  name: text('name').notNull(),
  dimensionCode: text('dimension_code').notNull(),
  dimensionName: text('dimension_name').notNull(),
  position: smallint('position').notNull(),
}, (t) => [primaryKey({ columns: [t.standardCode, t.code] })]);

/** Reduction targets (chỉ tiêu giảm nghèo) of a unit for a year, in households. */
export const reductionTargets = householdsSchema.table('reduction_targets', {
  unitId: text('unit_id').notNull().references(() => units.id),
  year: smallint('year').notNull(),
  poorHouseholds: integer('poor_households'),
  nearPoorHouseholds: integer('near_poor_households'),
}, (t) => [primaryKey({ columns: [t.unitId, t.year] })]);

/** Re-assignments of households to another unit (after the 2025 reform), with the date they take effect. */
export const householdUnitChanges = householdsSchema.table('household_unit_changes', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  householdId: uuid('household_id').notNull().references(() => households.id),
  fromUnitId: text('from_unit_id').notNull().references(() => units.id),
  toUnitId: text('to_unit_id').notNull().references(() => units.id),
  effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
  recordedBy: text('recorded_by').notNull(),
}, (t) => [index('household_unit_changes_household_idx').on(t.householdId, t.effectiveOn)]);

export const households = householdsSchema.table('households', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  code: text('code').notNull(),
  address: text('address').notNull(),
  unitId: text('unit_id').notNull().references(() => units.id),
  areaType: text('area_type').notNull(),
  registeredOn: date('registered_on', { mode: 'string' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** The head's name (the first HEAD member by position), kept by triggers on members (migration 0008): for search only. */
  headName: text('head_name'),
  /**
   * What searchHouseholds matches: the folded address and head's name (households.fold_text), a line break between
   * them (a search text never holds one: it is folded with its spaces squeezed), under a trigram index.
   */
  searchText: text('search_text').notNull()
    .generatedAlwaysAs(sql`households.fold_text(address) || E'\\n' || coalesce(households.fold_text(head_name), '')`),
}, (t) => [
  uniqueIndex('households_code_idx').on(t.code), index('households_unit_idx').on(t.unitId, t.code),
  index('households_search_idx').using('gin', t.searchText.op('gin_trgm_ops')),
]);

export const members = householdsSchema.table('members', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  householdId: uuid('household_id').notNull().references(() => households.id),
  position: smallint('position').notNull(),
  fullName: text('full_name').notNull(),
  dateOfBirth: date('date_of_birth', { mode: 'string' }).notNull(),
  gender: text('gender').notNull(),
  relationToHead: text('relation_to_head').notNull(),
  nationalId: text('national_id'),
  ethnicity: text('ethnicity'),
}, (t) => [index('members_household_idx').on(t.householdId, t.position)]);

/** One review (rà soát) of one household. */
export const assessments = householdsSchema.table('assessments', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  householdId: uuid('household_id').notNull().references(() => households.id),
  reviewYear: smallint('review_year').notNull(),
  kind: text('kind').notNull(),
  assessedOn: date('assessed_on', { mode: 'string' }).notNull(),
  standardCode: text('standard_code').notNull().references(() => povertyStandards.code),
  incomePerCapita: bigint('income_per_capita', { mode: 'number' }).notNull(),
  incomePeriod: text('income_period').notNull(),
  deprivedIndicators: text('deprived_indicators').array().notNull(),
  status: text('status').notNull(),
  recordedBy: text('recorded_by').notNull(),
  /** The household's unit on the assessment date (a record keeps the unit valid when it was made). */
  unitId: text('unit_id').references(() => units.id),
  /** Nhân khẩu: the household's persons at the review, so a printed report can be reproduced later (docs/households.md). */
  persons: smallint('persons').notNull(),
}, (t) => [
  index('assessments_unit_idx').on(t.unitId, t.reviewYear), index('assessments_household_idx').on(t.householdId, t.reviewYear, t.assessedOn), index('assessments_year_idx').on(t.reviewYear, t.status),
  // the business key: one review of a household per year, kind and date (the import treats these as the same review)
  uniqueIndex('assessments_review_key').on(t.householdId, t.reviewYear, t.kind, t.assessedOn),
]);

/** Keys of mutations already applied, with their result (packages/server/src/mutations.ts: withIdempotencyKey). */
export const idempotencyKeys = idempotencyTable(householdsSchema);

export type UnitModel = typeof units.$inferSelect;
export type HouseholdModel = typeof households.$inferSelect;
export type MemberModel = typeof members.$inferSelect;
export type AssessmentModel = typeof assessments.$inferSelect;
export type PovertyStandardModel = typeof povertyStandards.$inferSelect;
export type PovertyLineModel = typeof povertyLines.$inferSelect;
export type PovertyIndicatorModel = typeof povertyIndicators.$inferSelect;
export type UnitChangeModel = typeof householdUnitChanges.$inferSelect;

/** Who read which individual's sensitive fields (append-only; docs/security.md). */
export const accessLog = accessLogTable(householdsSchema);
