/** The housing subgraph's tables, in the PostgreSQL schema `housing`. */
import { sql } from 'drizzle-orm';
import { bigint, date, index, pgSchema, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accessLogTable, idempotencyTable, placementsOf, registryTables, type SummarySource, summaryTables, unitTables } from '@ansinh/db';

export const housingSchema = pgSchema('housing');

/** Administrative units and the 2025 crosswalk, as every subgraph has them (packages/db/src/units.ts). */
export const { units, unitLinks } = unitTables(housingSchema);
/** The registry's households, placements, members and reviews, as this subgraph follows them (docs/areas.md). */
export const { registryHouseholds, registryPlacements, registryMembers, registryReviews } = registryTables(housingSchema);
/** Report figures kept per unit, valid while the unit's version is current (packages/db summaries.ts). */
export const { reportSummaries, summaryVersions, summaryEpoch } = summaryTables(housingSchema);
/** Keys of the mutations already applied, with their first result. */
export const idempotencyKeys = idempotencyTable(housingSchema);

/** Housing programmes: national target programme, makeshift-house replacement, Great Solidarity houses, cities'. */
export const programmes = housingSchema.table('programmes', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  /** null: national; otherwise the province code of a city's programme */
  jurisdiction: text('jurisdiction'),
});

/** Housing supports (new builds and repairs); the household is an id owned by the households subgraph. */
export const supports = housingSchema.table('supports', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  code: text('code').notNull(),
  householdId: uuid('household_id').notNull(),
  kind: text('kind').notNull(),
  programme: text('programme').notNull().references(() => programmes.code),
  /** the household's poverty status when the support was proposed (POOR, NEAR_POOR) */
  beneficiaryStatus: text('beneficiary_status').notNull(),
  status: text('status').notNull(),
  proposedOn: date('proposed_on', { mode: 'string' }).notNull(),
  approvedOn: date('approved_on', { mode: 'string' }),
  constructionStartedOn: date('construction_started_on', { mode: 'string' }),
  completedOn: date('completed_on', { mode: 'string' }),
  handedOverOn: date('handed_over_on', { mode: 'string' }),
}, (t) => [
  // unique within its household (see credit's loans)
  uniqueIndex('supports_household_code_idx').on(t.householdId, t.code),
  index('supports_code_idx').on(t.code),
  index('supports_household_idx').on(t.householdId, t.proposedOn),
]);

/** Where the money for a support comes from, one row per source. */
export const fundingLines = housingSchema.table('funding_lines', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  supportId: uuid('support_id').notNull().references(() => supports.id),
  source: text('source').notNull(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
}, (t) => [index('funding_lines_support_idx').on(t.supportId)]);

export type HousingSupportModel = typeof supports.$inferSelect;
export type FundingLineModel = typeof fundingLines.$inferSelect;
export type HousingProgrammeModel = typeof programmes.$inferSelect;

/** Who read which household's housing support funding (append-only; docs/security.md). */
export const accessLog = accessLogTable(housingSchema);

/**
 * What those figures count (housingStatistics, the gap flags): supports, their funding, where their households are
 * and their reviews; each write raises the versions of the units it touches (triggers installed at start).
 */
export const summarySources: SummarySource[] = [
  { table: 'supports', units: placementsOf('housing', 'select household_id from changed') },
  { table: 'funding_lines', units: placementsOf('housing', 'select s.household_id from housing.supports s where s.id in (select support_id from changed)') },
  { table: 'registry_reviews', units: placementsOf('housing', 'select household_id from changed') },
  { table: 'registry_placements', units: 'select unit_id from changed' },
];
