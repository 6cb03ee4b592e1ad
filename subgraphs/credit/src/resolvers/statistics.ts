/**
 * creditStatistics: a unit's policy credit on a date, per programme, from the loans' history, counting the loans of
 * the households placed in the unit on that date (below it, or rolled up through the 2025 crosswalk: docs/areas.md).
 */
import { sql } from 'drizzle-orm';
import { countingUnits, placedIn, recountable, summarised, summaryTree, sumFigures, type UnitFigures } from '@ansinh/db';
import { treeOfRows } from '@ansinh/server';
import type { CreditDb } from '../context.js';

export const PROGRAMMES = ['POOR_HOUSEHOLD', 'NEAR_POOR', 'NEWLY_ESCAPED', 'STUDENT', 'JOB_CREATION', 'HOUSING', 'CLEAN_WATER_SANITATION', 'LABOUR_EXPORT'];
export const POVERTY_REDUCTION = ['POOR_HOUSEHOLD', 'NEAR_POOR', 'NEWLY_ESCAPED'];

export interface ProgrammeCreditModel {
  programme: string | null;
  // null: withheld from an analyst (a small cell, suppressProgramme in index.ts)
  borrowers: number | null; loans: number | null; outstanding: number | null; overdue: number | null;
  overdueRatio: number | null; averagePerBorrower: number | null;
  disbursedHouseholds: number | null; disbursedLoans: number | null; disbursedAmount: number | null;
}
export interface CreditStatisticsModel {
  unit: { id: string }; on: string; since: string | null;
  programmes: ProgrammeCreditModel[]; povertyReduction: ProgrammeCreditModel;
}

interface Row {
  programme: string | null; poverty: boolean | null; borrowers: number; loans: number; outstanding: string; overdue: string;
  disbursed_households: number; disbursed_loans: number; disbursed_amount: string;
}

/**
 * Each loan disbursed by `on` to a household in `placed`, with the unit it is placed in and what was outstanding on `on` (principal less the
 * repayments and write-offs up to it): CTE `m`, after a `placed` CTE. An imported loan's balance comes in as those
 * movements too (credit's import), so the imported outstanding is what this counts.
 */
function loansOn(on: string, since: string | null, lender: string | null) {
  const from = since ?? on;
  return sql`l as (
      select p.unit_id, l.id, l.household_id, l.programme, l.disbursed_on, l.principal, l.overdue, l.overdue_since,
             l.principal - coalesce((select sum(t.amount) from credit.loan_transactions t
               where t.loan_id = l.id and t.kind in ('REPAYMENT', 'WRITE_OFF') and t.occurred_on <= ${on}), 0) as outstanding
      -- joined, not "in (select …)": the unit travels with each loan, and a later join on the placements (estimated
      -- at a few rows from the unit list) would be planned as a nested loop over every placement
      from placed p join credit.loans l on l.household_id = p.household_id
      where l.disbursed_on <= ${on} ${lender ? sql`and l.lender = ${lender}` : sql``}
    ), m as (
      select *, programme in (${sql.join(POVERTY_REDUCTION.map((p) => sql`${p}`), sql`, `)}) as poverty,
             case when outstanding > 0 and overdue_since <= ${on} then least(overdue, outstanding) else 0 end as overdue_on,
             disbursed_on >= ${from} as disbursed_in
      from l
    )`;
}

/** A unit's loans on `on` (`loansOn`), summed per programme and for the poverty-reduction group: its summary rows. */
interface Figures extends Row { [k: string]: unknown }

/**
 * The credit figures of each of `units` (the units households are placed in), from their summaries
 * (packages/db summaries.ts): the missing ones counted in one statement, grouped by unit.
 */
recountable('credit', 'creditStatistics', (db, a, units) => unitFigures(db, units, a.on, a.since, a.lender));
function unitFigures(db: CreditDb, units: readonly string[], on: string, since: string | null, lender: string | null): Promise<UnitFigures<Figures>> {
  return summarised<Figures>(db, 'credit', 'creditStatistics', { on, since, lender }, units, (wanted) => sql`
    ${placedIn('credit', wanted, on)}, ${loansOn(on, since, lender)},
    per_unit as (
      select m.unit_id, m.programme, m.poverty,
             count(distinct m.household_id) filter (where m.outstanding > 0)::int as borrowers,
             count(*) filter (where m.outstanding > 0)::int as loans,
             coalesce(sum(m.outstanding) filter (where m.outstanding > 0), 0)::bigint as outstanding,
             coalesce(sum(m.overdue_on), 0)::bigint as overdue,
             count(distinct m.household_id) filter (where m.disbursed_in)::int as disbursed_households,
             count(*) filter (where m.disbursed_in)::int as disbursed_loans,
             coalesce(sum(m.principal) filter (where m.disbursed_in), 0)::bigint as disbursed_amount
      from m group by grouping sets ((m.unit_id, m.programme), (m.unit_id, m.poverty))
    ),
    computed(unit_id, figures) as (
      select unit_id, jsonb_agg(to_jsonb(per_unit) - 'unit_id') from per_unit group by unit_id
    )`);
}

const KEYS = ['programme', 'poverty'] as const;

/**
 * The loans of the households placed in the unit on `on` (`loansOn`), summed per programme and for the
 * poverty-reduction group: the sum of its counting units' summaries.
 */
export async function creditStatistics(db: CreditDb, unitId: string, on: string, since: string | null, lender: string | null): Promise<CreditStatisticsModel> {
  const figures = await unitFigures(db, await countingUnits(db, 'credit', unitId), on, since, lender);
  const result = sumFigures(figures.values(), KEYS);
  const model = (programme: string | null, r: Row | undefined): ProgrammeCreditModel => {
    const outstanding = Number(r?.outstanding ?? 0);
    const overdue = Number(r?.overdue ?? 0);
    const borrowers = Number(r?.borrowers ?? 0);
    return {
      programme, borrowers, loans: Number(r?.loans ?? 0), outstanding, overdue,
      overdueRatio: outstanding > 0 ? Math.round((overdue * 10_000) / outstanding) / 100 : null,
      averagePerBorrower: borrowers > 0 ? Math.round(outstanding / borrowers) : null,
      disbursedHouseholds: since ? Number(r?.disbursed_households ?? 0) : null,
      disbursedLoans: since ? Number(r?.disbursed_loans ?? 0) : null,
      disbursedAmount: since ? Number(r?.disbursed_amount ?? 0) : null,
    };
  };
  const byProgramme = result.filter((r) => r.programme !== null);
  return {
    unit: { id: unitId }, on, since,
    programmes: PROGRAMMES.filter((p) => byProgramme.some((r) => r.programme === p)).map((p) => model(p, byProgramme.find((r) => r.programme === p))),
    povertyReduction: model(null, result.find((r) => r.programme === null && r.poverty === true)),
  };
}

/** The households counted by each of a report's figures: `${programme}.${count}`, `povertyReduction` for the group. */
export type CreditMeasure = `${string}.${'borrowers' | 'disbursedHouseholds'}`;
export const CREDIT_MEASURES: CreditMeasure[] = [...PROGRAMMES, 'povertyReduction'].flatMap((p) => [`${p}.borrowers`, `${p}.disbursedHouseholds`] as CreditMeasure[]);

/**
 * The same households counted for every unit of the report's tree (packages/db placedInTree), summed from the
 * same summaries, for the small-cell rules that decide each unit's figures in its parent's group.
 */
export async function creditTree(db: CreditDb, unitId: string, on: string, since: string | null, lender: string | null) {
  const found = await summaryTree(db, 'credit', unitId, on, (units) => unitFigures(db, units, on, since, lender), KEYS);
  return treeOfRows(found, CREDIT_MEASURES, (r) => {
    const key = r.programme ?? (r.poverty === true ? 'povertyReduction' : null);
    return key ? [[`${key}.borrowers`, Number(r.borrowers ?? 0)], [`${key}.disbursedHouseholds`, since ? Number(r.disbursed_households ?? 0) : null]] : [];
  });
}
