/**
 * Bulk import of the health subgraph's BHYT cards (upsert by card number). Household and member come as business
 * keys (household code, member position), resolved by the orchestrator through the households subgraph; this
 * subgraph reads only its own tables. Applied in one transaction over `health.insurance_cards`.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { bulkInsert, type Db } from '@ansinh/db';
import { eq, inArray } from 'drizzle-orm';
import {
  cell, chunks, CSV_OPTIONS, emptyCounts, firstOfKey, inCallerArea, readRows,
  type Column, type CsvRecord, type HouseholdRef, type ImportCaller, type ImportCounts, type ImportIssue, type Progress, type Row, sameFields } from '@ansinh/server';
import type { HealthDb } from '../context.js';
import { insuranceCards, type CardModel } from '../db/schema.js';

export const HEALTH_KINDS = ['insurance_cards'] as const;
export type HealthKind = (typeof HEALTH_KINDS)[number];

const GROUPS = ['POOR_HOUSEHOLD', 'NEAR_POOR_HOUSEHOLD', 'NEWLY_ESCAPED_HOUSEHOLD', 'OTHER'] as const;

interface CardIn { card_number: string; household_code: string; member_position: number; beneficiary_group: string; valid_from: string; valid_to: string; premium: number }

export const CARD_COLUMNS: Column[] = [
  // BHYT card numbers: two letters, a digit, then 12 digits (e.g. HN2790123456789)
  { name: 'card_number', parse: cell.pattern(/^[A-Z]{2}\d{13}$/, 'a BHYT card number (2 capital letters and 13 digits)') },
  { name: 'household_code', parse: cell.code() },
  { name: 'member_position', parse: cell.int(1, 99) },
  { name: 'beneficiary_group', parse: cell.oneOf(GROUPS) },
  { name: 'valid_from', parse: cell.date({ future: true }) },
  { name: 'valid_to', parse: cell.date({ future: true }) },
  { name: 'premium', parse: cell.money() },
];

export class HealthImport {
  readonly issues: ImportIssue[] = [];
  readonly counts: Record<HealthKind, ImportCounts> = { insurance_cards: emptyCounts() };
  private files: { file: string; rows: Row<CardIn>[] }[] = [];
  private insert: CardModel[] = [];
  private update: CardModel[] = [];

  constructor(private readonly db: HealthDb, private readonly progress: Progress = () => {}) {}

  async readFile(_kind: HealthKind, input: Readable, file: string): Promise<void> {
    const rows = await readRows<CardIn>(input.pipe(parse(CSV_OPTIONS)) as AsyncIterable<CsvRecord>, file, CARD_COLUMNS, this.issues, this.progress);
    this.files.push({ file, rows });
  }

  householdCodes(): string[] {
    return [...new Set(this.files.flatMap((f) => f.rows.map((r) => r.value.household_code)))];
  }

  async validate(caller: ImportCaller, refs: Map<string, HouseholdRef>): Promise<void> {
    const stored = new Map<string, CardModel>();
    const numbers = [...new Set(this.files.flatMap((f) => f.rows.map((r) => r.value.card_number)))];
    for (const batch of chunks(numbers, 10_000)) {
      for (const c of await this.db.select().from(insuranceCards).where(inArray(insuranceCards.cardNumber, batch))) stored.set(c.cardNumber, c);
    }
    const seen = new Map<string, string>();
    for (const { file, rows } of this.files) {
      for (const row of firstOfKey(rows, (v) => v.card_number, file, 'card_number', this.issues)) {
        const v = row.value;
        const issue = (column: string, reason: string) => this.issues.push({ file, line: row.line, column, value: row.text(column), reason });
        if (seen.has(v.card_number)) { issue('card_number', `also in ${seen.get(v.card_number)}`); continue; }
        seen.set(v.card_number, file);
        const ref = refs.get(v.household_code);
        if (!ref) { issue('household_code', `no household ${v.household_code}, stored or in the households file`); continue; }
        if (!inCallerArea(caller, ref.unitCodes)) { issue('household_code', `household ${v.household_code} is outside your area (${caller.units!.join(', ')})`); continue; }
        const member = ref.members.get(v.member_position);
        let bad = false;
        if (!member) { issue('member_position', `household ${v.household_code} has no member at position ${v.member_position}`); bad = true; }
        if (v.valid_to <= v.valid_from) { issue('valid_to', `not after valid_from (${v.valid_from})`); bad = true; }
        if (bad) continue;
        const old = stored.get(v.card_number);
        const next: CardModel = { id: old?.id ?? randomUUID(), cardNumber: v.card_number, memberId: member!, householdId: ref.id, beneficiaryGroup: v.beneficiary_group,
          validFrom: v.valid_from, validTo: v.valid_to, premium: v.premium, renews: old?.renews ?? null, area: old?.area ?? ref.area };
        if (!old) { this.insert.push(next); this.counts.insurance_cards.added++; }
        else if (sameFields(old, next)) this.counts.insurance_cards.unchanged++;
        else { this.update.push(next); this.counts.insurance_cards.changed++; }
      }
    }
  }

  /** Writes the planned rows with `tx`: the import's one transaction, opened by the orchestrator. */
  async apply(tx: Db): Promise<void> {
    if (!this.insert.length && !this.update.length) return;
    await bulkInsert(tx as never, insuranceCards, this.insert);
    for (const c of this.update) await tx.update(insuranceCards).set(c).where(eq(insuranceCards.id, c.id));
    this.progress(`health subgraph: ${this.insert.length + this.update.length} insurance cards written`);
  }
}
