/**
 * Builds one database on the PostgreSQL server of TEST_DATABASE_URL, migrated and with the demo data, as a
 * template: each test system then gets its own copy (`create database … template …`), so a file that writes
 * never changes what another file reads.
 */
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connect } from '@ansinh/db';
import { prepareAll } from '../harness.js';

export default async function setup(project: TestProject) {
  const server = process.env.TEST_DATABASE_URL!;
  const name = `ansinh_test_${Date.now()}_${process.pid}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await dropLeftovers(admin);
  await admin.unsafe(`create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const connection = await connect({ url: url.toString(), max: 2 });
  await prepareAll(connection);
  // nobody may stay connected to a template while it is copied
  await connection.close();
  // the same system with no demo data: the reference data every deployment loads, and nothing else
  const reference = `${name}_reference`;
  await admin.unsafe(`create database ${reference}`);
  const referenceUrl = new URL(server);
  referenceUrl.pathname = `/${reference}`;
  const referenceConnection = await connect({ url: referenceUrl.toString(), max: 2 });
  await prepareAll(referenceConnection, false);
  await referenceConnection.close();
  project.provide('database', { kind: 'postgres', url: url.toString(), template: name, referenceTemplate: reference, server });
  return async () => {
    // the test systems' copies are named after the template (test/harness.ts databaseCopy): those a worker kept
    // open to its end (sharedSystem) or a crashed file left behind go with it
    const copies = await admin<{ datname: string }[]>`select datname from pg_database where datname ~ ${`^${name}_`}`;
    for (const { datname } of copies) await admin.unsafe(`drop database if exists ${datname} with (force)`);
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`drop database if exists ${reference} with (force)`);
    await admin.end();
  };
}

/** Databases a killed run left behind (older than a day, so a run going on beside this one keeps its own). */
async function dropLeftovers(admin: postgres.Sql): Promise<void> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname ~ '^ansinh_(test|kill)_[0-9]+_'`;
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const { datname } of rows) {
    const started = Number(datname.split('_')[2]);
    if (started < dayAgo) await admin.unsafe(`drop database if exists ${datname} with (force)`);
  }
}
