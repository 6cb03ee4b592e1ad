/**
 * Peer (d) of the bench, the floor: one process that answers the bench's two operations with hand-written SQL over
 * the same database, no GraphQL execution, no federation. The 50-household picture is eight statements (the unit,
 * the page within the unit and the caller's area, members, latest assessments, units, loans, insurance cards,
 * housing supports with their funding lines); the small query is one. It verifies the client's token like the
 * gateways and applies the caller's area the same way (packages/db callerAreaCte). Not a product: a yardstick.
 */
import { createServer } from 'node:http';
import { jwtVerify } from 'jose';
import { callerAreaCte, connect, database, rows, sql, StatementCounter, unitScope } from '@ansinh/db';

const connection = await connect({ url: process.env.DATABASE_URL!, max: Number(process.env.BENCH_POOL ?? 10) });
const counter = new StatementCounter();
const db = database(connection, {}, counter);
const clientKey = new TextEncoder().encode(process.env.JWT_SECRET!);
const json = (ids: readonly string[]) => sql`array(select json_array_elements_text(${JSON.stringify(ids)}::json))::uuid[]`;
const texts = (ids: readonly string[]) => sql`array(select json_array_elements_text(${JSON.stringify(ids)}::json))`;
const today = () => new Date().toISOString().slice(0, 10);

type Row = Record<string, any>;

async function area(units: string[], role: string): Promise<ReturnType<typeof sql> > {
  if (role === 'ADMIN') return sql`true`;
  return sql`h.unit_id in (with recursive ${callerAreaCte('households', units)} select id from caller_area)`;
}

async function picture(unitCode: string, first: number, role: string, units: string[]) {
  const [unit] = await rows<{ id: string }>(db, sql`select id from households.units where code = ${unitCode} order by valid_from desc nulls last limit 1`);
  if (!unit) return { households: null };
  const page = await rows<Row>(db, sql`
    select h.id, h.code, h.address, h.area_type, h.unit_id from households.households h
    where h.unit_id = any(array(with recursive ${unitScope('households', unit.id)} select id from scope where how <> 'partial'))
      and ${await area(units, role)}
    order by h.code limit ${first}`);
  const ids = page.map((h) => h.id as string);
  const unitIds = [...new Set(page.map((h) => h.unit_id as string))];
  const [members, statuses, unitRows, loans, supports] = await Promise.all([
    rows<Row>(db, sql`select id, household_id, full_name, relation_to_head from households.members where household_id = any(${json(ids)}) order by household_id, position`),
    rows<Row>(db, sql`select distinct on (household_id) household_id, status, review_year, standard_code from households.assessments
      where household_id = any(${json(ids)}) order by household_id, review_year desc, assessed_on desc`),
    rows<Row>(db, sql`select u.id, u.name, p.name as parent from households.units u left join households.units p on p.id = u.parent_id where u.id = any(${texts(unitIds)})`),
    rows<Row>(db, sql`select household_id, code, programme, outstanding::text, status from credit.loans where household_id = any(${json(ids)}) order by household_id, code`),
    rows<Row>(db, sql`select s.household_id, s.kind, s.status, coalesce(json_agg(json_build_object('source', f.source, 'amount', f.amount::text)) filter (where f.id is not null), '[]') as lines
      from housing.supports s left join housing.funding_lines f on f.support_id = s.id where s.household_id = any(${json(ids)}) group by s.id order by s.household_id, s.code`),
  ]);
  const cards = await rows<Row>(db, sql`select member_id, card_number, beneficiary_group, valid_from::text, valid_to::text from health.insurance_cards
    where member_id = any(${json(members.map((m) => m.id as string))}) order by member_id, valid_from`);
  const group = (list: Row[], key: string) => {
    const map = new Map<string, Row[]>();
    for (const r of list) (map.get(r[key]) ?? map.set(r[key], []).get(r[key])!).push(r);
    return map;
  };
  const byHousehold = { members: group(members, 'household_id'), loans: group(loans, 'household_id'), supports: group(supports, 'household_id') };
  const cardsOf = group(cards, 'member_id');
  const status = new Map(statuses.map((s) => [s.household_id, s]));
  const unitOf = new Map(unitRows.map((u) => [u.id, u]));
  const day = today();
  return {
    households: {
      edges: page.map((h) => {
        const own = byHousehold.members.get(h.id) ?? [];
        const open = (byHousehold.loans.get(h.id) ?? []).filter((l) => l.status === 'ACTIVE' || l.status === 'OVERDUE');
        const s = status.get(h.id);
        const u = unitOf.get(h.unit_id);
        return {
          node: {
            id: h.id, code: h.code, address: h.address, areaType: h.area_type,
            currentStatus: s ? { status: s.status, year: s.review_year, standard: { code: s.standard_code } } : null,
            unit: { name: u?.name, parent: u?.parent ? { name: u.parent } : null },
            members: own.map((m) => ({
              id: m.id, fullName: m.full_name, relationToHead: m.relation_to_head,
              insuranceCards: (cardsOf.get(m.id) ?? []).map((c) => ({ cardNumber: c.card_number, beneficiaryGroup: c.beneficiary_group, validTo: c.valid_to })),
            })),
            loans: (byHousehold.loans.get(h.id) ?? []).map((l) => ({ code: l.code, programme: l.programme, outstanding: l.outstanding, status: l.status })),
            creditSummary: { activeLoans: open.length, outstanding: String(open.reduce((sum, l) => sum + Number(l.outstanding), 0)) },
            healthCoverage: { on: day, coveredMembers: own.filter((m) => (cardsOf.get(m.id) ?? []).some((c) => c.valid_from <= day && day <= c.valid_to)).length, totalMembers: own.length },
            housingSupports: (byHousehold.supports.get(h.id) ?? []).map((x) => ({ kind: x.kind, status: x.status, fundingLines: x.lines })),
          },
        };
      }),
    },
  };
}

async function small(code: string, role: string, units: string[]) {
  const [h] = await rows<Row>(db, sql`select h.code, h.address from households.households h where h.code = ${code} and ${await area(units, role)}`);
  return { householdByCode: h ?? null };
}

const server = createServer(async (req, res) => {
  if (req.method !== 'POST') {
    res.end(JSON.stringify({ statements: counter.count }));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const reply = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  try {
    const { operationName, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { operationName: string; variables: Record<string, any> };
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return reply(401, { errors: [{ message: 'no token', extensions: { code: 'UNAUTHENTICATED' } }] });
    const { payload } = await jwtVerify(match[1]!, clientKey, { algorithms: ['HS256'] });
    const role = String(payload.role);
    const units = (payload.units as string[] | undefined) ?? [];
    const data = operationName === 'BenchPicture' ? await picture(variables.unitCode, variables.first, role, units) : await small(variables.code, role, units);
    reply(200, { data });
  } catch (error) {
    reply(500, { errors: [{ message: (error as Error).message }] });
  }
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`floor at http://127.0.0.1:${process.env.PORT}/`));
