/**
 * EXPLAIN ANALYZE of a report's main statement on a benchmark database (where the time goes):
 *   node --import tsx test/bench/explain.ts DATABASE_URL credit|health|households UNIT_ID [ON]
 */
import { connect, placedOn, reviewedOn, rows, sql } from '@ansinh/db';
import { credit } from '@ansinh/credit';

const [url, what, unitId, on = '2025-12-31'] = process.argv.slice(2);
const statements: Record<string, ReturnType<typeof sql>> = {
  placed: sql`with recursive ${placedOn('credit', unitId!, on)} select count(*) from placed`,
  credit: sql`with recursive ${placedOn('credit', unitId!, on)}
    select count(*), sum(l.principal - coalesce((select sum(t.amount) from credit.loan_transactions t where t.loan_id = l.id and t.kind in ('REPAYMENT', 'WRITE_OFF') and t.occurred_on <= ${on}), 0))
    from credit.loans l where l.household_id in (select household_id from placed) and l.disbursed_on <= ${on}`,
  reviewed: sql`with recursive ${placedOn('health', unitId!, on)}, ${reviewedOn('health', on)} select status, count(*), sum(persons) from reviewed group by status`,
};
const connection = await connect({ url, max: 1 });
const db = credit(connection).db;
for (const r of await rows<{ 'QUERY PLAN': string }>(db as never, sql`explain (analyze, buffers) ${statements[what!]!}`)) console.log(r['QUERY PLAN']);
await connection.close();
