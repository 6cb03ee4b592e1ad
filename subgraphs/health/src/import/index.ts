/**
 * Bulk import of the health subgraph's records: the BHYT/BHXH support rules (reference data: national rows by ADMIN,
 * a province's own rows by its integrators) and BHYT cards, upserted by member and card number (a card number is
 * unique per member, so an import matches only cards of members the caller may write). Household and member come as
 * business keys (household code, member position), resolved by the orchestrator through the households subgraph
 * (`refs`: only households of the caller's area). A card's support layers follow the rules in force on its first day
 * (the national rules and its province's, cards.ts), the rules of this import included.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { bulkInsert, bulkUpdate, jsonUuids, rows, type Db, inUuids } from '@ansinh/db';
import {
  cell, emptyCounts, sameFields,
  type ChunkImporter, type Column, type ImportContext, type ImportCounts, type ImportIssue, type Progress, type Row } from '@ansinh/server';
import type { HealthDb } from '../context.js';
import { insuranceCards, supportLayers, supportRules, type CardModel, type SupportLayerModel, type SupportRuleModel } from '../db/schema.js';

export const HEALTH_KINDS = ['support_rules', 'insurance_cards'] as const;
export type HealthKind = (typeof HEALTH_KINDS)[number];

const GROUPS = ['POOR_HOUSEHOLD', 'NEAR_POOR_HOUSEHOLD', 'NEWLY_ESCAPED_HOUSEHOLD', 'OTHER'] as const;
const SCHEMES = ['BHYT', 'VOLUNTARY_SOCIAL_INSURANCE'] as const;
const FUNDERS = ['CENTRAL_BUDGET', 'PROVINCE_BUDGET', 'DISTRICT_BUDGET', 'FUND_FOR_THE_POOR', 'DONOR'] as const;

interface RuleIn { scheme: string; beneficiary_group: string; jurisdiction: string | null; funder: string; percent: string; valid_from: string; valid_to: string | null }
interface CardIn { card_number: string; household_code: string; member_position: number; beneficiary_group: string; valid_from: string; valid_to: string; premium: number }

export const COLUMNS: Record<HealthKind, Column[]> = {
  support_rules: [
    { name: 'scheme', parse: cell.oneOf(SCHEMES) },
    { name: 'beneficiary_group', parse: cell.oneOf(GROUPS) },
    // empty: a national rule; otherwise the province code
    { name: 'jurisdiction', optional: true, parse: cell.pattern(/^\d{2}$/, 'a province code (2 digits)') },
    { name: 'funder', parse: cell.oneOf(FUNDERS) },
    { name: 'percent', parse: cell.pattern(/^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/, 'a percent from 0 to 100 with at most two decimals') },
    { name: 'valid_from', parse: cell.date({ future: true }) },
    { name: 'valid_to', optional: true, parse: cell.date({ future: true }) },
  ],
  insurance_cards: [
    // BHYT card numbers: two letters, a digit, then 12 digits (e.g. HN2790123456789)
    { name: 'card_number', parse: cell.pattern(/^[A-Z]{2}\d{13}$/, 'a BHYT card number (2 capital letters and 13 digits)') },
    { name: 'household_code', parse: cell.code() },
    { name: 'member_position', parse: cell.int(1, 99) },
    { name: 'beneficiary_group', parse: cell.oneOf(GROUPS) },
    { name: 'valid_from', parse: cell.date({ future: true }) },
    { name: 'valid_to', parse: cell.date({ future: true }) },
    { name: 'premium', parse: cell.money() },
  ],
};

type Rule = Omit<SupportRuleModel, 'id'> & { id?: string };
const ruleKey = (r: { scheme: string; beneficiaryGroup: string; jurisdiction: string | null; funder: string; validFrom: string }) =>
  `${r.scheme}|${r.beneficiaryGroup}|${r.jurisdiction ?? ''}|${r.funder}|${r.validFrom}`;

export class HealthImport implements ChunkImporter<HealthKind> {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<HealthKind, ImportCounts> = { support_rules: emptyCounts(), insurance_cards: emptyCounts() };
  readonly kinds = HEALTH_KINDS;
  private storedRules = new Map<string, SupportRuleModel>();
  private rules = new Map<string, Rule>();
  private written = 0;

  constructor(private readonly db: HealthDb, private readonly progress: Progress = () => {}) {}

  columns(kind: HealthKind): Column[] {
    return COLUMNS[kind];
  }

  async begin(tx: Db): Promise<void> {
    this.storedRules = new Map((await tx.select().from(supportRules)).map((r) => [ruleKey(r), r]));
    this.rules = new Map<string, Rule>(this.storedRules);
  }

  private issue(file: string, row: Row<any>, column: string, reason: string): void {
    this.issues.push({ file, line: row.line, column, value: row.text(column), reason });
  }

  async chunk(tx: Db, kind: HealthKind, file: string, list: Row<any>[], context: ImportContext): Promise<void> {
    if (kind === 'support_rules') return this.rulesChunk(tx, file, list, context);
    return this.cardsChunk(tx, file, list, context);
  }

  /** Support rules: national rows by ADMIN, a province's rows by whoever's area holds the whole province. */
  private async rulesChunk(tx: Db, file: string, list: Row<RuleIn>[], { caller, ledger }: ImportContext): Promise<void> {
    const insert: SupportRuleModel[] = [];
    const update: SupportRuleModel[] = [];
    for (const row of await ledger.firstOfKey(`support_rules:${file}`, list, (v) => ruleKey({ scheme: v.scheme, beneficiaryGroup: v.beneficiary_group, jurisdiction: v.jurisdiction, funder: v.funder, validFrom: v.valid_from }), file, 'valid_from', this.issues)) {
      const v = row.value;
      if (v.jurisdiction === null ? caller.units !== null : !(caller.units === null || caller.units.includes(v.jurisdiction))) {
        this.issue(file, row, 'jurisdiction', v.jurisdiction === null ? 'national rules are reference data: only ADMIN imports them' : `province ${v.jurisdiction} is not your area`);
        continue;
      }
      if (v.valid_to && v.valid_to < v.valid_from) { this.issue(file, row, 'valid_to', `before valid_from (${v.valid_from})`); continue; }
      const next = { scheme: v.scheme, beneficiaryGroup: v.beneficiary_group, jurisdiction: v.jurisdiction, funder: v.funder, percent: Number(v.percent).toFixed(2), validFrom: v.valid_from, validTo: v.valid_to };
      const old = this.storedRules.get(ruleKey(next));
      const id = old?.id ?? randomUUID();
      this.rules.set(ruleKey(next), { ...next, id });
      if (!old) { insert.push({ ...next, id }); this.counts.support_rules.added++; }
      else if (Number(old.percent) === Number(next.percent) && old.validTo === next.validTo) this.counts.support_rules.unchanged++;
      else { update.push({ ...next, id }); this.counts.support_rules.changed++; }
    }
    await bulkInsert(tx, supportRules, insert);
    await bulkUpdate(tx, supportRules, update.map((r) => ({ id: r.id, percent: r.percent, validTo: r.validTo })), ['id']);
  }

  /** Cards, matched within their member (the stored cards of members outside the area are never looked at). */
  private async cardsChunk(tx: Db, file: string, list: Row<CardIn>[], context: ImportContext): Promise<void> {
    const first = await context.ledger.firstOfKey('insurance_cards', list, (v) => `${v.household_code}|${v.member_position}|${v.card_number}`, file, 'card_number', this.issues,
      (earlier) => (earlier.file === file ? undefined : `also in ${earlier.file}`));
    const refs = await context.households(tx, [...new Set(first.map((r) => r.value.household_code))]);
    const memberIds = [...new Set([...refs.values()].flatMap((r) => [...r.members.values()]))];
    const stored = new Map<string, CardModel>();
    if (memberIds.length) for (const c of await tx.select().from(insuranceCards).where(inUuids(insuranceCards.memberId, memberIds))) stored.set(`${c.memberId}|${c.cardNumber}`, c);
    const storedLayers = new Map<string, SupportLayerModel[]>();
    const storedIds = [...stored.values()].map((c) => c.id);
    if (storedIds.length) for (const l of await tx.select().from(supportLayers).where(inUuids(supportLayers.cardId, storedIds))) storedLayers.set(l.cardId!, [...(storedLayers.get(l.cardId!) ?? []), l]);
    const provinces = await this.provinces(tx, [...new Set([...refs.values()].map((r) => r.unitId))]);
    const bhyt = [...this.rules.values()].filter((r) => r.scheme === 'BHYT');
    const insert: { card: CardModel; layers: SupportLayerModel[] }[] = [];
    const update: { card: CardModel; layers: SupportLayerModel[] }[] = [];
    for (const row of first) {
      const v = row.value;
      const ref = refs.get(v.household_code);
      if (!ref) { this.issue(file, row, 'household_code', `no household ${v.household_code} in your area, stored or in the households file`); continue; }
      const member = ref.members.get(v.member_position);
      if (!member) { this.issue(file, row, 'member_position', `household ${v.household_code} has no member at position ${v.member_position}`); continue; }
      const key = `${member}|${v.card_number}`;
      if (v.valid_to <= v.valid_from) { this.issue(file, row, 'valid_to', `not after valid_from (${v.valid_from})`); continue; }
      if (v.premium <= 0) { this.issue(file, row, 'premium', 'must be more than 0'); continue; }
      const old = stored.get(key);
      const card: CardModel = { id: old?.id ?? randomUUID(), cardNumber: v.card_number, memberId: member, householdId: ref.id, beneficiaryGroup: v.beneficiary_group,
        validFrom: v.valid_from, validTo: v.valid_to, premium: v.premium, renews: old?.renews ?? null };
      // the rules in force on the card's first day: the national ones and its province's
      const province = provinces.get(ref.unitId) ?? null;
      const layers: SupportLayerModel[] = bhyt.filter((r) => r.beneficiaryGroup === card.beneficiaryGroup && (r.jurisdiction === null || r.jurisdiction === province)
        && r.validFrom <= card.validFrom && (r.validTo === null || r.validTo >= card.validFrom))
        .map((r) => ({ id: randomUUID(), cardId: card.id, contributionId: null, funder: r.funder, percent: r.percent, amount: Math.round((card.premium * Number(r.percent)) / 100) }));
      const layerKey = (ls: { funder: string; amount: number }[]) => JSON.stringify(ls.map((l) => [l.funder, Number(l.amount)]).sort());
      if (!old) { insert.push({ card, layers }); this.counts.insurance_cards.added++; }
      else if (sameFields(old, card) && layerKey(storedLayers.get(old.id) ?? []) === layerKey(layers)) this.counts.insurance_cards.unchanged++;
      else { update.push({ card, layers }); this.counts.insurance_cards.changed++; }
    }
    await bulkInsert(tx, insuranceCards, insert.map((x) => x.card));
    await bulkInsert(tx, supportLayers, insert.flatMap((x) => x.layers));
    if (update.length) {
      await bulkUpdate(tx, insuranceCards, update.map((x) => x.card), ['id']);
      await tx.execute(sql`delete from health.support_layers where card_id = any(${jsonUuids(update.map((x) => x.card.id))})`);
      await bulkInsert(tx, supportLayers, update.flatMap((x) => x.layers));
    }
    this.written += insert.length + update.length;
  }

  /** The province code of each unit (this subgraph's own units). */
  private async provinces(tx: Db, unitIds: string[]): Promise<Map<string, string>> {
    if (!unitIds.length) return new Map();
    const found = await rows<{ id: string; code: string }>(tx, sql`
      with recursive up(start, id, parent_id, code) as (
        select id, id, parent_id, code from health.units where id = any(array(select json_array_elements_text(${JSON.stringify(unitIds)}::json)))
        union all select up.start, u.id, u.parent_id, u.code from health.units u join up on u.id = up.parent_id
      ) select start as id, code from up where parent_id is null`);
    return new Map(found.map((f) => [f.id, f.code]));
  }

  async end(): Promise<void> {
    if (this.written) this.progress(`health subgraph: ${this.written.toLocaleString('en')} insurance cards written`);
  }
}
