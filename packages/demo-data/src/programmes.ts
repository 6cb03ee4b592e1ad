/**
 * The programme records of the demo data (credit, health, housing), built after every household exists, from
 * their own seed so the registry generator (index.ts) and this one can change apart. Each record keeps the area
 * it was recorded in (`area`: the ward's unit id and its ancestors', province first), as the subgraphs store it.
 *
 * The published figures of DESIGN.md are built in exactly (counts and sums chosen first, then spread over real
 * demo households and members); everything else is drawn from the PRNG:
 * - Hải Phòng, end of 2023: job-creation loans 20,104 outstanding, 1,208,044 million VND; student loans 2,754,
 *   112,862 million VND; 5,753 free BHYT cards for poor-household members, 4,628 million VND (rounded: cards
 *   issued after January are charged from their first month).
 * - Quận 6, 2022: poverty-reduction loans disbursed to 1,293 households, job-creation loans to 4,607 households,
 *   student loans to 579; 6,145 BHYT cards (poor, near-poor, newly escaped) valid at the end of 2022.
 * - Quận Hà Đông, 2021–2024: 34 houses completed for near-poor households, 400 million VND district budget and
 *   3,077 million VND donations.
 * - Quận Hải An, 2022: 7 houses completed for poor households in Đông Hải 1, Nam Hải, Tràng Cát, Thành Tô,
 *   Đông Hải 2 and Đằng Hải.
 */
import type { DemoData, HouseholdRow, MemberRow, UnitRow } from './index.js';
import { isoDate, partsSumming, Random } from './random.js';

export interface LoanRow {
  id: string; code: string; householdId: string; borrowerMemberId: string; programme: string; lender: string;
  savingsGroupId: string | null; entrustingOrganisation: string | null;
  principal: number; outstanding: number; overdue: number; overdueSince: string | null;
  disbursedOn: string; maturityOn: string; status: string; area: string[];
}
export interface LoanTransactionRow { id: string; loanId: string; kind: 'DISBURSEMENT' | 'REPAYMENT' | 'WRITE_OFF'; on: string; amount: number }
export interface SavingsGroupRow { id: string; code: string; name: string; entrustingOrganisation: string; unitId: string; area: string[] }
export interface LenderRow { code: string; name: string; kind: string }
export interface InterestRateRow { programme: string; lender: string; validFrom: string; annualRate: string }
export interface CardRow {
  id: string; cardNumber: string; memberId: string; householdId: string; beneficiaryGroup: string;
  validFrom: string; validTo: string; premium: number; area: string[];
}
export interface SupportLayerRow { id: string; cardId: string | null; contributionId: string | null; funder: string; percent: string; amount: number }
export interface SupportRuleRow {
  id: string; scheme: 'BHYT' | 'VOLUNTARY_SOCIAL_INSURANCE'; beneficiaryGroup: string; jurisdiction: string | null;
  funder: string; percent: string; validFrom: string; validTo: string | null;
}
export interface ContributionRow {
  id: string; memberId: string; householdId: string; beneficiaryGroup: string; validFrom: string; validTo: string;
  contribution: number; area: string[];
}
export interface HousingProgrammeRow { code: string; name: string; kind: string; jurisdiction: string | null }
export interface HousingSupportRow {
  id: string; code: string; householdId: string; kind: 'NEW_BUILD' | 'REPAIR'; programme: string; beneficiaryStatus: string;
  status: string; proposedOn: string; approvedOn: string | null; constructionStartedOn: string | null;
  completedOn: string | null; handedOverOn: string | null; area: string[];
}
export interface FundingLineRow { id: string; supportId: string; source: string; amount: number }

export interface ProgrammeData {
  lenders: LenderRow[]; interestRates: InterestRateRow[]; savingsGroups: SavingsGroupRow[];
  loans: LoanRow[]; loanTransactions: LoanTransactionRow[];
  supportRules: SupportRuleRow[]; cards: CardRow[]; contributions: ContributionRow[]; supportLayers: SupportLayerRow[];
  housingProgrammes: HousingProgrammeRow[]; housingSupports: HousingSupportRow[]; fundingLines: FundingLineRow[];
}

export function emptyProgrammeData(): ProgrammeData {
  return {
    lenders: [], interestRates: [], savingsGroups: [], loans: [], loanTransactions: [], supportRules: [], cards: [],
    contributions: [], supportLayers: [], housingProgrammes: [], housingSupports: [], fundingLines: [],
  };
}

export const LENDERS: LenderRow[] = [
  { code: 'VBSP', name: 'Ngân hàng Chính sách xã hội', kind: 'POLICY_BANK' },
  { code: 'TYM', name: 'Tổ chức tài chính vi mô TNHH MTV Tình Thương (TYM), Hội Liên hiệp Phụ nữ Việt Nam', kind: 'MICROFINANCE' },
];
/** Annual rates in percent, versioned by the date they apply from (demo values, shaped like VBSP's decisions). */
export const INTEREST_RATES: InterestRateRow[] = [
  ['POOR_HOUSEHOLD', '2013-03-15', '6.60'], ['NEAR_POOR', '2019-06-01', '7.92'], ['NEWLY_ESCAPED', '2019-06-01', '8.25'],
  ['STUDENT', '2017-05-01', '7.92'], ['STUDENT', '2023-01-01', '6.60'], ['JOB_CREATION', '2019-06-01', '7.92'],
  ['HOUSING', '2021-01-01', '4.80'], ['CLEAN_WATER_SANITATION', '2019-06-01', '9.00'], ['LABOUR_EXPORT', '2019-06-01', '7.92'],
].map(([programme, validFrom, annualRate]) => ({ programme: programme!, lender: 'VBSP', validFrom: validFrom!, annualRate: annualRate! }))
  .concat([{ programme: 'NEAR_POOR', lender: 'TYM', validFrom: '2020-01-01', annualRate: '15.00' }]);

/** Who pays a BHYT premium or a voluntary social-insurance contribution, per group; national rows stack with a city's. */
export const SUPPORT_RULES: SupportRuleRow[] = ([
  ['BHYT', 'POOR_HOUSEHOLD', null, 'CENTRAL_BUDGET', '100'],
  ['BHYT', 'NEAR_POOR_HOUSEHOLD', null, 'CENTRAL_BUDGET', '70'],
  ['BHYT', 'NEAR_POOR_HOUSEHOLD', '79', 'PROVINCE_BUDGET', '30'],
  ['BHYT', 'NEAR_POOR_HOUSEHOLD', '31', 'PROVINCE_BUDGET', '30'],
  ['BHYT', 'NEAR_POOR_HOUSEHOLD', '01', 'PROVINCE_BUDGET', '30'],
  ['BHYT', 'NEWLY_ESCAPED_HOUSEHOLD', null, 'CENTRAL_BUDGET', '70'],
  ['BHYT', 'NEWLY_ESCAPED_HOUSEHOLD', '79', 'PROVINCE_BUDGET', '30'],
  ['VOLUNTARY_SOCIAL_INSURANCE', 'POOR_HOUSEHOLD', null, 'CENTRAL_BUDGET', '30'],
  ['VOLUNTARY_SOCIAL_INSURANCE', 'POOR_HOUSEHOLD', '79', 'PROVINCE_BUDGET', '20'],
  ['VOLUNTARY_SOCIAL_INSURANCE', 'NEAR_POOR_HOUSEHOLD', null, 'CENTRAL_BUDGET', '25'],
  ['VOLUNTARY_SOCIAL_INSURANCE', 'NEAR_POOR_HOUSEHOLD', '79', 'PROVINCE_BUDGET', '25'],
] as const).map(([scheme, beneficiaryGroup, jurisdiction, funder, percent], i) => ({
  id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, scheme, beneficiaryGroup, jurisdiction, funder, percent, validFrom: '2021-01-01', validTo: null,
}));

export const HOUSING_PROGRAMMES: HousingProgrammeRow[] = [
  { code: 'NATIONAL_TARGET_PROGRAMME', name: 'Chương trình MTQG giảm nghèo bền vững: hỗ trợ nhà ở', kind: 'NATIONAL_TARGET_PROGRAMME', jurisdiction: null },
  { code: 'MAKESHIFT_HOUSE_REPLACEMENT', name: 'Xóa nhà tạm, nhà dột nát', kind: 'MAKESHIFT_HOUSE_REPLACEMENT', jurisdiction: null },
  { code: 'GREAT_SOLIDARITY_HOUSE', name: 'Nhà Đại đoàn kết (Ủy ban Mặt trận Tổ quốc)', kind: 'GREAT_SOLIDARITY_HOUSE', jurisdiction: null },
  { code: 'HANOI_CITY_HOUSING', name: 'Hỗ trợ nhà ở hộ nghèo, cận nghèo của Thành phố Hà Nội', kind: 'CITY_PROGRAMME', jurisdiction: '01' },
  { code: 'HAIPHONG_CITY_HOUSING', name: 'Hỗ trợ xây mới, sửa chữa nhà ở hộ nghèo của Thành phố Hải Phòng', kind: 'CITY_PROGRAMME', jurisdiction: '31' },
];

export const ENTRUSTING_ORGANISATIONS = ['WOMENS_UNION', 'FARMERS_UNION', 'VETERANS_ASSOCIATION', 'YOUTH_UNION'];
const ORG_NAME: Record<string, string> = {
  WOMENS_UNION: 'Hội Liên hiệp Phụ nữ', FARMERS_UNION: 'Hội Nông dân', VETERANS_ASSOCIATION: 'Hội Cựu chiến binh', YOUTH_UNION: 'Đoàn Thanh niên',
};
/** BHYT premium per month of validity before 2023-07-01: 4.5% of the base salary of 1,490,000 VND. */
export const MONTHLY_PREMIUM = 67_050;

interface HouseholdInfo {
  h: HouseholdRow; ward: UnitRow; district: string; province: string; area: string[];
  s2021: string | null; s2022: string | null; deprived: string[]; members: MemberRow[];
}

const day = (rng: Random, from: string, to: string): string => {
  const a = Date.parse(from);
  const b = Date.parse(to);
  return new Date(a + rng.int(0, Math.round((b - a) / 86_400_000)) * 86_400_000).toISOString().slice(0, 10);
};
const addDays = (d: string, n: number) => new Date(Date.parse(d) + n * 86_400_000).toISOString().slice(0, 10);
const months = (from: string, to: string) => (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;

export function addProgrammeRecords(data: DemoData, seed: number): void {
  const rng = new Random(seed);
  data.lenders.push(...LENDERS);
  data.interestRates.push(...INTEREST_RATES);
  data.supportRules.push(...SUPPORT_RULES);
  data.housingProgrammes.push(...HOUSING_PROGRAMMES);

  const unitById = new Map(data.units.map((u) => [u.id, u]));
  const areaOf = (unitId: string): string[] => {
    const chain: string[] = [];
    for (let u = unitById.get(unitId); u; u = u.parentId ? unitById.get(u.parentId) : undefined) chain.unshift(u.id);
    return chain;
  };
  const membersOf = new Map<string, MemberRow[]>();
  for (const m of data.members) (membersOf.get(m.householdId) ?? membersOf.set(m.householdId, []).get(m.householdId)!).push(m);
  const status = new Map<string, { 2021?: string; 2022?: string; deprived: string[] }>();
  for (const a of data.assessments) {
    const s = status.get(a.householdId) ?? { deprived: [] };
    s[a.reviewYear as 2021 | 2022] = a.status;
    if (a.reviewYear === 2022 || (a.reviewYear === 2021 && !s[2022])) s.deprived = a.deprivedIndicators;
    status.set(a.householdId, s);
  }
  const info: HouseholdInfo[] = data.households.map((h) => {
    const area = areaOf(h.unitId);
    const s = status.get(h.id);
    return {
      h, ward: unitById.get(h.unitId)!, province: area[0]!.split('@')[0]!, district: area[1]!.split('@')[0]!, area,
      s2021: s?.[2021] ?? null, s2022: s?.[2022] ?? null, deprived: s?.deprived ?? [],
      members: (membersOf.get(h.id) ?? []).sort((a, b) => a.position - b.position),
    };
  });
  const inDistrict = (code: string) => info.filter((i) => i.district === code);
  const pick = <T>(list: T[], n: number): T[] => {
    if (list.length < n) throw new Error(`demo data: need ${n} records, only ${list.length} to choose from`);
    return rng.shuffle([...list]).slice(0, n);
  };

  // ---------------------------------------------------------------- credit
  const groups = new Map<string, SavingsGroupRow[]>();
  const groupFor = (i: HouseholdInfo): SavingsGroupRow => {
    let list = groups.get(i.ward.id);
    if (!list) {
      list = rng.shuffle([...ENTRUSTING_ORGANISATIONS]).slice(0, 2).map((org, k) => ({
        id: rng.uuid(), code: `TK-${i.ward.code}-${k + 1}`, entrustingOrganisation: org, unitId: i.ward.id, area: i.area,
        name: `Tổ tiết kiệm và vay vốn ${ORG_NAME[org]} ${i.ward.name} số ${k + 1}`.normalize('NFC'),
      }));
      groups.set(i.ward.id, list);
      data.savingsGroups.push(...list);
    }
    return rng.pick(list);
  };
  interface LoanSpec {
    programme: string; disbursedOn: string; principal: number; repayments?: [string, number][]; writeOff?: string;
    overdue?: { since: string; amount: number }; lender?: string; years?: number;
  }
  const addLoan = (i: HouseholdInfo, spec: LoanSpec): LoanRow => {
    const lender = spec.lender ?? 'VBSP';
    const group = lender === 'VBSP' ? groupFor(i) : null;
    const id = rng.uuid();
    let outstanding = spec.principal;
    data.loanTransactions.push({ id: rng.uuid(), loanId: id, kind: 'DISBURSEMENT', on: spec.disbursedOn, amount: spec.principal });
    for (const [on, amount] of spec.repayments ?? []) {
      if (amount <= 0) continue;
      outstanding -= amount;
      data.loanTransactions.push({ id: rng.uuid(), loanId: id, kind: 'REPAYMENT', on, amount });
    }
    if (outstanding < 0) throw new Error('demo data: repaid more than lent');
    if (spec.writeOff && outstanding > 0) {
      data.loanTransactions.push({ id: rng.uuid(), loanId: id, kind: 'WRITE_OFF', on: spec.writeOff, amount: outstanding });
      outstanding = 0;
    }
    const overdue = spec.overdue && outstanding > 0 ? Math.min(spec.overdue.amount, outstanding) : 0;
    const borrower = spec.programme === 'STUDENT' ? i.members[0]! : rng.pick(i.members.slice(0, 2));
    const row: LoanRow = {
      id, code: `${lender}-${i.ward.code}-${String(data.loans.length + 1).padStart(6, '0')}`, householdId: i.h.id, borrowerMemberId: borrower.id,
      programme: spec.programme, lender, savingsGroupId: group?.id ?? null,
      entrustingOrganisation: group?.entrustingOrganisation ?? (lender === 'TYM' ? 'WOMENS_UNION' : null),
      principal: spec.principal, outstanding, overdue, overdueSince: overdue > 0 ? spec.overdue!.since : null,
      disbursedOn: spec.disbursedOn, maturityOn: addDays(spec.disbursedOn, 365 * (spec.years ?? 5)),
      status: spec.writeOff ? 'WRITTEN_OFF' : outstanding === 0 ? 'REPAID' : overdue > 0 ? 'OVERDUE' : 'ACTIVE', area: i.area,
    };
    data.loans.push(row);
    return row;
  };
  const million = (lo: number, hi: number) => rng.int(lo, hi) * 1_000_000;
  /** A loan that is paid off in part, or not at all, by today. */
  const ordinary = (i: HouseholdInfo, programme: string, from: string, to: string, lo: number, hi: number): void => {
    const disbursedOn = day(rng, from, to);
    const principal = million(lo, hi);
    const repaid = rng.chance(0.3) ? principal : Math.floor((principal * rng.int(0, 60)) / 100 / 1_000_000) * 1_000_000;
    addLoan(i, { programme, disbursedOn, principal, repayments: repaid ? [[day(rng, addDays(disbursedOn, 180), addDays(disbursedOn, 900)), repaid]] : [] });
  };

  // Quận 6, 2022: poverty-reduction loans to 1,293 households, job creation to 4,607, students to 579 (disbursed in 2022)
  const q6 = inDistrict('775');
  const q6Registry = q6.filter((i) => i.s2021 || i.s2022);
  for (const i of pick(q6Registry.filter((i) => i.s2021 === 'POOR' || i.s2021 === 'NEAR_POOR'), 1_293)) {
    const escaped = i.s2022 === 'NONE' && rng.chance(0.5);
    addLoan(i, {
      programme: escaped ? 'NEWLY_ESCAPED' : i.s2021 === 'POOR' ? 'POOR_HOUSEHOLD' : 'NEAR_POOR',
      disbursedOn: escaped ? day(rng, '2022-12-15', '2022-12-28') : day(rng, '2022-01-05', '2022-12-28'), principal: million(20, 100),
      repayments: rng.chance(0.6) ? [[day(rng, '2023-06-01', '2025-06-30'), million(2, 15)]] : [],
    });
  }
  for (const i of pick(q6Registry, 500)) {
    const year = rng.pick([2019, 2020, 2021, 2023, 2024]);
    ordinary(i, i.s2022 === 'POOR' ? 'POOR_HOUSEHOLD' : 'NEAR_POOR', `${year}-01-02`, `${year}-12-28`, 20, 80);
  }
  for (const i of pick(q6, 4_607)) {
    addLoan(i, { programme: 'JOB_CREATION', disbursedOn: day(rng, '2022-01-05', '2022-12-28'), principal: million(30, 100),
      repayments: rng.chance(0.5) ? [[day(rng, '2023-03-01', '2025-06-30'), million(5, 25)]] : [] });
  }
  for (const i of pick(q6, 700)) {
    const year = rng.pick([2020, 2021, 2023]);
    ordinary(i, 'JOB_CREATION', `${year}-01-05`, `${year}-12-28`, 30, 100);
  }
  for (const i of pick(q6, 579)) {
    addLoan(i, { programme: 'STUDENT', disbursedOn: day(rng, '2022-08-15', '2022-10-15'), principal: million(10, 40), years: 8 });
  }
  for (const i of pick(q6, 150)) {
    const year = rng.pick([2020, 2021, 2023]);
    ordinary(i, 'STUDENT', `${year}-08-15`, `${year}-10-15`, 10, 40);
  }

  // Hải Phòng, 2023-12-31: job-creation 20,104 loans and 1,208,044 million outstanding; students 2,754 and 112,862 million
  const hp = info.filter((i) => i.province === '31');
  const end2023 = '2023-12-31';
  const outstandingAtEnd = (programme: string, households: HouseholdInfo[], total: number, lo: number, hi: number, years: number) => {
    const parts = partsSumming(rng, households.length, total / 100_000, lo, hi);
    households.forEach((i, k) => {
      const atEnd = parts[k]! * 100_000;
      const disbursedOn = programme === 'STUDENT' ? day(rng, '2019-08-15', '2023-10-15') : day(rng, '2020-01-02', '2023-12-20');
      const before = programme === 'JOB_CREATION' && disbursedOn < '2023-06-01' && rng.chance(0.6) ? million(1, 30) : 0;
      const repayments: [string, number][] = before ? [[day(rng, addDays(disbursedOn, 30), end2023), before]] : [];
      const overdueFrom = addDays(disbursedOn, 30) > '2023-06-01' ? addDays(disbursedOn, 30) : '2023-06-01';
      const overdue = overdueFrom <= end2023 && rng.chance(0.02) ? { since: day(rng, overdueFrom, end2023), amount: million(1, 10) } : undefined;
      if (!overdue && rng.chance(0.5)) repayments.push([day(rng, '2024-01-05', '2025-06-30'), rng.chance(0.2) ? atEnd : Math.floor(atEnd * rng.int(5, 60) / 100 / 100_000) * 100_000]);
      addLoan(i, { programme, disbursedOn, principal: atEnd + before, repayments, overdue, years });
    });
  };
  outstandingAtEnd('JOB_CREATION', pick(hp, 20_104), 1_208_044_000_000, 100, 1_000, 5);
  outstandingAtEnd('STUDENT', pick(hp, 2_754), 112_862_000_000, 100, 700, 8);
  // not outstanding on 2023-12-31: repaid before, written off in 2023, or lent in 2024
  for (const i of pick(hp, 700)) {
    const disbursedOn = day(rng, '2018-01-02', '2021-06-30');
    const principal = million(20, 80);
    addLoan(i, { programme: rng.chance(0.8) ? 'JOB_CREATION' : 'STUDENT', disbursedOn, principal, repayments: [[day(rng, addDays(disbursedOn, 400), '2023-06-30'), principal]] });
  }
  for (const i of pick(hp, 40)) {
    const disbursedOn = day(rng, '2018-01-02', '2020-12-28');
    addLoan(i, { programme: 'JOB_CREATION', disbursedOn, principal: million(20, 60), repayments: [[addDays(disbursedOn, 365), million(1, 10)]], writeOff: day(rng, '2023-01-05', '2023-12-20') });
  }
  for (const i of pick(hp, 500)) addLoan(i, { programme: rng.chance(0.85) ? 'JOB_CREATION' : 'STUDENT', disbursedOn: day(rng, '2024-01-05', '2025-05-30'), principal: million(30, 100) });
  for (const i of hp.filter((i) => i.s2021 || i.s2022)) {
    if (i.s2022 === 'POOR' && rng.chance(0.4)) ordinary(i, 'POOR_HOUSEHOLD', '2022-01-05', '2023-12-28', 20, 100);
    if (i.s2022 === 'NEAR_POOR' && rng.chance(0.3)) ordinary(i, 'NEAR_POOR', '2022-01-05', '2023-12-28', 20, 100);
    if (i.s2021 === 'POOR' && i.s2022 !== 'POOR' && rng.chance(0.3)) ordinary(i, 'NEWLY_ESCAPED', '2023-01-05', '2023-12-28', 20, 80);
  }

  // everyone: clean-water loans for some households deprived in water or sanitation; the other districts' credit
  for (const i of info) {
    if (!(i.s2021 || i.s2022)) continue;
    if ((i.deprived.includes('DOMESTIC_WATER') || i.deprived.includes('HYGIENIC_LATRINE')) && rng.chance(0.25)) {
      ordinary(i, 'CLEAN_WATER_SANITATION', '2021-01-05', '2024-06-28', 10, 20);
    }
    if (i.province !== '01') continue;
    if ((i.s2022 === 'POOR' || i.s2021 === 'POOR') && rng.chance(0.3)) ordinary(i, 'POOR_HOUSEHOLD', '2021-01-05', '2024-06-28', 20, 100);
    if (i.s2022 === 'NEAR_POOR' && rng.chance(0.2)) ordinary(i, 'NEAR_POOR', '2021-01-05', '2024-06-28', 20, 100);
    if (rng.chance(0.1)) ordinary(i, 'JOB_CREATION', '2021-01-05', '2024-06-28', 30, 100);
    if (rng.chance(0.06)) ordinary(i, 'STUDENT', '2021-08-15', '2024-10-15', 10, 40);
    if (rng.chance(0.03)) ordinary(i, 'HOUSING', '2021-01-05', '2024-06-28', 40, 100);
    if (i.district === '268' && i.s2022 === 'NEAR_POOR' && rng.chance(0.08)) {
      addLoan(i, { programme: 'NEAR_POOR', lender: 'TYM', disbursedOn: day(rng, '2022-01-05', '2024-06-28'), principal: million(10, 30), years: 2 });
    }
  }

  // ---------------------------------------------------------------- health
  const rulesFor = (scheme: string, group: string, province: string) =>
    SUPPORT_RULES.filter((r) => r.scheme === scheme && r.beneficiaryGroup === group && (r.jurisdiction === null || r.jurisdiction === province));
  const prefix: Record<string, string> = { POOR_HOUSEHOLD: 'HN2', NEAR_POOR_HOUSEHOLD: 'CN3', NEWLY_ESCAPED_HOUSEHOLD: 'CN3' };
  const addCard = (i: HouseholdInfo, m: MemberRow, group: string, validFrom: string, validTo: string): CardRow => {
    const premium = MONTHLY_PREMIUM * months(validFrom, validTo);
    const card: CardRow = {
      id: rng.uuid(), cardNumber: `${prefix[group]}${i.province}${String(data.cards.length + 1).padStart(10, '0')}`, memberId: m.id,
      householdId: i.h.id, beneficiaryGroup: group, validFrom, validTo, premium, area: i.area,
    };
    data.cards.push(card);
    for (const r of rulesFor('BHYT', group, i.province)) {
      data.supportLayers.push({ id: rng.uuid(), cardId: card.id, contributionId: null, funder: r.funder, percent: r.percent, amount: Math.round((premium * Number(r.percent)) / 100) });
    }
    return card;
  };
  const groupOf = (s: string | null, before: string | null) =>
    s === 'POOR' ? 'POOR_HOUSEHOLD' : s === 'NEAR_POOR' ? 'NEAR_POOR_HOUSEHOLD' : (before === 'POOR' || before === 'NEAR_POOR') ? 'NEWLY_ESCAPED_HOUSEHOLD' : null;

  // Quận 6: 6,145 cards for 2022 (status of the 2021 review), then two-year cards from the 2022 review
  const q6Members = q6Registry.filter((i) => i.s2021).flatMap((i) => i.members.map((m) => ({ i, m })));
  for (const { i, m } of pick(q6Members, 6_145)) {
    const group = i.s2021 === 'POOR' ? 'POOR_HOUSEHOLD' : i.s2022 === 'NONE' ? 'NEWLY_ESCAPED_HOUSEHOLD' : 'NEAR_POOR_HOUSEHOLD';
    addCard(i, m, group, rng.chance(0.9) ? '2022-01-01' : `2022-${String(rng.int(2, 9)).padStart(2, '0')}-01`, '2022-12-31');
  }
  for (const i of info) {
    if (i.province === '31' || !(i.s2021 || i.s2022)) continue;
    const group = groupOf(i.s2022, i.s2021);
    if (!group) continue;
    for (const m of i.members) {
      if (rng.chance(0.9)) addCard(i, m, group, '2023-01-01', '2024-12-31');
      if (rng.chance(0.8)) addCard(i, m, group, '2025-01-01', '2026-12-31');
    }
  }
  // Hải Phòng: yearly cards. 2022 from the 2021 review; 2023 from the 2022 review (the poor: 5,753 free cards)
  const hpRegistry = hp.filter((i) => i.s2021 || i.s2022);
  const poor2023 = hpRegistry.filter((i) => i.s2022 === 'POOR').flatMap((i) => i.members.map((m) => ({ i, m })));
  if (poor2023.length !== 5_753) throw new Error(`demo data: ${poor2023.length} members of poor Hải Phòng households, expected 5,753`);
  const late = new Set(pick(poor2023, 5).map((x) => x.m.id));
  for (const { i, m } of poor2023) addCard(i, m, 'POOR_HOUSEHOLD', late.has(m.id) ? '2023-03-01' : '2023-01-01', '2023-12-31');
  for (const i of hpRegistry) {
    const g2022 = groupOf(i.s2021, null);
    const g2023 = i.s2022 === 'POOR' ? null : groupOf(i.s2022, i.s2021);
    for (const m of i.members) {
      if (g2022 && rng.chance(0.95)) addCard(i, m, g2022, '2022-01-01', '2022-12-31');
      if (g2023 && rng.chance(0.9)) addCard(i, m, g2023, '2023-01-01', '2023-12-31');
      const g2024 = groupOf(i.s2022, i.s2021);
      if (g2024 && rng.chance(0.85)) addCard(i, m, g2024, '2024-01-01', '2025-12-31');
    }
  }
  // voluntary social insurance (BHXH tự nguyện) with its support, for some working-age members of registry households
  for (const i of info) {
    const group = i.s2022 === 'POOR' ? 'POOR_HOUSEHOLD' : i.s2022 === 'NEAR_POOR' ? 'NEAR_POOR_HOUSEHOLD' : null;
    if (!group) continue;
    for (const m of i.members.slice(0, 2)) {
      if (!rng.chance(0.04)) continue;
      // 22% of the rural poverty line (1,500,000 VND a month), 12 months
      const contribution = 330_000 * 12;
      const c: ContributionRow = { id: rng.uuid(), memberId: m.id, householdId: i.h.id, beneficiaryGroup: group, validFrom: '2023-01-01', validTo: '2023-12-31', contribution, area: i.area };
      data.contributions.push(c);
      for (const r of rulesFor('VOLUNTARY_SOCIAL_INSURANCE', group, i.province)) {
        data.supportLayers.push({ id: rng.uuid(), cardId: null, contributionId: c.id, funder: r.funder, percent: r.percent, amount: Math.round((contribution * Number(r.percent)) / 100) });
      }
    }
  }

  // ---------------------------------------------------------------- housing
  const addSupport = (i: HouseholdInfo, o: { kind?: 'NEW_BUILD' | 'REPAIR'; programme: string; beneficiary: string; completedOn?: string; proposedOn?: string; stage?: string; funding: [string, number][] }) => {
    const kind = o.kind ?? (rng.chance(0.5) ? 'NEW_BUILD' : 'REPAIR');
    let proposedOn: string, approvedOn: string | null = null, startedOn: string | null = null, completedOn: string | null = null, handedOverOn: string | null = null;
    let statusNow: string;
    if (o.completedOn) {
      completedOn = o.completedOn;
      startedOn = addDays(completedOn, -rng.int(40, 120));
      approvedOn = addDays(startedOn, -rng.int(5, 30));
      proposedOn = addDays(approvedOn, -rng.int(10, 40));
      handedOverOn = rng.chance(0.9) ? addDays(completedOn, rng.int(1, 15)) : null;
      statusNow = handedOverOn ? 'HANDED_OVER' : 'COMPLETED';
    } else {
      proposedOn = o.proposedOn!;
      statusNow = o.stage ?? 'PROPOSED';
      if (statusNow !== 'PROPOSED') approvedOn = addDays(proposedOn, rng.int(10, 40));
      if (statusNow === 'UNDER_CONSTRUCTION') startedOn = addDays(approvedOn!, rng.int(5, 30));
    }
    const id = rng.uuid();
    data.housingSupports.push({
      id, code: `NHA-${i.ward.code}-${String(data.housingSupports.length + 1).padStart(4, '0')}`, householdId: i.h.id, kind, programme: o.programme,
      beneficiaryStatus: o.beneficiary, status: statusNow, proposedOn, approvedOn, constructionStartedOn: startedOn, completedOn, handedOverOn, area: i.area,
    });
    for (const [source, amount] of o.funding) if (amount > 0) data.fundingLines.push({ id: rng.uuid(), supportId: id, source, amount });
  };
  // Hà Đông, 2021–2024: 34 houses for near-poor households, 400 million district budget, 3,077 million donations
  const haDong = pick(inDistrict('268').filter((i) => i.s2021 === 'NEAR_POOR' || i.s2022 === 'NEAR_POOR'), 40);
  const budget = partsSumming(rng, 34, 400, 5, 20);
  const donations = partsSumming(rng, 34, 3_077, 50, 140);
  haDong.slice(0, 34).forEach((i, k) => addSupport(i, {
    programme: rng.chance(0.6) ? 'GREAT_SOLIDARITY_HOUSE' : 'HANOI_CITY_HOUSING', beneficiary: 'NEAR_POOR', completedOn: day(rng, '2021-03-01', '2024-12-20'),
    funding: [['DISTRICT_BUDGET', budget[k]! * 1_000_000], ['DONATION', donations[k]! * 1_000_000], ['HOUSEHOLD', rng.int(0, 10) * 5_000_000]],
  }));
  haDong.slice(34, 36).forEach((i) => addSupport(i, { programme: 'GREAT_SOLIDARITY_HOUSE', beneficiary: 'NEAR_POOR', completedOn: day(rng, '2020-03-01', '2020-11-30'), funding: [['DISTRICT_BUDGET', 10_000_000], ['DONATION', 60_000_000]] }));
  haDong.slice(36, 40).forEach((i) => addSupport(i, { programme: 'HANOI_CITY_HOUSING', beneficiary: 'NEAR_POOR', proposedOn: day(rng, '2024-09-01', '2024-12-20'), stage: rng.pick(['PROPOSED', 'APPROVED', 'UNDER_CONSTRUCTION']), funding: [['PROVINCE_BUDGET', 50_000_000]] }));
  // Hải An, 2022: 7 houses for poor households in six wards (Đông Hải 1 twice)
  const haiAn = inDistrict('306');
  for (const code of ['11410', '11410', '11419', '11425', '11414', '11411', '11416']) {
    const i = rng.pick(haiAn.filter((x) => x.ward.code === code && x.s2021 === 'POOR' && !data.housingSupports.some((s) => s.householdId === x.h.id)));
    addSupport(i, {
      programme: rng.chance(0.5) ? 'HAIPHONG_CITY_HOUSING' : 'GREAT_SOLIDARITY_HOUSE', beneficiary: 'POOR', completedOn: day(rng, '2022-03-01', '2022-12-20'),
      funding: [['PROVINCE_BUDGET', rng.chance(0.5) ? 50_000_000 : 30_000_000], ['FUND_FOR_THE_POOR', rng.int(2, 6) * 5_000_000], ['HOUSEHOLD', rng.int(0, 6) * 5_000_000]],
    });
  }
  for (const i of pick(haiAn.filter((x) => x.s2022 === 'NEAR_POOR' && !data.housingSupports.some((s) => s.householdId === x.h.id)), 3)) {
    addSupport(i, { programme: 'HAIPHONG_CITY_HOUSING', beneficiary: 'NEAR_POOR', completedOn: day(rng, '2023-03-01', '2023-11-30'), funding: [['PROVINCE_BUDGET', 40_000_000], ['POLICY_BANK_LOAN', 40_000_000]] });
  }
  // elsewhere: a few supports a year, some still under way
  for (const i of info) {
    if (i.district === '268' || i.district === '306' || !(i.s2022 === 'POOR' || i.s2022 === 'NEAR_POOR')) continue;
    const deprivedHousing = i.deprived.includes('HOUSING_QUALITY') || i.deprived.includes('FLOOR_AREA_PER_PERSON');
    if (!rng.chance(deprivedHousing ? 0.15 : 0.01)) continue;
    const programme = i.province === '31' ? 'HAIPHONG_CITY_HOUSING' : rng.pick(['NATIONAL_TARGET_PROGRAMME', 'MAKESHIFT_HOUSE_REPLACEMENT', 'GREAT_SOLIDARITY_HOUSE']);
    const funding: [string, number][] = [['CENTRAL_BUDGET', rng.chance(0.5) ? 40_000_000 : 20_000_000], ['DONATION', rng.int(0, 8) * 5_000_000], ['HOUSEHOLD', rng.int(0, 6) * 5_000_000]];
    if (rng.chance(0.8)) addSupport(i, { programme, beneficiary: i.s2022!, completedOn: day(rng, '2022-03-01', '2024-12-20'), funding });
    else addSupport(i, { programme, beneficiary: i.s2022!, proposedOn: day(rng, '2024-06-01', '2025-03-30'), stage: rng.pick(['PROPOSED', 'APPROVED', 'UNDER_CONSTRUCTION']), funding });
  }
}

export { isoDate };
