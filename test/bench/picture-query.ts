export const PICTURE = `query BenchPicture($unitCode: String!, $first: Int!) {
  households(unitCode: $unitCode, first: $first) {
    edges { node {
      id code address areaType
      currentStatus { status year standard { code } }
      unit { name parent { name } }
      members { id fullName relationToHead insuranceCards { cardNumber beneficiaryGroup validTo } }
      loans { code programme outstanding status }
      creditSummary { activeLoans outstanding }
      healthCoverage { on coveredMembers totalMembers }
      housingSupports { kind status fundingLines { source amount } }
    } }
  }
}`;
