/**
 * Bulk import of the health subgraph's records: the BHYT/BHXH support rules (reference data: national rows by ADMIN,
 * a province's own rows by its integrators) and BHYT cards, upserted by member and card number (a card number is
 * unique per member, so an import matches only cards of members the caller may write). Household and member come as
 * business keys (household code, member position), resolved by the orchestrator through the households subgraph
 * (`refs`: only households of the caller's area). A card's support layers follow the rules in force on its first day
 * (the national rules and its province's, cards.ts), the rules of this import included.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { bulkInsert, rows, type Db } from '@ansinh/db';
import {
  cell, chunks, CSV_OPTIONS, emptyCounts, firstOfKey, readRows, sameFields,
  type Column, type CsvRecord, type HouseholdRef, type ImportCaller, type ImportCounts, type ImportIssue, type Progress, type Row } from '@ansinh/server';
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

export class HealthImport {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<HealthKind, ImportCounts> = { support_rules: emptyCounts(), insurance_cards: emptyCounts() };
  private files: { [K in HealthKind]: { file: string; rows: Row<any>[] }[] } = { support_rules: [], insurance_cards: [] };
  private plan = {
    rules: { insert: [] as SupportRuleModel[], update: [] as SupportRuleModel[] },
    cards: { insert: [] as { card: CardModel; layers: SupportLayerModel[] }[], update: [] as { card: CardModel; layers: SupportLayerModel[] }[] },
  };

  constructor(private readonly db: HealthDb, private readonly progress: Progress = () => {}) {}

  async readFile(kind: HealthKind, input: Readable, file: string): Promise<void> {
    const rows = await readRows(input.pipe(parse(CSV_OPTIONS)) as AsyncIterable<CsvRecord>, file, COLUMNS[kind], this.issues, this.progress);
    this.files[kind].push({ file, rows });
  }

  householdCodes(): string[] {
    return [...new Set(this.files.insurance_cards.flatMap((f) => f.rows.map((r) => r.value.household_code as string)))];
  }

  async validate(caller: ImportCaller, refs: Map<string, HouseholdRef>): Promise<void> {
    const issue = (file: string, row: Row<any>, column: string, reason: string) => this.issues.push({ file, line: row.line, column, value: row.text(column), reason });

    // support rules: national rows by ADMIN, a province's rows by whoever's area holds the whole province
    const storedRules = new Map((await this.db.select().from(supportRules)).map((r) => [ruleKey(r), r]));
    const rules = new Map<string, Rule>(storedRules);
    for (const { file, rows: list } of this.files.support_rules) {
      for (const row of firstOfKey(list as Row<RuleIn>[], (v) => ruleKey({ scheme: v.scheme, beneficiaryGroup: v.beneficiary_group, jurisdiction: v.jurisdiction, funder: v.funder, validFrom: v.valid_from }), file, 'valid_from', this.issues)) {
        const v = row.value;
        if (v.jurisdiction === null ? caller.units !== null : !(caller.units === null || caller.units.includes(v.jurisdiction))) {
          issue(file, row, 'jurisdiction', v.jurisdiction === null ? 'national rules are reference data: only ADMIN imports them' : `province ${v.jurisdiction} is not your area`);
          continue;
        }
        if (v.valid_to && v.valid_to < v.valid_from) { issue(file, row, 'valid_to', `before valid_from (${v.valid_from})`); continue; }
        const next = { scheme: v.scheme, beneficiaryGroup: v.beneficiary_group, jurisdiction: v.jurisdiction, funder: v.funder, percent: Number(v.percent).toFixed(2), validFrom: v.valid_from, validTo: v.valid_to };
        const old = storedRules.get(ruleKey(next));
        const id = old?.id ?? randomUUID();
        rules.set(ruleKey(next), { ...next, id });
        if (!old) { this.plan.rules.insert.push({ ...next, id }); this.counts.support_rules.added++; }
        else if (Number(old.percent) === Number(next.percent) && old.validTo === next.validTo) this.counts.support_rules.unchanged++;
        else { this.plan.rules.update.push({ ...next, id }); this.counts.support_rules.changed++; }
      }
    }
    const bhyt = [...rules.values()].filter((r) => r.scheme === 'BHYT');

    // cards, matched within their member (the stored cards of members outside the area are never looked at)
    const cardRows = this.files.insurance_cards.flatMap((f) => f.rows.map((row) => ({ file: f.file, row: row as Row<CardIn> })));
    const memberIds = [...new Set(cardRows.map((r) => refs.get(r.row.value.household_code)?.members.get(r.row.value.member_position)).filter((m): m is string => !!m))];
    const stored = new Map<string, CardModel>();
    for (const batch of chunks(memberIds, 10_000)) {
      for (const c of await this.db.select().from(insuranceCards).where(inArray(insuranceCards.memberId, batch))) stored.set(`${c.memberId}|${c.cardNumber}`, c);
    }
    const storedLayers = new Map<string, SupportLayerModel[]>();
    const storedIds = [...stored.values()].map((c) => c.id);
    for (const batch of chunks(storedIds, 10_000)) {
      for (const l of await this.db.select().from(supportLayers).where(inArray(supportLayers.cardId, batch))) storedLayers.set(l.cardId!, [...(storedLayers.get(l.cardId!) ?? []), l]);
    }
    const provinces = await this.provinces([...new Set([...refs.values()].map((r) => r.unitId))]);
    const seen = new Map<string, string>();
    for (const { file, rows: list } of this.files.insurance_cards) {
      for (const row of firstOfKey(list as Row<CardIn>[], (v) => `${v.household_code}|${v.member_position}|${v.card_number}`, file, 'card_number', this.issues)) {
        const v = row.value;
        const ref = refs.get(v.household_code);
        if (!ref) { issue(file, row, 'household_code', `no household ${v.household_code} in your area, stored or in the households file`); continue; }
        const member = ref.members.get(v.member_position);
        if (!member) { issue(file, row, 'member_position', `household ${v.household_code} has no member at position ${v.member_position}`); continue; }
        const key = `${member}|${v.card_number}`;
        if (seen.has(key)) { issue(file, row, 'card_number', `also in ${seen.get(key)}`); continue; }
        seen.set(key, file);
        if (v.valid_to <= v.valid_from) { issue(file, row, 'valid_to', `not after valid_from (${v.valid_from})`); continue; }
        if (v.premium <= 0) { issue(file, row, 'premium', 'must be more than 0'); continue; }
        const old = stored.get(key);
        const card: CardModel = { id: old?.id ?? randomUUID(), cardNumber: v.card_number, memberId: member, householdId: ref.id, beneficiaryGroup: v.beneficiary_group,
          validFrom: v.valid_from, validTo: v.valid_to, premium: v.premium, renews: old?.renews ?? null };
        // the rules in force on the card's first day: the national ones and its province's
        const province = provinces.get(ref.unitId) ?? null;
        const layers: SupportLayerModel[] = bhyt.filter((r) => r.beneficiaryGroup === card.beneficiaryGroup && (r.jurisdiction === null || r.jurisdiction === province)
          && r.validFrom <= card.validFrom && (r.validTo === null || r.validTo >= card.validFrom))
          .map((r) => ({ id: randomUUID(), cardId: card.id, contributionId: null, funder: r.funder, percent: r.percent, amount: Math.round((card.premium * Number(r.percent)) / 100) }));
        const layerKey = (ls: { funder: string; amount: number }[]) => JSON.stringify(ls.map((l) => [l.funder, Number(l.amount)]).sort());
        if (!old) { this.plan.cards.insert.push({ card, layers }); this.counts.insurance_cards.added++; }
        else if (sameFields(old, card) && layerKey(storedLayers.get(old.id) ?? []) === layerKey(layers)) this.counts.insurance_cards.unchanged++;
        else { this.plan.cards.update.push({ card, layers }); this.counts.insurance_cards.changed++; }
      }
    }
  }

  /** The province code of each unit (this subgraph's own units). */
  private async provinces(unitIds: string[]): Promise<Map<string, string>> {
    if (!unitIds.length) return new Map();
    const found = await rows<{ id: string; code: string }>(this.db, sql`
      with recursive up(start, id, parent_id, code) as (
        select id, id, parent_id, code from health.units where id = any(array(select json_array_elements_text(${JSON.stringify(unitIds)}::json)))
        union all select up.start, u.id, u.parent_id, u.code from health.units u join up on u.id = up.parent_id
      ) select start as id, code from up where parent_id is null`);
    return new Map(found.map((f) => [f.id, f.code]));
  }

  /** Writes the planned rows with `tx`: the import's one transaction, opened by the orchestrator. */
  async apply(tx: Db): Promise<void> {
    const p = this.plan;
    await bulkInsert(tx as never, supportRules, p.rules.insert);
    for (const r of p.rules.update) await tx.update(supportRules).set({ percent: r.percent, validTo: r.validTo }).where(eq(supportRules.id, r.id));
    if (!p.cards.insert.length && !p.cards.update.length) return;
    await bulkInsert(tx as never, insuranceCards, p.cards.insert.map((x) => x.card));
    await bulkInsert(tx as never, supportLayers, p.cards.insert.flatMap((x) => x.layers));
    for (const { card, layers } of p.cards.update) {
      await tx.update(insuranceCards).set(card).where(eq(insuranceCards.id, card.id));
      await tx.delete(supportLayers).where(and(eq(supportLayers.cardId, card.id)));
      if (layers.length) await tx.insert(supportLayers).values(layers);
    }
    this.progress(`health subgraph: ${(p.cards.insert.length + p.cards.update.length).toLocaleString('en')} insurance cards written`);
  }
}
