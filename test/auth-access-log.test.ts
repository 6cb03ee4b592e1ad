/**
 * The access log: each read of an individual's unmasked sensitive fields is recorded once per request (who, role,
 * entity, fields, operation, request id, time), in one INSERT per subgraph; ADMIN reads it through GraphQL; it is
 * append-only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoData } from '@ansinh/demo-data';
import { testSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await testSystem(); });
afterAll(async () => { await t?.close(); });

const d = demoData();
const H = d.households.find((h) => h.code === '27346-00097')!;
const MEMBERS = d.members.filter((m) => m.householdId === H.id);
const LOANS = d.loans.filter((l) => l.householdId === H.id);
const CARDS = d.cards.filter((c) => c.householdId === H.id);
const ENTRY = 'subject role subgraph entityType entityId householdId fields operationName requestId at';
const PAGE = `first: 100) { edges { node { ${ENTRY} } } }`;

async function logOf(requestId: string) {
  const res = await t.query(`query ($since: String!) { accessLog(since: $since) {
    households(${PAGE} credit(${PAGE} health(${PAGE} housing(${PAGE} } }`, { since: new Date(Date.now() - 60_000).toISOString() });
  expect(res.errors).toBeUndefined();
  const all = ['households', 'credit', 'health', 'housing'].flatMap((s) => res.data.accessLog[s].edges.map((e: { node: unknown }) => e.node));
  return all.filter((e: { requestId: string }) => e.requestId === requestId);
}

describe('the access log', () => {
  it('records each sensitive read once per request, however often the operation asks for it', async () => {
    const headers = await t.as('WARD_OFFICER', ['27346']);
    const res = await t.query(`query ReviewVisit($code: String!) {
      a: householdByCode(code: $code) { members { nationalId ethnicity insuranceCards { cardNumber } } loans { outstanding status } }
      b: householdByCode(code: $code) { members { nationalId } loans { outstanding } } }`, { code: H.code }, headers);
    expect(res.errors).toBeUndefined();
    const requestId = res.requestId;
    const entries = await logOf(requestId);
    // each field of each record read, exactly once (the gateway calls credit once per alias: the second call
    // logs only what the first did not)
    const reads = entries.flatMap((e: any) => e.fields.map((f: string) => `${e.entityType} ${e.entityId} ${f}`)).sort();
    expect(reads).toEqual([
      ...MEMBERS.flatMap((m) => [`Member ${m.id} ethnicity`, `Member ${m.id} nationalId`]),
      ...LOANS.flatMap((l) => [`Loan ${l.id} outstanding`, `Loan ${l.id} status`]),
      ...CARDS.map((c) => `InsuranceCard ${c.id} cardNumber`),
    ].sort());
    // every entry names the household the individual or record belongs to
    expect(entries.map((e: any) => e.householdId)).toEqual(entries.map(() => H.id));
    const member = entries.find((e: any) => e.entityId === MEMBERS[0]!.id);
    expect(member).toMatchObject({
      subject: 'test-ward_officer', role: 'WARD_OFFICER', subgraph: 'households', entityType: 'Member',
      fields: ['ethnicity', 'nationalId'], operationName: 'ReviewVisit', requestId,
    });
    expect(Date.now() - Date.parse(member.at)).toBeLessThan(60_000);
    expect(entries.find((e: any) => e.entityId === LOANS[0]!.id)).toMatchObject({ subgraph: 'credit', entityType: 'Loan', role: 'WARD_OFFICER' });
    expect(entries.find((e: any) => e.entityId === CARDS[0]!.id)).toMatchObject({ subgraph: 'health', entityType: 'InsuranceCard', fields: ['cardNumber'] });
  });

  it('does not record masked fields, nor non-sensitive reads', async () => {
    const headers = await t.as('HOUSING_OFFICER', ['775']);
    const res = await t.query(`query ($code: String!) { householdByCode(code: $code) { code members { fullName nationalId insuranceCards { cardNumber } } loans { outstanding } } }`, { code: H.code }, headers);
    expect(res.data.householdByCode.members[0].nationalId).toMatch(/^\d{4}\*+\d{2}$/);
    expect(await logOf(res.requestId)).toEqual([]);
    // while a role that sees them is logged for the same query
    const admin = await t.query(`query ($code: String!) { householdByCode(code: $code) { members { nationalId } } }`, { code: H.code });
    expect((await logOf(admin.requestId)).map((e: any) => e.entityId).sort()).toEqual(MEMBERS.map((m) => m.id).sort());
  });

  it('writes one statement per subgraph per request, however many records were read', async () => {
    const headers = await t.as('CITY_INTEGRATOR', ['79']);
    const page = (n: number) => `{ households(unitCode: "775", first: ${n}) { edges { node { members { nationalId } loans { outstanding } } } } }`;
    const plain = (n: number) => `{ households(unitCode: "775", first: ${n}) { edges { node { members { fullName } loans { code } } } } }`;
    // the caller's area is resolved by the first request and reused by later ones (packages/server area.ts)
    await t.query(plain(1), {}, headers);
    const logged = await t.countStatements(() => t.query(page(50), {}, headers));
    const notLogged = await t.countStatements(() => t.query(plain(50), {}, headers));
    expect(logged.households - notLogged.households).toBe(1);
    expect(logged.credit - notLogged.credit).toBe(1);
  });

  it('a client cannot choose the request id (and so cannot hide reads behind an old one)', async () => {
    const res = await t.query(`{ __typename }`, {}, { 'x-request-id': 'chosen-by-the-client' });
    expect(res.requestId).not.toBe('chosen-by-the-client');
    expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is for ADMIN only', async () => {
    for (const [role, units] of [['WARD_OFFICER', ['27346']], ['ANALYST', []], ['CITY_INTEGRATOR', ['79']]] as const) {
      const res = await t.query(`{ accessLog(since: "2020-01-01T00:00:00Z") { households { edges { node { subject } } } credit { edges { node { subject } } } } }`, {}, await t.as(role, [...units]));
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(res.data?.accessLog ?? null).toBeNull();
    }
  });

  it('reads a busy period back whole, page by page, within since and until, and logs housing funding reads', async () => {
    const since = new Date().toISOString();
    const ids: string[] = [];
    // 7 reads of one household's housing funding, each its own request
    const hh = d.housingSupports.find((s) => d.fundingLines.some((f) => f.supportId === s.id))!;
    const code = d.households.find((h) => h.id === hh.householdId)!.code;
    for (let i = 0; i < 7; i++) ids.push((await t.query(`query ($code: String!) { householdByCode(code: $code) { housingSupports { fundingLines { amount } } } }`, { code })).requestId);
    const until = new Date(Date.now() + 1).toISOString();
    // and one more after `until`: not in the period
    const later = (await t.query(`query ($code: String!) { householdByCode(code: $code) { housingSupports { householdContribution } } }`, { code })).requestId;
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res: any = await t.query(`query ($since: String!, $until: String, $after: String) { accessLog(since: $since, until: $until) {
        until housing(first: 3, after: $after) { edges { node { requestId householdId entityType fields } } pageInfo { hasNextPage endCursor } } } }`, { since, until, after });
      expect(res.errors).toBeUndefined();
      const page = res.data.accessLog.housing;
      expect(page.edges.length).toBeLessThanOrEqual(3);
      for (const e of page.edges) {
        expect(e.node).toMatchObject({ householdId: hh.householdId, entityType: 'HousingSupport', fields: ['fundingLines'] });
        seen.push(e.node.requestId);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    // every request of the period once, oldest first; none after `until`
    const supports = d.housingSupports.filter((s) => s.householdId === hh.householdId).length;
    expect(seen).toEqual(ids.flatMap((id) => Array(supports).fill(id)));
    expect(seen).not.toContain(later);
  });

  it.each(['households', 'credit', 'health', 'housing'])('%s.access_log refuses UPDATE and DELETE', async (schema) => {
    const run = (text: string) => t.connection.kind === 'pglite' ? t.connection.pglite.query(text) : t.connection.sql.unsafe(text);
    await run(`insert into ${schema}.access_log (subject, role, entity_type, entity_id, fields, request_id) values ('t', 'ADMIN', 'Test', 'x', '{f}', 'r')`);
    await expect(run(`update ${schema}.access_log set role = 'ANALYST'`)).rejects.toThrow(/append-only/);
    await expect(run(`delete from ${schema}.access_log`)).rejects.toThrow(/append-only/);
    await expect(run(`truncate ${schema}.access_log`)).rejects.toThrow(/append-only/);
  });
});
