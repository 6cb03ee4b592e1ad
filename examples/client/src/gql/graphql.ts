/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export const Funder = {
  /** Ngân sách trung ương */
  CentralBudget: 'CENTRAL_BUDGET',
  /** Ngân sách quận, huyện */
  DistrictBudget: 'DISTRICT_BUDGET',
  /** Nhà tài trợ */
  Donor: 'DONOR',
  /** Quỹ Vì người nghèo */
  FundForThePoor: 'FUND_FOR_THE_POOR',
  /** Ngân sách tỉnh, thành phố */
  ProvinceBudget: 'PROVINCE_BUDGET'
} as const;

export type Funder = typeof Funder[keyof typeof Funder];
export const FundingSource = {
  /** Ngân sách trung ương */
  CentralBudget: 'CENTRAL_BUDGET',
  /** Ngân sách quận, huyện */
  DistrictBudget: 'DISTRICT_BUDGET',
  /** Tài trợ, quyên góp */
  Donation: 'DONATION',
  /** Quỹ Vì người nghèo */
  FundForThePoor: 'FUND_FOR_THE_POOR',
  /** Hộ gia đình tự đóng góp */
  Household: 'HOUSEHOLD',
  /** Vay Ngân hàng Chính sách xã hội (VBSP) */
  PolicyBankLoan: 'POLICY_BANK_LOAN',
  /** Ngân sách tỉnh, thành phố */
  ProvinceBudget: 'PROVINCE_BUDGET'
} as const;

export type FundingSource = typeof FundingSource[keyof typeof FundingSource];
export const HousingSupportKind = {
  /** Xây mới */
  NewBuild: 'NEW_BUILD',
  /** Sửa chữa */
  Repair: 'REPAIR'
} as const;

export type HousingSupportKind = typeof HousingSupportKind[keyof typeof HousingSupportKind];
export const HousingSupportStatus = {
  /** Đã phê duyệt */
  Approved: 'APPROVED',
  /** Đã hoàn thành */
  Completed: 'COMPLETED',
  /** Đã bàn giao */
  HandedOver: 'HANDED_OVER',
  /** Đề xuất */
  Proposed: 'PROPOSED',
  /** Đang thi công */
  UnderConstruction: 'UNDER_CONSTRUCTION'
} as const;

export type HousingSupportStatus = typeof HousingSupportStatus[keyof typeof HousingSupportStatus];
/** Chương trình cho vay: the policy-credit programmes of the Ngân hàng Chính sách xã hội (VBSP). */
export const LoanProgramme = {
  /** Cho vay nước sạch và vệ sinh môi trường nông thôn */
  CleanWaterSanitation: 'CLEAN_WATER_SANITATION',
  /** Cho vay nhà ở */
  Housing: 'HOUSING',
  /** Cho vay giải quyết việc làm */
  JobCreation: 'JOB_CREATION',
  /** Cho vay người lao động đi làm việc ở nước ngoài theo hợp đồng */
  LabourExport: 'LABOUR_EXPORT',
  /** Cho vay hộ cận nghèo */
  NearPoor: 'NEAR_POOR',
  /** Cho vay hộ mới thoát nghèo */
  NewlyEscaped: 'NEWLY_ESCAPED',
  /** Cho vay hộ nghèo */
  PoorHousehold: 'POOR_HOUSEHOLD',
  /** Cho vay học sinh, sinh viên */
  Student: 'STUDENT'
} as const;

export type LoanProgramme = typeof LoanProgramme[keyof typeof LoanProgramme];
export const LoanStatus = {
  /** Đang vay: current, repaid on schedule */
  Active: 'ACTIVE',
  /** Nợ quá hạn: past due */
  Overdue: 'OVERDUE',
  /** Đã trả hết */
  Repaid: 'REPAID',
  /** Đã xử lý rủi ro (xóa nợ) */
  WrittenOff: 'WRITTEN_OFF'
} as const;

export type LoanStatus = typeof LoanStatus[keyof typeof LoanStatus];
export const PovertyStatus = {
  /** Hộ có mức sống trung bình: above the near-poor band, within the standard's average-living band */
  AverageLivingStandard: 'AVERAGE_LIVING_STANDARD',
  /** Hộ cận nghèo */
  NearPoor: 'NEAR_POOR',
  /** Neither poor nor near-poor */
  None: 'NONE',
  /** Hộ nghèo */
  Poor: 'POOR'
} as const;

export type PovertyStatus = typeof PovertyStatus[keyof typeof PovertyStatus];
export const RelationToHead = {
  /** Con */
  Child: 'CHILD',
  /** Cháu */
  Grandchild: 'GRANDCHILD',
  /** Chủ hộ */
  Head: 'HEAD',
  /** Khác */
  Other: 'OTHER',
  /** Cha/mẹ */
  Parent: 'PARENT',
  /** Anh/chị/em */
  Sibling: 'SIBLING',
  /** Vợ/chồng */
  Spouse: 'SPOUSE'
} as const;

export type RelationToHead = typeof RelationToHead[keyof typeof RelationToHead];
export type AreaReportQueryVariables = Exact<{
  unitCode: string;
  year: number;
}>;


export type AreaReportQuery = { areaStatistics: { year: number, totalHouseholds: number | null, poorHouseholds: number | null, poorRate: number | null, nearPoorHouseholds: number | null, nearPoorRate: number | null, totalsComplete: boolean, unit: { id: string, code: string, name: string }, unitsWithoutTotals: Array<{ id: string, code: string, name: string }>, suppressed: Array<{ field: string, reason: string }> } | null };

export type HouseholdPictureQueryVariables = Exact<{
  code: string;
}>;


export type HouseholdPictureQuery = { householdByCode: { id: string, code: string, address: string, currentStatus: { status: PovertyStatus, year: number, standard: { id: string, code: string } } | null, unit: { id: string, name: string }, members: Array<{ id: string, fullName: string, relationToHead: RelationToHead, insuranceCards: Array<{ id: string, cardNumber: string, validTo: string, supportLayers: Array<{ id: string, funder: Funder, amount: number }> }> | null }>, loans: Array<{ id: string, code: string, programme: LoanProgramme, outstanding: number | null, disbursedOn: string, status: LoanStatus | null }> | null, housingSupports: Array<{ id: string, kind: HousingSupportKind, status: HousingSupportStatus, fundingLines: Array<{ id: string, source: FundingSource, amount: number }> }> | null } | null };

export type HouseholdsOfUnitQueryVariables = Exact<{
  unitCode: string;
  status?: PovertyStatus | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type HouseholdsOfUnitQuery = { households: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, code: string, head: { id: string, fullName: string } | null, currentStatus: { status: PovertyStatus, year: number } | null } }> } };


export const AreaReportDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AreaReport"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"unitCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"year"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"areaStatistics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"unitCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"unitCode"}}},{"kind":"Argument","name":{"kind":"Name","value":"year"},"value":{"kind":"Variable","name":{"kind":"Name","value":"year"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"totalHouseholds"}},{"kind":"Field","name":{"kind":"Name","value":"poorHouseholds"}},{"kind":"Field","name":{"kind":"Name","value":"poorRate"}},{"kind":"Field","name":{"kind":"Name","value":"nearPoorHouseholds"}},{"kind":"Field","name":{"kind":"Name","value":"nearPoorRate"}},{"kind":"Field","name":{"kind":"Name","value":"totalsComplete"}},{"kind":"Field","name":{"kind":"Name","value":"unitsWithoutTotals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"suppressed"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<AreaReportQuery, AreaReportQueryVariables>;
export const HouseholdPictureDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"HouseholdPicture"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"householdByCode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"currentStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"year"}},{"kind":"Field","name":{"kind":"Name","value":"standard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"unit"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"fullName"}},{"kind":"Field","name":{"kind":"Name","value":"relationToHead"}},{"kind":"Field","name":{"kind":"Name","value":"insuranceCards"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cardNumber"}},{"kind":"Field","name":{"kind":"Name","value":"validTo"}},{"kind":"Field","name":{"kind":"Name","value":"supportLayers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"funder"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"loans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"programme"}},{"kind":"Field","name":{"kind":"Name","value":"outstanding"}},{"kind":"Field","name":{"kind":"Name","value":"disbursedOn"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"housingSupports"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"fundingLines"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]}}]}}]} as unknown as DocumentNode<HouseholdPictureQuery, HouseholdPictureQueryVariables>;
export const HouseholdsOfUnitDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"HouseholdsOfUnit"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"unitCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PovertyStatus"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"households"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"unitCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"unitCode"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"head"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"fullName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"currentStatus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"year"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<HouseholdsOfUnitQuery, HouseholdsOfUnitQueryVariables>;