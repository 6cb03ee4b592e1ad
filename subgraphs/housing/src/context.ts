import { bulkInsert, type Db } from '@ansinh/db';
import * as tables from './db/schema.js';
import { AccessRecorder, callerAreaIds, LoggedReads, type AreaIds, type Caller } from '@ansinh/server';
import { createLoaders, type Loaders } from './loaders.js';

export type HousingDb = Db<typeof tables>;

/** A household as the gateway refers to it: only its key (the households subgraph owns the rest). */
export interface HouseholdRef {
  id: string;
}

/** The support-gaps report of a unit on a date (see the credit subgraph); housing provides its flags (housingGaps). */
export interface GapRef {
  unitId: string;
  on: string;
}

export interface FundingLineView {
  source: string;
  amount: number;
}

export interface Context {
  db: HousingDb;
  /** the caller the gateway vouched for */
  caller: Caller;
  /** the unit ids of the caller's area (null: everywhere), resolved once per request */
  area: AreaIds;
  loaders: Loaders;
  /** reads of this request's housing funding, written to housing.access_log when the response is sent */
  access: AccessRecorder;
}

/** what this process has logged per request (one client request may call this subgraph more than once) */
const logged = new LoggedReads();

export function createContext(db: HousingDb, caller: Caller): Context {
  const area = callerAreaIds(db, 'housing', caller);
  return {
    db, caller, area, loaders: createLoaders(db, caller, area),
    access: new AccessRecorder(caller, (rows) => bulkInsert(db, tables.accessLog, rows), logged),
  };
}
