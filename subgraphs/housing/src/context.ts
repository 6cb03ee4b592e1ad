import type { Db } from '@ansinh/db';
import type * as tables from './db/schema.js';
import type { Caller } from '@ansinh/server';
import { createLoaders, type Loaders } from './loaders.js';

export type HousingDb = Db<typeof tables>;

/** A household as the gateway refers to it: only its key (the households subgraph owns the rest). */
export interface HouseholdRef {
  id: string;
}

/** The support-gaps report of a unit on a date (see the credit subgraph); housing provides supported households. */
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
  loaders: Loaders;
}

export function createContext(db: HousingDb, caller: Caller): Context {
  return { db, caller, loaders: createLoaders(db, caller) };
}
