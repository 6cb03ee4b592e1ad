import { bulkInsert, type Db } from '@ansinh/db';
import * as tables from './db/schema.js';
import { AccessRecorder, callerAreaIds, LoggedReads, type AreaIds, type Caller, type GapFlags } from '@ansinh/server';
import { createLoaders, type Loaders } from './loaders.js';

export type CreditDb = Db<typeof tables>;

/** A member as the gateway refers to it: its key, and its cards' validity when supportGaps @requires them. */
export interface MemberRef {
  id: string;
  insuranceCards?: { validFrom: string; validTo: string }[] | null;
}

/**
 * A household as the gateway refers to it: its key, plus, when supportGaps is asked, what it @requires from the
 * households subgraph (latest review, members), health (members' cards) and housing (supports).
 */
export interface HouseholdRef {
  id: string;
  currentStatus?: { status: string; deprivedIndicators: string[] } | null;
  members?: MemberRef[] | null;
  housingSupports?: { proposedOn: string }[] | null;
}

/** The support-gaps report of a unit on a date, with the flags health and housing provide (@requires). */
export interface GapRef {
  unitId: string;
  on: string;
  healthGaps?: GapFlags;
  housingGaps?: GapFlags;
}

export interface SupportGapModel {
  kind: 'HEALTH_INSURANCE' | 'HOUSING' | 'CLEAN_WATER_SANITATION' | 'EMPLOYMENT';
  deprivation: string;
  member: MemberRef | null;
  programme: 'HEALTH_INSURANCE_CARD' | 'HOUSING_SUPPORT' | 'CLEAN_WATER_SANITATION_LOAN' | 'JOB_CREATION_LOAN';
}

export interface Context {
  db: CreditDb;
  /** the caller the gateway vouched for */
  caller: Caller;
  /** the unit ids of the caller's area (null: everywhere), resolved once per request */
  area: AreaIds;
  loaders: Loaders;
  /** sensitive reads of this request, written to credit.access_log when the response is sent */
  access: AccessRecorder;
}

/** what this process has logged per request (one client request may call this subgraph more than once) */
const logged = new LoggedReads();

export function createContext(db: CreditDb, caller: Caller): Context {
  const area = callerAreaIds(db, 'credit', caller);
  return {
    db, caller, area, loaders: createLoaders(db, caller, area),
    access: new AccessRecorder(caller, (rows) => bulkInsert(db, tables.accessLog, rows), logged),
  };
}
