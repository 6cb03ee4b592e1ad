/**
 * The gateway serves whichever subgraphs its supergraph names, at the URLs of the configuration: a supergraph with a
 * subgraph the code has never heard of ("case-notes") is served with CASE_NOTES_URL, and /ready reports it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startGateway, supergraphSubgraphs, type RunningGateway } from '@ansinh/gateway';
import { startSubgraph, type Caller, type RunningSubgraph } from '@ansinh/server';
import { TEST_JWT_SECRET, tokenFor } from './harness.js';

const SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { caseNote(id: ID!): CaseNote }
type CaseNote @key(fields: "id") { id: ID! text: String! }
`;
const SECRET = 'internal-secret-of-the-fifth-subgraph-test-0123';

describe.skipIf(inject('database').kind !== 'pglite')('a subgraph the code does not know', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ansinh-fifth-'));
  let subgraph: RunningSubgraph;
  let gateway: RunningGateway;
  let supergraphSdl: string;

  beforeAll(async () => {
    writeFileSync(join(dir, 'schema.graphql'), SDL);
    subgraph = await startSubgraph({
      name: 'case-notes', schemaFile: pathToFileURL(join(dir, 'schema.graphql')),
      resolvers: { Query: { caseNote: (_: unknown, { id }: { id: string }, ctx: { caller: Caller }) => ({ id, text: `note ${id}, read by a ${ctx.caller.role}` }) } },
      context: (caller) => ({ caller }),
    }, { port: 0, internalSecret: SECRET });
    const composed = composeServices([{ name: 'case-notes', url: 'http://127.0.0.1:9/', typeDefs: parse(SDL) }]);
    if (composed.errors) throw composed.errors[0];
    supergraphSdl = composed.supergraphSdl;
    process.env.CASE_NOTES_URL = subgraph.url;
    gateway = await startGateway({ port: 0, supergraphSdl, internalSecret: SECRET, auth: { jwtSecret: TEST_JWT_SECRET }, rateLimit: null, explorer: false, trustedDocuments: false });
  });
  afterAll(async () => {
    delete process.env.CASE_NOTES_URL;
    await gateway?.close();
    await subgraph?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the subgraph list from the supergraph', () => {
    expect(supergraphSubgraphs(supergraphSdl)).toEqual([{ name: 'case-notes', url: 'http://127.0.0.1:9/' }]);
    expect(gateway.urls).toEqual({ 'case-notes': subgraph.url });
  });

  it('answers from it, with the caller passed on, and reports it in /ready', async () => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('WARD_OFFICER', ['27346'])}` },
      body: JSON.stringify({ query: '{ caseNote(id: "7") { id text } }' }),
    });
    expect(await res.json()).toEqual({ data: { caseNote: { id: '7', text: 'note 7, read by a WARD_OFFICER' } } });
    const ready = await (await fetch(new URL('/ready', gateway.url))).json();
    expect(ready).toMatchObject({ status: 'ready', subgraphs: { 'case-notes': 'up' } });
  });
});
