import { bulkInsert, type Db } from '@ansinh/db';
import * as tables from './db/schema.js';
import { AccessRecorder, callerAreaIds, LoggedReads, type AreaIds, type Caller } from '@ansinh/server';
import { createLoaders, type Loaders } from './loaders.js';

export type HealthDb = Db<typeof tables>;

/** A member as the gateway refers to it: only its key (the households subgraph owns the rest). */
export interface MemberRef {
  id: string;
}

/**
 * A household as the gateway refers to it: its key, plus its members' ids when a field that @requires them
 * (healthCoverage) is asked.
 */
export interface HouseholdRef {
  id: string;
  members?: MemberRef[] | null;
}

/** The support-gaps report of a unit on a date (see the credit subgraph); health provides its flags (healthGaps). */
export interface GapRef {
  unitId: string;
  on: string;
}

export interface Context {
  db: HealthDb;
  /** the caller the gateway vouched for */
  caller: Caller;
  /** the unit ids of the caller's area (null: everywhere), resolved once per request */
  area: AreaIds;
  loaders: Loaders;
  /** sensitive reads of this request, written to health.access_log when the response is sent */
  access: AccessRecorder;
}

/** what this process has logged per request (one client request may call this subgraph more than once) */
const logged = new LoggedReads();

export function createContext(db: HealthDb, caller: Caller): Context {
  const area = callerAreaIds(db, 'health', caller);
  return {
    db, caller, area, loaders: createLoaders(db, caller, area),
    access: new AccessRecorder(caller, (rows) => bulkInsert(db, tables.accessLog, rows), logged),
  };
}
