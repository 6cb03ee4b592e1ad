/**
 * The schema as a client library sees it (issue 13): every entity-like object type has an `id` (Apollo Client's
 * normalised cache keys on `__typename` + `id`), ids are stable and unique per type, the report roots and the
 * fields a suppression or a subgraph failure can remove are nullable (partial answers keep everything else), the
 * scalars say what they are (`@specifiedBy`), and errors of a well-formed request come in a 200 with their codes for
 * an `application/json` client (GraphQL over HTTP), in a 4xx for an `application/graphql-response+json` one.
 */
import { getNamedType, isListType, isNonNullType, isObjectType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraph } from '@ansinh/server';
import { demoData } from '@ansinh/demo-data';
import { clientSchema, testSystem, type TestSystem } from './harness.js';

// a household of the demo data with a loan transaction, a card's support layer and a housing funding line
const d = demoData();
const loanOwner = new Map(d.loans.map((l) => [l.id, l.householdId]));
const cardOwner = new Map(d.cards.map((c) => [c.id, c.householdId]));
const supportOwner = new Map(d.housingSupports.map((x) => [x.id, x.householdId]));
const withTx = new Set(d.loanTransactions.map((x) => loanOwner.get(x.loanId)));
const withLayers = new Set(d.supportLayers.map((x) => x.cardId && cardOwner.get(x.cardId)));
const withLines = new Set(d.fundingLines.map((x) => supportOwner.get(x.supportId)));
/** (computed before the system starts: a long synchronous step between requests would meet a closed keep-alive socket) */
const household = d.households.find((h) => withTx.has(h.id) && withLayers.has(h.id) && withLines.has(h.id))!;

let t: TestSystem;
let schema: GraphQLSchema;
beforeAll(async () => {
  t = await testSystem();
  schema = await clientSchema(t.query);
});
afterAll(async () => { await t?.close(); });

/**
 * Object types that are values, not entities: they belong to one parent (its figures, its payload, a page of it)
 * and a cache keeps them inside that parent. Every other object type must have `id: ID!`.
 */
const VALUES: Record<string, string> = {
  Query: 'root', Mutation: 'root',
  AccessLog: 'the log of one request for one household', AccessLogEntry: 'a log line (append-only, no stored key)',
  AccessLogEntryConnection: 'page', AccessLogEntryEdge: 'page',
  HouseholdConnection: 'page', HouseholdEdge: 'page', PageInfo: 'page',
  AreaStatistics: 'a report, keyed by its arguments', AreaCounts: 'figures of a report', AreaTransitions: 'figures of a report',
  CreditStatistics: 'a report', ProgrammeCredit: 'figures of a report', CreditSummary: 'figures of a household',
  GapStatistics: 'a report', GapCount: 'figures of a report',
  HealthStatistics: 'a report', GroupCards: 'figures of a report', GroupCoverage: 'figures of a report', FunderAmount: 'figures of a report',
  HealthCoverage: 'figures of a household',
  HousingStatistics: 'a report', KindCount: 'figures of a report', BeneficiaryCount: 'figures of a report', WardCount: 'figures of a report',
  StatusCount: 'figures of a report', FundingTotal: 'a sum over supports',
  SuppressedFigure: 'a note of a report', UnitLink: 'an edge between two units',
  Classification: 'computed from the arguments', ClassificationReasons: 'computed', HouseholdStatus: 'the latest assessment, which has the id',
  StatusTransition: 'derived from two assessments', PovertyLine: 'a row of a standard', SupportGap: 'derived per household',
  CardPayload: 'mutation payload', LoanPayload: 'mutation payload', HousingSupportPayload: 'mutation payload',
};

describe('ids for a normalised cache', () => {
  it('every entity-like object type has id: ID!', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || type.name in VALUES) continue;
      const id = type.getFields().id;
      if (!id || String(id.type) !== 'ID!') missing.push(type.name);
    }
    expect(missing).toEqual([]);
  });

  it('the reference data has stable ids, unique per type, from the stored keys', async () => {
    const query = `{
      lenders { id code } interestRates(on: "2024-01-01") { id programme lender validFrom }
      supportRules(on: "2024-01-01") { id } housingProgrammes { id code }
      povertyStandards { id code indicators { id code } dimensions { id code indicators { id } } }
    }`;
    const a = await t.query(query);
    const b = await t.query(query);
    expect(a.errors).toBeUndefined();
    expect(b.data).toEqual(a.data); // stable across requests
    const d = a.data;
    const unique = (ids: string[]) => expect(new Set(ids).size).toBe(ids.length);
    for (const list of [d.lenders, d.interestRates, d.supportRules, d.housingProgrammes, d.povertyStandards]) {
      expect(list.length).toBeGreaterThan(0);
      unique(list.map((x: { id: string }) => x.id));
    }
    for (const l of d.lenders) expect(l.id).toBe(l.code);
    for (const r of d.interestRates) expect(r.id).toBe(`${r.programme}:${r.lender}:${r.validFrom}`);
    unique(d.povertyStandards.flatMap((s: any) => s.indicators.map((i: any) => i.id)));
    unique(d.povertyStandards.flatMap((s: any) => s.dimensions.map((x: any) => x.id)));
    const standard = d.povertyStandards.find((s: any) => s.indicators.length > 0);
    expect(standard.indicators[0].id).toBe(`${standard.code}:${standard.indicators[0].code}`);
  });

  it('a household\'s records have ids: transactions, support layers, funding lines, unit changes', async () => {
    const res = await t.query(`{ householdByCode(code: "${household.code}") { id
      loans { id transactions { id } } members { id insuranceCards { id supportLayers { id } } }
      housingSupports { id fundingLines { id } programme { id } } unitChanges { id } } }`);
    expect(res.errors).toBeUndefined();
    const h = res.data.householdByCode;
    const transactions = h.loans.flatMap((l: any) => l.transactions.map((x: any) => x.id));
    const layers = h.members.flatMap((m: any) => m.insuranceCards.flatMap((c: any) => c.supportLayers.map((x: any) => x.id)));
    const lines = h.housingSupports.flatMap((s: any) => s.fundingLines.map((x: any) => x.id));
    for (const ids of [transactions, layers, lines]) {
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('nullable where a value can be removed', () => {
  it('the report roots and the suppressible counts are nullable', () => {
    const fields = schema.getQueryType()!.getFields();
    for (const root of ['areaStatistics', 'creditStatistics', 'healthStatistics', 'housingStatistics', 'gapStatistics']) {
      expect(isNonNullType(fields[root]!.type), root).toBe(false);
    }
    const area = (schema.getType('AreaStatistics') as any).getFields();
    for (const f of ['rolledUpHouseholds', 'awaitingReassignment', 'poorHouseholds', 'totalHouseholds']) expect(isNonNullType(area[f].type), f).toBe(false);
  });

  it('an ANALYST asking awaitingReassignment gets null and the reason, not INTERNAL_SERVER_ERROR', async () => {
    const query = `{ areaStatistics(unitCode: "31", year: 2025) { awaitingReassignment rolledUpHouseholds suppressed { field reason } } }`;
    const exact = await t.query(query);
    expect(exact.errors).toBeUndefined();
    const analyst = await t.query(query, undefined, await t.as('ANALYST'));
    expect(analyst.errors).toBeUndefined();
    const a = analyst.data.areaStatistics;
    for (const f of ['awaitingReassignment', 'rolledUpHouseholds'] as const) {
      const n = exact.data.areaStatistics[f];
      if (n < 5) {
        expect(a[f]).toBeNull();
        expect(a.suppressed).toContainEqual({ field: f, reason: 'fewer than 5 households' });
      } else expect(a[f]).toBe(n);
    }
    // the demo city has a small count to withhold: the test checks a real suppression
    expect([a.awaitingReassignment, a.rolledUpHouseholds]).toContain(null);
  });

  it('with a programme subgraph down, the other reports of the same query are kept', async () => {
    const query = `{ areaStatistics(unitCode: "775", year: 2022) { poorHouseholds }
      creditStatistics(unitCode: "775", on: "2022-12-31") { povertyReduction { loans } }
      healthStatistics(unitCode: "775", on: "2022-12-31") { total { cards } } }`;
    const before = await t.query(query);
    expect(before.errors).toBeUndefined();
    const credit = t.system.subgraphs.credit;
    const port = credit.port;
    await credit.close();
    try {
      const during = await t.query(query);
      expect(during.data).toEqual({ ...before.data, creditStatistics: null });
      expect(during.errors?.map((e: any) => [e.extensions?.code, e.path])).toEqual([['SUBGRAPH_UNAVAILABLE', undefined]]);
    } finally {
      t.system.subgraphs.credit = await startSubgraph(t.system.services.credit.definition, { port, internalSecret: t.system.internalSecret });
    }
  });
});

describe('scalars for code generators', () => {
  it('Date and VND say where they are specified', async () => {
    const res = await t.query(`{ date: __type(name: "Date") { specifiedByURL description } vnd: __type(name: "VND") { specifiedByURL description } }`);
    expect(res.data.date.specifiedByURL).toBe('https://www.rfc-editor.org/rfc/rfc3339#section-5.6');
    expect(res.data.vnd.specifiedByURL).toBe('https://www.iso.org/iso-4217-currency-codes.html');
    expect(res.data.date.description).toContain("scalars: { Date: 'string' }");
    expect(res.data.vnd.description).toContain("scalars: { VND: 'number' }");
  });

  it('no list of entities is nullable inside (a client never filters nulls out of a list)', () => {
    const loose: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const inner = isNonNullType(field.type) ? field.type.ofType : field.type;
        if (isListType(inner) && !isNonNullType(inner.ofType) && isObjectType(getNamedType(inner))) loose.push(`${type.name}.${field.name}`);
      }
    }
    expect(loose).toEqual([]);
  });
});

/** status and first error code of a POST, with the given Accept header */
async function post(body: object, accept?: string) {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}), ...(await t.as('ADMIN')) },
    body: JSON.stringify(body),
  });
  const json = await res.json() as any;
  return [res.status, json.errors?.[0]?.extensions?.code, 'data' in json ? json.data : 'no data', res.headers.get('content-type')?.split(';')[0]];
}

describe('errors a client library can read', () => {
  // [what, body, code]: a 200 for application/json (and for no Accept), a 4xx for application/graphql-response+json
  const CASES: [string, object, string][] = [
    ['first: 1000 (over the page limit)', { query: '{ households(unitCode: "775", first: 1000) { totalCount } }' }, 'BAD_USER_INPUT'],
    ['first: 1000 in a variable', { query: 'query ($n: Int) { households(unitCode: "775", first: $n) { totalCount } }', variables: { n: 1000 } }, 'BAD_USER_INPUT'],
    ['an unknown field', { query: '{ households(unitCode: "775") { nope } }' }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a syntax error', { query: '{ households(unitCode: "775") {' }, 'GRAPHQL_PARSE_FAILED'],
    ['a variable of the wrong type', { query: 'query ($y: Int!) { areaStatistics(unitCode: "775", year: $y) { poorHouseholds } }', variables: { y: 'x' } }, 'BAD_USER_INPUT'],
    ['too deep', { query: `{ unit(code: "775") { ${'parent { '.repeat(30)}name${' }'.repeat(30)} } }` }, 'QUERY_TOO_DEEP'],
  ];
  it.each(CASES)('%s: 200 with the code for application/json, 400 for application/graphql-response+json', async (_, body, code) => {
    expect(await post(body)).toEqual([200, code, 'no data', 'application/json']);
    expect(await post(body, 'application/json')).toEqual([200, code, 'no data', 'application/json']);
    // what Apollo Client 4 sends
    expect(await post(body, 'application/graphql-response+json,application/json;q=0.9')).toEqual([400, code, 'no data', 'application/graphql-response+json']);
  });

  it('a body that is not GraphQL over HTTP at all stays a 400', async () => {
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(await t.as('ADMIN')) }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect((await res.json() as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
