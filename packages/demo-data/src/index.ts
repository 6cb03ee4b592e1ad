/**
 * The demo data: one deterministic generator (fixed seed) for all four subgraphs, so household and member ids
 * agree across them. Each subgraph loads only its own slice. The counts are built to reproduce the published
 * figures listed in DESIGN.md; everything else (names, sizes, incomes, dates) is drawn from the seeded PRNG.
 */
import { FAMILY, GIVEN_FEMALE, GIVEN_MALE, MIDDLE_FEMALE, MIDDLE_MALE, STREETS } from './names.js';
import { Random, isoDate, partsSumming } from './random.js';
import { LINKS_2025, UNITS_AFTER, UNITS_BEFORE } from './units.js';
import { addOtherHouseholds } from './other-households.js';
import { addProgrammeRecords, emptyProgrammeData, type ProgrammeData } from './programmes.js';

export * from './programmes.js';

export { Random, isoDate, partsSumming } from './random.js';

export const DEMO_SEED = 20_220_315;
export const REFORM_DATE = '2025-07-01';
/** Quận 6 had 14 wards until the 2024 ward mergers; four of them were then merged away (demo assumption: 2024-11-01). */
export const QUAN6_WARD_MERGER_DATE = '2024-11-01';
const QUAN6_MERGED_WARDS: [string, string][] = [
  ['27355', 'Phường 6'], ['27361', 'Phường 5'], ['27370', 'Phường 4'], ['27379', 'Phường 3'],
];

export type PovertyStatus = 'POOR' | 'NEAR_POOR' | 'AVERAGE_LIVING_STANDARD' | 'NONE';

export interface UnitRow {
  id: string; code: string; name: string; kind: string; level: number;
  parentId: string | null; validFrom: string | null; validTo: string | null;
}
export interface UnitLinkRow { newUnitId: string; oldUnitId: string; coverage: 'full' | 'partial' }
export interface UnitTotalRow { unitId: string; year: number; households: number; persons: number }
export interface HouseholdRow {
  id: string; code: string; address: string; unitId: string; areaType: 'URBAN' | 'RURAL'; registeredOn: string;
}
export interface MemberRow {
  id: string; householdId: string; position: number; fullName: string; dateOfBirth: string;
  gender: 'MALE' | 'FEMALE'; relationToHead: string; nationalId: string; ethnicity: string;
}
export interface AssessmentRow {
  id: string; householdId: string; reviewYear: number; kind: 'PERIODIC' | 'REGULAR'; assessedOn: string;
  standardCode: string; incomePerCapita: number; incomePeriod: 'MONTH' | 'YEAR'; deprivedIndicators: string[];
  status: PovertyStatus; recordedBy: string;
  /** the household's unit on the assessment date */
  unitId: string;
}
/** Chỉ tiêu giảm nghèo: how many poor / near-poor households a unit plans to take out of poverty in a year. */
export interface ReductionTargetRow { unitId: string; year: number; poorHouseholds: number | null; nearPoorHouseholds: number | null }
/** A household moved to a post-2025 unit, from the date given. */
export interface UnitChangeRow { id: string; householdId: string; fromUnitId: string; toUnitId: string; effectiveOn: string; recordedBy: string }
export interface DemoData extends ProgrammeData {
  units: UnitRow[];
  unitLinks: UnitLinkRow[];
  unitTotals: UnitTotalRow[];
  households: HouseholdRow[];
  members: MemberRow[];
  assessments: AssessmentRow[];
  reductionTargets: ReductionTargetRow[];
  unitChanges: UnitChangeRow[];
}

const LEVEL: Record<string, number> = { city: 1, province: 1 };
export const unitId = (code: string, validFrom: string | null) => `${code}@${validFrom ?? 'origin'}`;

function buildUnits(): { units: UnitRow[]; links: UnitLinkRow[] } {
  const units: UnitRow[] = [];
  for (const [code, name, kind, parent] of UNITS_BEFORE) {
    units.push({
      id: unitId(code, null), code, name: name.normalize('NFC'), kind,
      level: LEVEL[kind] ?? (code.length === 3 ? 2 : 3),
      parentId: parent ? unitId(parent, null) : null, validFrom: null, validTo: REFORM_DATE,
    });
  }
  for (const [code, name] of QUAN6_MERGED_WARDS) {
    units.push({ id: unitId(code, null), code, name, kind: 'ward', level: 3, parentId: unitId('775', null), validFrom: null, validTo: QUAN6_WARD_MERGER_DATE });
  }
  for (const [code, name, kind, parent] of UNITS_AFTER) {
    units.push({
      id: unitId(code, REFORM_DATE), code, name: name.normalize('NFC'), kind, level: LEVEL[kind] ?? 2,
      parentId: parent ? unitId(parent, REFORM_DATE) : null, validFrom: REFORM_DATE, validTo: null,
    });
  }
  const links = LINKS_2025.map(([newCode, oldCode, coverage]) => ({
    newUnitId: unitId(newCode, REFORM_DATE), oldUnitId: unitId(oldCode, null), coverage,
  }));
  return { units, links };
}

/** How the registry of a district moves between the 2021 and 2022 reviews. */
export interface Flow { from: PovertyStatus | null; to: PovertyStatus | null; count: number }
export interface AreaPlan {
  district: string;
  province: string; // two-digit code, also the CCCD prefix
  standard2021: string; standard2022: string;
  flows: Flow[];
  /** exact persons of the households POOR and NEAR_POOR in 2022 (null: drawn freely) */
  persons2022: { POOR: number | null; NEAR_POOR: number | null };
  totals: { 2021: number; 2022: number };
}

/** The seed areas. Quận 6 and Hải An reproduce the figures of DESIGN.md; Ba Đình and Hà Đông are plausible. */
export const AREA_PLANS: AreaPlan[] = [
  {
    district: '775', province: '79', standard2021: 'HCM-2021-2025', standard2022: 'HCM-2021-2025',
    // 2021: 1,989 poor and 1,494 near-poor; 2022: 1,429 poor (−560) and 1,092 near-poor (−402)
    flows: [
      { from: 'POOR', to: 'POOR', count: 1379 }, { from: 'POOR', to: 'NEAR_POOR', count: 150 },
      { from: 'POOR', to: 'NONE', count: 460 }, { from: 'NEAR_POOR', to: 'NEAR_POOR', count: 912 },
      { from: 'NEAR_POOR', to: 'NONE', count: 582 }, { from: null, to: 'POOR', count: 50 },
      { from: null, to: 'NEAR_POOR', count: 30 },
    ],
    persons2022: { POOR: 5945, NEAR_POOR: 4482 },
    totals: { 2021: 64_600, 2022: 65_000 },
  },
  {
    district: '306', province: '31', standard2021: 'VN-2016-2020', standard2022: 'VN-2022-2025',
    // 133 poor at the start of 2022, none at the end, 22 of them near-poor
    flows: [
      { from: 'POOR', to: 'NEAR_POOR', count: 22 }, { from: 'POOR', to: 'NONE', count: 111 },
      { from: 'NEAR_POOR', to: 'NEAR_POOR', count: 118 }, { from: 'NEAR_POOR', to: 'NONE', count: 41 },
    ],
    persons2022: { POOR: null, NEAR_POOR: null },
    totals: { 2021: 38_400, 2022: 39_000 },
  },
  {
    district: '001', province: '01', standard2021: 'VN-2016-2020', standard2022: 'VN-2022-2025',
    flows: [
      { from: 'POOR', to: 'POOR', count: 12 }, { from: 'POOR', to: 'NEAR_POOR', count: 9 },
      { from: 'NEAR_POOR', to: 'NEAR_POOR', count: 48 }, { from: 'NEAR_POOR', to: 'NONE', count: 15 },
      { from: null, to: 'NEAR_POOR', count: 6 },
    ],
    persons2022: { POOR: null, NEAR_POOR: null },
    totals: { 2021: 61_500, 2022: 62_000 },
  },
  {
    district: '268', province: '01', standard2021: 'VN-2016-2020', standard2022: 'VN-2022-2025',
    flows: [
      { from: 'POOR', to: 'POOR', count: 61 }, { from: 'POOR', to: 'NEAR_POOR', count: 30 },
      { from: 'POOR', to: 'NONE', count: 22 }, { from: 'NEAR_POOR', to: 'NEAR_POOR', count: 170 },
      { from: 'NEAR_POOR', to: 'NONE', count: 55 }, { from: null, to: 'POOR', count: 8 },
      { from: null, to: 'NEAR_POOR', count: 14 },
    ],
    persons2022: { POOR: null, NEAR_POOR: null },
    totals: { 2021: 104_000, 2022: 105_000 },
  },
];

const INDICATORS_2022 = ['EMPLOYMENT', 'DEPENDANTS', 'NUTRITION', 'HEALTH_INSURANCE', 'ADULT_EDUCATION', 'CHILD_SCHOOL_ATTENDANCE',
  'HOUSING_QUALITY', 'FLOOR_AREA_PER_PERSON', 'DOMESTIC_WATER', 'HYGIENIC_LATRINE', 'TELECOM_SERVICES', 'INFORMATION_ACCESS_MEANS'];
const INDICATORS_2016 = ['HEALTH_SERVICE_ACCESS', 'HEALTH_INSURANCE', 'ADULT_EDUCATION', 'CHILD_SCHOOL_ATTENDANCE', 'HOUSING_QUALITY',
  'FLOOR_AREA_PER_PERSON', 'DOMESTIC_WATER', 'HYGIENIC_LATRINE', 'TELECOM_SERVICES', 'INFORMATION_ACCESS_MEANS'];

/** An income and deprivations that the standard classifies as `status` (urban lines; DESIGN.md, Poverty standards). */
function incomeFor(rng: Random, standard: string, status: PovertyStatus): { income: number; period: 'MONTH' | 'YEAR'; deprived: string[] } {
  const pickDeprived = (list: string[], min: number, max: number) => rng.shuffle([...list]).slice(0, rng.int(min, max)).sort();
  const round = (n: number, step: number) => Math.round(n / step) * step;
  if (standard === 'HCM-2021-2025') {
    const deprived = pickDeprived(INDICATORS_2022, 0, status === 'POOR' ? 5 : 2);
    if (status === 'POOR') return { income: round(rng.int(18_000_000, 36_000_000), 10_000), period: 'YEAR', deprived };
    if (status === 'NEAR_POOR') return { income: round(rng.int(36_010_000, 46_000_000), 10_000), period: 'YEAR', deprived };
    return { income: round(rng.int(46_010_000, 80_000_000), 10_000), period: 'YEAR', deprived };
  }
  if (standard === 'VN-2016-2020') {
    if (status === 'POOR') return { income: round(rng.int(450_000, 900_000), 1000), period: 'MONTH', deprived: pickDeprived(INDICATORS_2016, 0, 4) };
    if (status === 'NEAR_POOR') return { income: round(rng.int(901_000, 1_300_000), 1000), period: 'MONTH', deprived: pickDeprived(INDICATORS_2016, 0, 2) };
    return { income: round(rng.int(1_301_000, 3_000_000), 1000), period: 'MONTH', deprived: pickDeprived(INDICATORS_2016, 0, 2) };
  }
  // VN-2022-2025, urban line 2,000,000 a month
  if (status === 'POOR') return { income: round(rng.int(900_000, 2_000_000), 1000), period: 'MONTH', deprived: pickDeprived(INDICATORS_2022, 3, 6) };
  if (status === 'NEAR_POOR') return { income: round(rng.int(1_000_000, 2_000_000), 1000), period: 'MONTH', deprived: pickDeprived(INDICATORS_2022, 0, 2) };
  // above the average-living band too (1.5 × line = 3,000,000), so NONE is what the standard says
  return { income: round(rng.int(3_001_000, 4_500_000), 1000), period: 'MONTH', deprived: pickDeprived(INDICATORS_2022, 0, 2) };
}

function reviewDate(rng: Random, year: number): string {
  // the periodic review runs from 1 September to 14 December
  const start = Date.UTC(year, 8, 1);
  const end = Date.UTC(year, 11, 14);
  return new Date(start + Math.floor(rng.next() * ((end - start) / 86_400_000 + 1)) * 86_400_000).toISOString().slice(0, 10);
}


function personName(rng: Random, gender: 'MALE' | 'FEMALE', family: string): string {
  const middle = rng.pick(gender === 'MALE' ? MIDDLE_MALE : MIDDLE_FEMALE);
  const given = rng.pick(gender === 'MALE' ? GIVEN_MALE : GIVEN_FEMALE);
  return `${family} ${middle} ${given}`.normalize('NFC');
}

function buildMembers(rng: Random, householdId: string, size: number, province: string, ethnicity: string): MemberRow[] {
  const family = rng.pick(FAMILY);
  const members: MemberRow[] = [];
  const headGender = rng.chance(0.6) ? 'MALE' : 'FEMALE';
  const headBirthYear = rng.int(1950, 1995);
  const relations: string[] = ['HEAD'];
  if (size > 1 && rng.chance(0.8)) relations.push('SPOUSE');
  while (relations.length < size) {
    const r = rng.next();
    relations.push(r < 0.65 ? 'CHILD' : r < 0.8 ? 'PARENT' : r < 0.92 ? 'GRANDCHILD' : r < 0.97 ? 'SIBLING' : 'OTHER');
  }
  relations.forEach((relation, position) => {
    const gender: 'MALE' | 'FEMALE' =
      relation === 'HEAD' ? headGender : relation === 'SPOUSE' ? (headGender === 'MALE' ? 'FEMALE' : 'MALE') : rng.chance(0.5) ? 'MALE' : 'FEMALE';
    const birthYear = Math.min(2022,
      relation === 'HEAD' || relation === 'SPOUSE' || relation === 'SIBLING' ? headBirthYear + rng.int(-4, 4)
        : relation === 'PARENT' ? headBirthYear - rng.int(20, 30)
          : relation === 'CHILD' ? headBirthYear + rng.int(20, 35)
            : relation === 'GRANDCHILD' ? headBirthYear + rng.int(42, 55) : headBirthYear + rng.int(-20, 20));
    const dob = isoDate(Math.max(1925, birthYear), rng.int(1, 12), rng.int(1, 28));
    const centuryDigit = (Number(dob.slice(0, 4)) >= 2000 ? 2 : 0) + (gender === 'FEMALE' ? 1 : 0);
    members.push({
      // positions count from 1, as in the members file of an import (position 1–99), so an import can name a demo member
      id: rng.uuid(), householdId, position: position + 1,
      fullName: relation === 'SPOUSE' || relation === 'OTHER' ? personName(rng, gender, rng.pick(FAMILY)) : personName(rng, gender, family),
      dateOfBirth: dob, gender, relationToHead: relation,
      nationalId: `0${province}${centuryDigit}${dob.slice(2, 4)}${String(rng.int(0, 999_999)).padStart(6, '0')}`,
      ethnicity,
    });
  });
  return members;
}

let cached: DemoData | undefined;

/** The whole demo data set; built once per process (about a second). */
export function demoData(): DemoData {
  if (cached) return cached;
  const rng = new Random(DEMO_SEED);
  const { units, links } = buildUnits();
  const data: DemoData = {
    units, unitLinks: links, unitTotals: [], households: [], members: [], assessments: [], reductionTargets: [], unitChanges: [],
    ...emptyProgrammeData(),
  };
  const wardsOf = (district: string) => units.filter((u) => u.parentId === unitId(district, null));

  for (const plan of AREA_PLANS) {
    const wards = wardsOf(plan.district);
    // unit totals: every household of each ward, per year (population data, not the registry)
    for (const year of [2021, 2022] as const) {
      const perWard = partsSumming(rng, wards.length, plan.totals[year], Math.floor(plan.totals[year] / wards.length / 2), Math.ceil((plan.totals[year] / wards.length) * 1.5));
      wards.forEach((ward, i) => data.unitTotals.push({ unitId: ward.id, year, households: perWard[i]!, persons: Math.round(perWard[i]! * rng.int(340, 380) / 100) }));
    }
    const entries = plan.flows.flatMap((flow) => Array.from({ length: flow.count }, () => flow));
    rng.shuffle(entries);
    // household sizes: exact person totals where the published figures give them
    const sizes = new Map<number, number>();
    for (const status of ['POOR', 'NEAR_POOR'] as const) {
      const idx = entries.map((e, i) => (e.to === status ? i : -1)).filter((i) => i >= 0);
      const target = plan.persons2022[status];
      const parts = target === null ? idx.map(() => rng.int(1, 7)) : partsSumming(rng, idx.length, target, 1, 9);
      idx.forEach((i, k) => sizes.set(i, parts[k]!));
    }
    const seqByWard = new Map<string, number>();
    entries.forEach((flow, i) => {
      const ward = rng.pick(wards);
      const seq = (seqByWard.get(ward.code) ?? 0) + 1;
      seqByWard.set(ward.code, seq);
      const id = rng.uuid();
      const registeredOn = flow.from ? '2021-09-01' : '2022-09-01';
      data.households.push({
        id, code: `${ward.code}-${String(seq).padStart(5, '0')}`,
        address: `${rng.int(1, 450)}/${rng.int(1, 60)} ${rng.pick(STREETS[plan.district]!)}, ${ward.name}`.normalize('NFC'),
        unitId: ward.id, areaType: 'URBAN', registeredOn,
      });
      const ethnicity = plan.district === '775' && rng.chance(0.25) ? 'Hoa' : rng.chance(0.02) ? 'Khmer' : 'Kinh';
      const members = buildMembers(rng, id, sizes.get(i) ?? rng.int(1, 7), plan.province, ethnicity);
      data.members.push(...members);
      for (const [year, status, standard] of [[2021, flow.from, plan.standard2021], [2022, flow.to, plan.standard2022]] as const) {
        if (!status) continue;
        const { income, period, deprived } = incomeFor(rng, standard, status);
        data.assessments.push({
          id: rng.uuid(), householdId: id, reviewYear: year, kind: 'PERIODIC', assessedOn: reviewDate(rng, year),
          standardCode: standard, incomePerCapita: income, incomePeriod: period, deprivedIndicators: deprived, status,
          recordedBy: `canbo.${ward.code}`, unitId: ward.id,
        });
      }
    });
  }
  addReductionTargets(data);
  // households outside the registry that programme records need, then the programme records (own seeds)
  addOtherHouseholds(data, DEMO_SEED + 1);
  addProgrammeRecords(data, DEMO_SEED + 2);
  // last, with its own generator: the 2025 review re-assigns some Hải An households to the new wards, after
  // their earlier programme records were made in the old ones
  addHaiAn2025(new Random(DEMO_SEED + 2025), data);
  cached = data;
  return data;
}

/** Targets per unit and year (Quận 6 2022 as published; Quận Hải An 2022 planned to end poverty). */
export const REDUCTION_TARGETS: [string, number, number | null, number | null][] = [
  ['775', 2022, 400, 250],
  ['306', 2022, 133, 40],
];

function addReductionTargets(data: DemoData): void {
  for (const [code, year, poor, nearPoor] of REDUCTION_TARGETS) {
    data.reductionTargets.push({ unitId: unitId(code, null), year, poorHouseholds: poor, nearPoorHouseholds: nearPoor });
  }
}

/** Old Hải An wards split between the two new wards (partial links): their households must be re-assigned one by one. */
const HAI_AN_SPLIT = ['11411', '11419'];
export const HAI_AN_REASSIGNED_ON = '2025-08-15';

/**
 * The review for 2025 in Quận Hải An's households, after the reform: some households re-assigned to the new wards
 * Phường Đông Hải (11411) and Phường Hải An (11413) on 2025-08-15, the others left in their old wards (full links
 * roll up; the split wards 11411 Đông Hải 2 and 11419 Nam Hải keep some households awaiting re-assignment).
 * Standard VN-2022-2025 (kept in force through 2026).
 */
function addHaiAn2025(rng: Random, data: DemoData): void {
  const oldWards = new Set(data.units.filter((u) => u.parentId === unitId('306', null)).map((u) => u.id));
  const dongHai = unitId('11411', REFORM_DATE);
  const haiAn = unitId('11413', REFORM_DATE);
  const last2022 = new Map(data.assessments.filter((a) => a.reviewYear === 2022).map((a) => [a.householdId, a.status]));
  for (const h of data.households) {
    if (!oldWards.has(h.unitId)) continue;
    const oldCode = h.unitId.slice(0, 5);
    let unit = h.unitId;
    const moveTo = HAI_AN_SPLIT.includes(oldCode) ? (rng.chance(0.6) ? rng.pick([dongHai, haiAn]) : null)
      : oldCode === '11410' && rng.chance(0.3) ? dongHai
        : oldCode === '11413' && rng.chance(0.3) ? haiAn : null;
    if (moveTo) {
      data.unitChanges.push({ id: rng.uuid(), householdId: h.id, fromUnitId: h.unitId, toUnitId: moveTo, effectiveOn: HAI_AN_REASSIGNED_ON, recordedBy: `canbo.${moveTo.slice(0, 5)}` });
      h.unitId = moveTo;
      unit = moveTo;
    }
    const before = last2022.get(h.id) ?? null;
    const r = rng.next();
    const status: PovertyStatus = before === 'NEAR_POOR'
      ? (r < 0.55 ? 'NEAR_POOR' : r < 0.6 ? 'POOR' : 'NONE')
      : (r < 0.04 ? 'POOR' : r < 0.12 ? 'NEAR_POOR' : 'NONE');
    const { income, period, deprived } = incomeFor(rng, 'VN-2022-2025', status);
    data.assessments.push({
      id: rng.uuid(), householdId: h.id, reviewYear: 2025, kind: 'PERIODIC', assessedOn: reviewDate(rng, 2025),
      standardCode: 'VN-2022-2025', incomePerCapita: income, incomePeriod: period, deprivedIndicators: deprived, status,
      recordedBy: `canbo.${unit.slice(0, 5)}`, unitId: unit,
    });
  }
  // all households of the new wards in 2025 (population data)
  data.unitTotals.push({ unitId: dongHai, year: 2025, households: 16_850, persons: 58_900 });
  data.unitTotals.push({ unitId: haiAn, year: 2025, households: 27_300, persons: 96_400 });
}

export { householdAreas } from './area.js';
