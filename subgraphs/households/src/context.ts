import type { Db } from '@ansinh/db';
import { AccessRecorder, LoggedReads, type Caller } from '@ansinh/server';
import * as tables from './db/schema.js';
import { createLoaders, type Loaders } from './loaders.js';

export type HouseholdsDb = Db<typeof tables>;

export interface Context {
  db: HouseholdsDb;
  /** the caller the gateway vouched for */
  caller: Caller;
  loaders: Loaders;
  /** sensitive reads of this request, written to households.access_log when the response is sent */
  access: AccessRecorder;
}

/** what this process has logged per request (one client request may call this subgraph more than once) */
const logged = new LoggedReads();

export function createContext(db: HouseholdsDb, caller: Caller): Context {
  return {
    db, caller, loaders: createLoaders(db, caller),
    access: new AccessRecorder(caller, (rows) => db.insert(tables.accessLog).values(rows), logged),
  };
}
