/**
 * Who may read what, through the gateway: for each role, lists, lookups and `_entities`, and the masking of
 * sensitive fields. The subgraphs filter in SQL; these tests only look at what a caller gets back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoData } from '@ansinh/demo-data';
import { signInternalToken, INTERNAL_HEADER, type Role } from '@ansinh/server';
import { sharedSystem, type TestSystem } from './harness.js';
import { inHaiAn } from './support/demo.js';

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

const d = demoData();
/** Phường 1, Quận 6: a household with a loan, a BHYT card and a housing support. */
const Q6 = d.households.find((h) => h.code === '27346-00097')!;
const Q6_MEMBER = d.members.find((m) => m.householdId === Q6.id)!;
const Q6_LOAN = d.loans.find((l) => l.householdId === Q6.id)!;
const Q6_CARD = d.cards.find((c) => c.householdId === Q6.id)!;
const Q6_SUPPORT = d.housingSupports.find((s) => s.householdId === Q6.id)!;
/** Quận Hải An households with a loan, a card, a housing support. */
const HA = d.households.find((h) => inHaiAn(h.unitId) && d.loans.some((l) => l.householdId === h.id))!;
const HA_LOAN = d.loans.find((l) => l.householdId === HA.id)!;
const HA_CARD = d.cards.find((c) => inHaiAn(d.households.find((h) => h.id === c.householdId)!.unitId))!;
const HA_SUPPORT = d.housingSupports.find((s) => inHaiAn(d.households.find((h) => h.id === s.householdId)!.unitId))!;

const PICTURE = `code members { id nationalId ethnicity insuranceCards { id cardNumber } }
  loans { id code principal outstanding status } creditSummary { activeLoans outstanding } housingSupports { id code }`;

describe('a token for Quận 6 reading Quận Hải An gets nothing', () => {
  const roles: [Role, string[]][] = [['WARD_OFFICER', ['27346']], ['CITY_INTEGRATOR', ['79']], ['CREDIT_OFFICER', ['775']], ['HEALTH_OFFICER', ['775']], ['HOUSING_OFFICER', ['775']]];
  it.each(roles)('%s %j: lookups are null, lists are empty', async (role, units) => {
    const headers = await t.as(role, units);
    const res = await t.query(`query ($code: String!, $id: ID!, $loan: ID!, $support: ID!) {
      byCode: householdByCode(code: $code) { code }
      byId: household(id: $id) { code }
      list: households(unitCode: "306") { totalCount edges { node { code } } }
      loan(id: $loan) { code }
      housingSupport(id: $support) { code } }`, { code: HA.code, id: HA.id, loan: HA_LOAN.id, support: HA_SUPPORT.id }, headers);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ byCode: null, byId: null, list: { totalCount: 0, edges: [] }, loan: null, housingSupport: null });
  });

  it('and its own area is there', async () => {
    const res = await t.query(`query ($code: String!) { householdByCode(code: $code) { code } list: households(unitCode: "306") { totalCount } q6: households(unitCode: "775") { totalCount } }`,
      { code: Q6.code }, await t.as('WARD_OFFICER', ['775']));
    expect(res.data.householdByCode).toEqual({ code: Q6.code });
    expect(res.data.list.totalCount).toBe(0);
    expect(res.data.q6.totalCount).toBe(d.households.filter((h) => h.unitId.startsWith('27') && ['775@origin'].includes(d.units.find((u) => u.id === h.unitId)?.parentId ?? '')).length);
  });

  it('a ward officer of Phường 1 sees only Phường 1 of Quận 6', async () => {
    const res = await t.query(`{ households(unitCode: "775", first: 100) { totalCount edges { node { unit { code } } } } }`, {}, await t.as('WARD_OFFICER', ['27346']));
    expect(res.data.households.totalCount).toBe(d.households.filter((h) => h.unitId === '27346@origin').length);
    expect(new Set(res.data.households.edges.map((e: any) => e.node.unit.code))).toEqual(new Set(['27346']));
  });
});

describe('what each role reads of a Quận 6 household', () => {
  const member = (m: typeof Q6_MEMBER) => m.nationalId.slice(0, 4) + '*'.repeat(m.nationalId.length - 6) + m.nationalId.slice(-2);
  const card = Q6_CARD.cardNumber.slice(0, 4) + '*'.repeat(Q6_CARD.cardNumber.length - 6) + Q6_CARD.cardNumber.slice(-2);
  // role, area, then what the user sees: national id, ethnicity, loan amount, card number
  const table: [Role, string[], string, string | null, number | null, string][] = [
    ['ADMIN', [], Q6_MEMBER.nationalId, Q6_MEMBER.ethnicity, Q6_LOAN.principal, Q6_CARD.cardNumber],
    ['WARD_OFFICER', ['27346'], Q6_MEMBER.nationalId, Q6_MEMBER.ethnicity, Q6_LOAN.principal, Q6_CARD.cardNumber],
    ['CITY_INTEGRATOR', ['79'], Q6_MEMBER.nationalId, Q6_MEMBER.ethnicity, Q6_LOAN.principal, Q6_CARD.cardNumber],
    ['CREDIT_OFFICER', ['775'], member(Q6_MEMBER), null, Q6_LOAN.principal, card],
    ['HEALTH_OFFICER', ['775'], member(Q6_MEMBER), null, null, Q6_CARD.cardNumber],
    ['HOUSING_OFFICER', ['775'], member(Q6_MEMBER), null, null, card],
  ];
  it.each(table)('%s %j', async (role, units, nationalId, ethnicity, principal, cardNumber) => {
    const res = await t.query(`query ($code: String!) { householdByCode(code: $code) { ${PICTURE} } }`, { code: Q6.code }, await t.as(role, units));
    expect(res.errors).toBeUndefined();
    const h = res.data.householdByCode;
    const m = h.members.find((x: any) => x.id === Q6_MEMBER.id);
    expect([m.nationalId, m.ethnicity]).toEqual([nationalId, ethnicity]);
    const loan = h.loans.find((l: any) => l.id === Q6_LOAN.id);
    expect(loan.code).toBe(Q6_LOAN.code);
    expect(loan.principal).toBe(principal);
    expect(loan.status).toBe(principal === null ? null : Q6_LOAN.status);
    expect(h.creditSummary.activeLoans === null).toBe(principal === null);
    const cards = h.members.flatMap((x: any) => x.insuranceCards);
    expect(cards.find((c: any) => c.id === Q6_CARD.id).cardNumber).toBe(cardNumber);
    expect(h.housingSupports.map((s: any) => s.code)).toContain(Q6_SUPPORT.code);
  });

  it('ANALYST: no individual records at all', async () => {
    const headers = await t.as('ANALYST');
    for (const query of [
      `{ householdByCode(code: "${Q6.code}") { code } }`,
      `{ household(id: "${Q6.id}") { code } }`,
      `{ households(unitCode: "775") { totalCount } }`,
      `{ loan(id: "${Q6_LOAN.id}") { code } }`,
      `{ loanByCode(code: "${Q6_LOAN.code}") { code } }`,
      `{ housingSupport(id: "${Q6_SUPPORT.id}") { code } }`,
    ]) {
      const res = await t.query(query, {}, headers);
      expect(res.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
      expect(Object.values(res.data ?? { x: null })[0], query).toBeNull();
    }
  });
});

describe('_entities: the subgraphs filter references too', () => {
  /** Calls a subgraph directly, as the gateway would, with an internal token for the given caller. */
  async function entities(subgraph: 'households' | 'credit' | 'health' | 'housing', representations: object[], selection: string, role: Role, units: string[]) {
    const token = await signInternalToken({ sub: 'test', role, units, requestId: 'test-entities', operationName: null }, t.system.internalSecret);
    const res = await fetch(t.system.subgraphs[subgraph].url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_HEADER]: token },
      body: JSON.stringify({ query: `query ($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`, variables: { r: representations } }),
    });
    return (await res.json()) as any;
  }

  it.each([
    ['households', [{ __typename: 'Household', id: HA.id }], '... on Household { code }'],
    ['households', [{ __typename: 'Member', id: d.members.find((m) => m.householdId === HA.id)!.id }], '... on Member { fullName }'],
    ['credit', [{ __typename: 'Loan', id: HA_LOAN.id }], '... on Loan { code }'],
    ['health', [{ __typename: 'InsuranceCard', id: HA_CARD.id }], '... on InsuranceCard { cardNumber }'],
    ['housing', [{ __typename: 'HousingSupport', id: HA_SUPPORT.id }], '... on HousingSupport { code }'],
  ] as const)('%s %j for a Quận 6 officer is null', async (subgraph, reps, selection) => {
    const res = await entities(subgraph, [...reps], selection, 'CITY_INTEGRATOR', ['79']);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([null]);
    // and the same reference for a Hải Phòng officer is there
    const own = await entities(subgraph, [...reps], selection, 'CITY_INTEGRATOR', ['31']);
    expect(own.data._entities[0]).not.toBeNull();
  });

  it('a Hải An household\'s loans, cards and supports referenced by id are empty for Quận 6', async () => {
    const member = d.members.find((m) => m.householdId === HA_CARD.householdId && m.id === HA_CARD.memberId)!;
    const loans = await entities('credit', [{ __typename: 'Household', id: HA.id }], '... on Household { loans { code } }', 'CREDIT_OFFICER', ['775']);
    const cards = await entities('health', [{ __typename: 'Member', id: member.id }], '... on Member { insuranceCards { cardNumber } }', 'HEALTH_OFFICER', ['775']);
    const supports = await entities('housing', [{ __typename: 'Household', id: HA_SUPPORT.householdId }], '... on Household { housingSupports { code } }', 'HOUSING_OFFICER', ['775']);
    expect([loans.data._entities, cards.data._entities, supports.data._entities]).toEqual([[{ loans: [] }], [{ insuranceCards: [] }], [{ housingSupports: [] }]]);
  });

  it('ANALYST references resolve to nothing', async () => {
    const res = await entities('households', [{ __typename: 'Household', id: Q6.id }], '... on Household { code }', 'ANALYST', []);
    expect(res.data._entities).toEqual([null]);
  });
});

describe('direct calls to a subgraph without the gateway\'s credential', () => {
  const query = JSON.stringify({ query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Household { code } } }`, variables: { r: [{ __typename: 'Household', id: Q6.id }] } });
  it.each(['households', 'credit', 'health', 'housing'] as const)('%s refuses them with 401', async (name) => {
    const url = t.system.subgraphs[name].url;
    const none = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query });
    const forged = await signInternalToken({ sub: 'x', role: 'ADMIN', units: [], requestId: 'x', operationName: null }, 'a-secret-that-is-not-the-gateways-secret-at-all');
    const wrong = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [INTERNAL_HEADER]: forged }, body: query });
    // a client token is not the internal credential either
    const client = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(await t.as('ADMIN')) }, body: query });
    for (const res of [none, wrong, client]) {
      expect(res.status).toBe(401);
      const body = await res.json() as any;
      expect(body.data).toBeUndefined();
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});
