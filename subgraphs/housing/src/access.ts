/**
 * Who may read which records: a housing support follows its household. The caller's area is resolved once per
 * request (packages/server area.ts); a support is readable when its household is placed now in that area, as this
 * subgraph's copy of the registry says (docs/areas.md).
 */
import { householdRecordReadable, type AreaIds, type Caller } from '@ansinh/server';

export const recordReadable = (caller: Caller, area: AreaIds, householdColumn: unknown) => householdRecordReadable('housing', caller, area, householdColumn);
