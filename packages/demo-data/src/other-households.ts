/**
 * Households the programme figures need beyond the poverty registry of the seed areas: policy credit reaches
 * working households that are not poor (job-creation and student loans), and Hải Phòng's city-wide figures span
 * districts other than Hải An. Kept apart from the registry generator (index.ts) so the registry's figures stay
 * exactly as they are.
 *
 * - Hải Phòng: Quận Lê Chân (305) and Quận Kiến An (307), codes and names from the national list
 *   (data/admin-units/units-before-2025-07-01.csv): 1,550 poor households (5,753 persons: each holds a
 *   free BHYT card in 2023), 600 near-poor households, and 19,000 working households outside the registry.
 * - Quận 6: 3,000 working households outside the registry (borrowers of job-creation and student loans).
 *
 * Households outside the registry have no assessment (their `currentStatus` is null).
 */
import { FAMILY, GIVEN_FEMALE, GIVEN_MALE, MIDDLE_FEMALE, MIDDLE_MALE } from './names.js';
import { isoDate, partsSumming, Random } from './random.js';
import type { DemoData, HouseholdRow, MemberRow, PovertyStatus, UnitRow } from './index.js';

const REFORM_DATE = '2025-07-01';
const uid = (code: string) => `${code}@origin`;

/** Quận Lê Chân and Quận Kiến An with their wards, as before 2025-07-01. */
export const HAI_PHONG_OTHER_UNITS: [string, string, string, string][] = [
  ['305', 'Quận Lê Chân', 'urban_district', '31'],
  ['307', 'Quận Kiến An', 'urban_district', '31'],
  ['11371', 'Phường An Biên', 'ward', '305'],
  ['11383', 'Phường Trần Nguyên Hãn', 'ward', '305'],
  ['11395', 'Phường Hàng Kênh', 'ward', '305'],
  ['11401', 'Phường An Dương', 'ward', '305'],
  ['11404', 'Phường Dư Hàng Kênh', 'ward', '305'],
  ['11405', 'Phường Kênh Dương', 'ward', '305'],
  ['11407', 'Phường Vĩnh Niệm', 'ward', '305'],
  ['11431', 'Phường Đồng Hoà', 'ward', '307'],
  ['11434', 'Phường Bắc Sơn', 'ward', '307'],
  ['11437', 'Phường Nam Sơn', 'ward', '307'],
  ['11440', 'Phường Ngọc Sơn', 'ward', '307'],
  ['11443', 'Phường Trần Thành Ngọ', 'ward', '307'],
  ['11446', 'Phường Văn Đẩu', 'ward', '307'],
  ['11449', 'Phường Bắc Hà', 'ward', '307'],
];
const STREETS: Record<string, string[]> = {
  '305': ['Tô Hiệu', 'Hàng Kênh', 'Lạch Tray', 'Trần Nguyên Hãn', 'Dư Hàng', 'Nguyễn Văn Linh', 'Chợ Con', 'Thiên Lôi'],
  '307': ['Trần Thành Ngọ', 'Phan Đăng Lưu', 'Trữ Khê', 'Lê Quốc Uy', 'Trường Chinh', 'Đồng Hoà', 'Bắc Sơn', 'Nam Sơn'],
  '775': ['Hậu Giang', 'Kinh Dương Vương', 'Minh Phụng', 'Bình Tiên', 'Lò Gốm', 'Văn Thân', 'Bà Hom', 'Phạm Văn Chí'],
};

export const HAI_PHONG_POOR = { households: 1_550, persons: 5_753 };
export const HAI_PHONG_NEAR_POOR = 600;
export const HAI_PHONG_WORKING = 19_000;
export const QUAN6_WORKING = 3_000;

const INDICATORS = ['EMPLOYMENT', 'DEPENDANTS', 'NUTRITION', 'HEALTH_INSURANCE', 'ADULT_EDUCATION', 'CHILD_SCHOOL_ATTENDANCE',
  'HOUSING_QUALITY', 'FLOOR_AREA_PER_PERSON', 'DOMESTIC_WATER', 'HYGIENIC_LATRINE', 'TELECOM_SERVICES', 'INFORMATION_ACCESS_MEANS'];
const INDICATORS_2016 = ['HEALTH_SERVICE_ACCESS', 'HEALTH_INSURANCE', 'ADULT_EDUCATION', 'CHILD_SCHOOL_ATTENDANCE', 'HOUSING_QUALITY',
  'FLOOR_AREA_PER_PERSON', 'DOMESTIC_WATER', 'HYGIENIC_LATRINE', 'TELECOM_SERVICES', 'INFORMATION_ACCESS_MEANS'];

function members(rng: Random, householdId: string, size: number, province: string): MemberRow[] {
  const family = rng.pick(FAMILY);
  const headGender: 'MALE' | 'FEMALE' = rng.chance(0.6) ? 'MALE' : 'FEMALE';
  const headYear = rng.int(1955, 1998);
  const out: MemberRow[] = [];
  for (let position = 0; position < size; position++) {
    const relation = position === 0 ? 'HEAD' : position === 1 && rng.chance(0.8) ? 'SPOUSE' : rng.chance(0.8) ? 'CHILD' : 'PARENT';
    const gender: 'MALE' | 'FEMALE' = relation === 'HEAD' ? headGender : relation === 'SPOUSE' ? (headGender === 'MALE' ? 'FEMALE' : 'MALE') : rng.chance(0.5) ? 'MALE' : 'FEMALE';
    const year = Math.min(2022, relation === 'CHILD' ? headYear + rng.int(20, 34) : relation === 'PARENT' ? headYear - rng.int(20, 30) : headYear + rng.int(-4, 4));
    const dob = isoDate(Math.max(1925, year), rng.int(1, 12), rng.int(1, 28));
    const fam = relation === 'SPOUSE' ? rng.pick(FAMILY) : family;
    const name = `${fam} ${rng.pick(gender === 'MALE' ? MIDDLE_MALE : MIDDLE_FEMALE)} ${rng.pick(gender === 'MALE' ? GIVEN_MALE : GIVEN_FEMALE)}`;
    out.push({
      id: rng.uuid(), householdId, position: position + 1, fullName: name.normalize('NFC'), dateOfBirth: dob, gender, relationToHead: relation,
      nationalId: `0${province}${(Number(dob.slice(0, 4)) >= 2000 ? 2 : 0) + (gender === 'FEMALE' ? 1 : 0)}${dob.slice(2, 4)}${String(rng.int(0, 999_999)).padStart(6, '0')}`,
      ethnicity: 'Kinh',
    });
  }
  return out;
}

function assess(rng: Random, data: DemoData, householdId: string, ward: string, year: 2021 | 2022, status: PovertyStatus): void {
  const standard = year === 2021 ? 'VN-2016-2020' : 'VN-2022-2025';
  const list = year === 2021 ? INDICATORS_2016 : INDICATORS;
  const [lo, hi] = status === 'POOR' ? (year === 2021 ? [0, 4] : [3, 6]) : [0, 2];
  const income = year === 2021
    ? (status === 'POOR' ? rng.int(450, 900) : rng.int(901, 1300)) * 1000
    : (status === 'POOR' ? rng.int(900, 2000) : rng.int(1000, 2000)) * 1000;
  const start = Date.UTC(year, 8, 1);
  data.assessments.push({
    id: rng.uuid(), householdId, reviewYear: year, kind: 'PERIODIC',
    assessedOn: new Date(start + rng.int(0, 104) * 86_400_000).toISOString().slice(0, 10),
    standardCode: standard, incomePerCapita: income, incomePeriod: 'MONTH',
    deprivedIndicators: rng.shuffle([...list]).slice(0, rng.int(lo, hi)).sort(), status, recordedBy: `canbo.${ward}`,
    unitId: `${ward}@origin`,
  });
}

/** Adds the units, households, members and assessments described above (deterministic: its own seed). */
export function addOtherHouseholds(data: DemoData, seed: number): void {
  const rng = new Random(seed);
  for (const [code, name, kind, parent] of HAI_PHONG_OTHER_UNITS) {
    if (data.units.some((u) => u.id === uid(code))) continue;
    data.units.push({ id: uid(code), code, name: name.normalize('NFC'), kind, level: code.length === 3 ? 2 : 3, parentId: uid(parent), validFrom: null, validTo: REFORM_DATE });
  }
  const wardsOf = (district: string) => data.units.filter((u) => u.parentId === uid(district) && u.validTo !== null && u.validTo > '2022-12-31');
  const hpWards = [...wardsOf('305'), ...wardsOf('307')];
  const q6Wards = data.units.filter((u) => u.parentId === uid('775') && u.validFrom === null);
  // population totals of the new wards (the denominators of poverty rates)
  for (const ward of hpWards) {
    for (const year of [2021, 2022]) {
      const households = rng.int(5_000, 7_000);
      data.unitTotals.push({ unitId: ward.id, year, households, persons: Math.round((households * rng.int(330, 370)) / 100) });
    }
  }
  const seq = new Map<string, number>();
  const add = (ward: UnitRow, size: number, province: string, base: number): HouseholdRow => {
    const n = (seq.get(`${ward.id}/${base}`) ?? base) + 1;
    seq.set(`${ward.id}/${base}`, n);
    const district = ward.parentId!.split('@')[0]!;
    const h: HouseholdRow = {
      id: rng.uuid(), code: `${ward.code}-${String(n).padStart(5, '0')}`,
      address: `${rng.int(1, 400)} ${rng.pick(STREETS[district]!)}, ${ward.name}`.normalize('NFC'),
      unitId: ward.id, areaType: 'URBAN', registeredOn: base === 0 ? '2021-09-01' : '2022-01-01',
    };
    data.households.push(h);
    data.members.push(...members(rng, h.id, size, province));
    return h;
  };
  const poorSizes = partsSumming(rng, HAI_PHONG_POOR.households, HAI_PHONG_POOR.persons, 1, 8);
  for (const size of poorSizes) {
    const ward = rng.pick(hpWards);
    const h = add(ward, size, '31', 0);
    assess(rng, data, h.id, ward.code, 2021, rng.chance(0.85) ? 'POOR' : 'NEAR_POOR');
    assess(rng, data, h.id, ward.code, 2022, 'POOR');
  }
  for (let i = 0; i < HAI_PHONG_NEAR_POOR; i++) {
    const ward = rng.pick(hpWards);
    const h = add(ward, rng.int(1, 6), '31', 0);
    assess(rng, data, h.id, ward.code, 2021, 'NEAR_POOR');
    assess(rng, data, h.id, ward.code, 2022, 'NEAR_POOR');
  }
  // working households outside the registry: codes from 20001 in each ward, after the registry's
  for (let i = 0; i < HAI_PHONG_WORKING; i++) add(rng.pick(hpWards), rng.int(1, 3), '31', 20_000);
  for (let i = 0; i < QUAN6_WORKING; i++) add(rng.pick(q6Wards), rng.int(1, 4), '79', 20_000);
}
