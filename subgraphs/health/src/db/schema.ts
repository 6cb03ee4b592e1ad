/** The health subgraph's tables, in the PostgreSQL schema `health`. */
import { sql } from 'drizzle-orm';
import { bigint, date, index, numeric, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accessLogTable, idempotencyTable, placementsOf, registryTables, type SummarySource, summaryTables, unitTables } from '@ansinh/db';

export const healthSchema = pgSchema('health');

/** Administrative units and the 2025 crosswalk, as every subgraph has them (packages/db/src/units.ts). */
export const { units, unitLinks } = unitTables(healthSchema);
/** The registry's households, placements, members and reviews, as this subgraph follows them (docs/areas.md). */
export const { registryHouseholds, registryPlacements, registryMembers, registryReviews } = registryTables(healthSchema);
/** Report figures kept per unit, valid while the unit's version is current (packages/db summaries.ts). */
export const { reportSummaries, summaryVersions, summaryEpoch } = summaryTables(healthSchema);
/** Keys of the mutations already applied, with their first result. */
export const idempotencyKeys = idempotencyTable(healthSchema);

/** BHYT cards, one row per person and validity period; member and household are ids owned by households. */
export const insuranceCards = healthSchema.table('insurance_cards', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  cardNumber: text('card_number').notNull(),
  memberId: uuid('member_id').notNull(),
  householdId: uuid('household_id').notNull(),
  beneficiaryGroup: text('beneficiary_group').notNull(),
  validFrom: date('valid_from', { mode: 'string' }).notNull(),
  validTo: date('valid_to', { mode: 'string' }).notNull(),
  premium: bigint('premium', { mode: 'number' }).notNull(),
  /** the card this one renews, if any */
  renews: uuid('renews'),
}, (t) => [
  // unique per member: an import or a mutation matches only the cards of a member the caller may write
  uniqueIndex('insurance_cards_member_number_idx').on(t.memberId, t.cardNumber),
  index('insurance_cards_number_idx').on(t.cardNumber),
  index('insurance_cards_member_idx').on(t.memberId, t.validFrom),
  index('insurance_cards_household_idx').on(t.householdId),
]);

/** BHXH tự nguyện: a member's voluntary social-insurance contribution for a period, with state support. */
export const contributions = healthSchema.table('voluntary_contributions', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  memberId: uuid('member_id').notNull(),
  householdId: uuid('household_id').notNull(),
  beneficiaryGroup: text('beneficiary_group').notNull(),
  validFrom: date('valid_from', { mode: 'string' }).notNull(),
  validTo: date('valid_to', { mode: 'string' }).notNull(),
  contribution: bigint('contribution', { mode: 'number' }).notNull(),
}, (t) => [index('voluntary_contributions_member_idx').on(t.memberId), index('voluntary_contributions_household_idx').on(t.householdId)]);

/** Who pays what share of a card's premium or a contribution: one row per funder (the stacked layers). */
export const supportLayers = healthSchema.table('support_layers', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  cardId: uuid('card_id').references(() => insuranceCards.id),
  contributionId: uuid('contribution_id').references(() => contributions.id),
  funder: text('funder').notNull(),
  percent: numeric('percent', { precision: 5, scale: 2 }).notNull(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
}, (t) => [index('support_layers_card_idx').on(t.cardId), index('support_layers_contribution_idx').on(t.contributionId)]);

/**
 * The support rules as data: for a scheme and beneficiary group, the share a funder pays, nationally
 * (jurisdiction null) or in one province (its code); a card's layers are the national rows plus its province's.
 */
export const supportRules = healthSchema.table('support_rules', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  scheme: text('scheme').notNull(),
  beneficiaryGroup: text('beneficiary_group').notNull(),
  jurisdiction: text('jurisdiction'),
  funder: text('funder').notNull(),
  percent: numeric('percent', { precision: 5, scale: 2 }).notNull(),
  validFrom: date('valid_from', { mode: 'string' }).notNull(),
  validTo: date('valid_to', { mode: 'string' }),
});

export type CardModel = typeof insuranceCards.$inferSelect;
export type ContributionModel = typeof contributions.$inferSelect;
export type SupportLayerModel = typeof supportLayers.$inferSelect;
export type SupportRuleModel = typeof supportRules.$inferSelect;

/** Who read which individual's sensitive fields (append-only; docs/security.md). */
export const accessLog = accessLogTable(healthSchema);

/**
 * What those figures count (healthStatistics, coverage, the gap flags): cards, their support layers, where their
 * households are, and the reviews (a review changes a household's coverage group and its persons); each write
 * raises the versions of the units it touches (triggers installed at start).
 */
export const summarySources: SummarySource[] = [
  { table: 'insurance_cards', units: placementsOf('health', 'select household_id from changed') },
  { table: 'support_layers', units: placementsOf('health', 'select c.household_id from health.insurance_cards c where c.id in (select card_id from changed)') },
  { table: 'registry_reviews', units: placementsOf('health', 'select household_id from changed') },
  { table: 'registry_placements', units: 'select unit_id from changed' },
];
