/**
 * creditStatistics: a unit's policy credit on a date, per programme, from the loans' history, counting the loans of
 * the households placed in the unit on that date (below it, or rolled up through the 2025 crosswalk: docs/areas.md).
 */
import { sql } from 'drizzle-orm';
import { placedInTree, placedOn, rows } from '@ansinh/db';
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
 * Each loan disbursed by `on` to a household in `placed`, with what was outstanding on `on` (principal less the
 * repayments and write-offs up to it): CTE `m`, after a `placed` CTE. An imported loan's balance comes in as those
 * movements too (credit's import), so the imported outstanding is what this counts.
 */
function loansOn(on: string, since: string | null, lender: string | null) {
  const from = since ?? on;
  return sql`l as (
      select l.id, l.household_id, l.programme, l.disbursed_on, l.principal, l.overdue, l.overdue_since,
             l.principal - coalesce((select sum(t.amount) from credit.loan_transactions t
               where t.loan_id = l.id and t.kind in ('REPAYMENT', 'WRITE_OFF') and t.occurred_on <= ${on}), 0) as outstanding
      from credit.loans l
      where l.household_id in (select household_id from placed) and l.disbursed_on <= ${on} ${lender ? sql`and l.lender = ${lender}` : sql``}
    ), m as (
      select *, programme in (${sql.join(POVERTY_REDUCTION.map((p) => sql`${p}`), sql`, `)}) as poverty,
             case when outstanding > 0 and overdue_since <= ${on} then least(overdue, outstanding) else 0 end as overdue_on,
             disbursed_on >= ${from} as disbursed_in
      from l
    )`;
}

/**
 * One statement: the loans of the households placed in the unit on `on` (`loansOn`), summed per programme and for
 * the poverty-reduction group.
 */
export async function creditStatistics(db: CreditDb, unitId: string, on: string, since: string | null, lender: string | null): Promise<CreditStatisticsModel> {
  const result = await rows<Row>(db, sql`
    with recursive ${placedOn('credit', unitId, on)}, ${loansOn(on, since, lender)}
    select programme, poverty,
           count(distinct household_id) filter (where outstanding > 0)::int as borrowers,
           count(*) filter (where outstanding > 0)::int as loans,
           coalesce(sum(outstanding) filter (where outstanding > 0), 0)::bigint as outstanding,
           coalesce(sum(overdue_on), 0)::bigint as overdue,
           count(distinct household_id) filter (where disbursed_in)::int as disbursed_households,
           count(*) filter (where disbursed_in)::int as disbursed_loans,
           coalesce(sum(principal) filter (where disbursed_in), 0)::bigint as disbursed_amount
    from m group by grouping sets ((programme), (poverty))`);
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
 * The same households counted for every unit of the report's tree (packages/db placedInTree), in one statement,
 * for the small-cell rules that decide each unit's figures in its parent's group.
 */
export async function creditTree(db: CreditDb, unitId: string, on: string, since: string | null, lender: string | null) {
  // the nodes (with no programme) and their counts, in one statement
  const found = await rows<{ node: boolean; node_id: string; parent_id: string | null; programme: string | null; poverty: boolean | null; borrowers: number; disbursed_households: number }>(db, sql`
    with recursive ${placedInTree('credit', unitId, on)}, ${loansOn(on, since, lender)}
    select true as node, id as node_id, parent_id, null::text as programme, null::boolean as poverty, 0 as borrowers, 0 as disbursed_households from tree_nodes
    union all
    select false, t.node_id, null, m.programme, m.poverty,
           count(distinct m.household_id) filter (where m.outstanding > 0)::int,
           count(distinct m.household_id) filter (where m.disbursed_in)::int
    from m join tree_placed t on t.household_id = m.household_id
    group by grouping sets ((t.node_id, m.programme), (t.node_id, m.poverty))`);
  return treeOfRows(found, CREDIT_MEASURES, (r) => {
    const key = r.programme ?? (r.poverty === true ? 'povertyReduction' : null);
    return key ? [[`${key}.borrowers`, r.borrowers], [`${key}.disbursedHouseholds`, since ? r.disbursed_households : null]] : [];
  });
}
