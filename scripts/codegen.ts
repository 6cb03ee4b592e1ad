/**
 * Generates a subgraph's resolver types from its schema.graphql (GraphQL Code Generator, run as a library:
 * its CLI needs Node 22). Run in a subgraph folder: writes src/generated/graphql.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { codegen } from '@graphql-codegen/core';
import * as typescript from '@graphql-codegen/typescript';
import * as typescriptResolvers from '@graphql-codegen/typescript-resolvers';
import { buildASTSchema, parse } from 'graphql';

// The federation directives a subgraph may use; the plugin's `federation` option reads @key, @requires, …
const FEDERATION = `
  scalar _FieldSet
  directive @key(fields: _FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
  directive @requires(fields: _FieldSet!) on FIELD_DEFINITION
  directive @provides(fields: _FieldSet!) on FIELD_DEFINITION
  directive @external on OBJECT | FIELD_DEFINITION
  directive @shareable repeatable on OBJECT | FIELD_DEFINITION
  directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ENUM | ENUM_VALUE | SCALAR | INPUT_OBJECT | INPUT_FIELD_DEFINITION | ARGUMENT_DEFINITION
  directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
  directive @override(from: String!) on FIELD_DEFINITION
`;

const dir = process.cwd();
const sdl = readFileSync(`${dir}/schema.graphql`, 'utf8');
const mappers = JSON.parse(readFileSync(`${dir}/codegen.json`, 'utf8')) as { contextType: string; mappers: Record<string, string> };
const typeDefs = parse(FEDERATION + sdl.replace(/extend schema[^{}]*?@link\([^)]*\)\s*/s, ''));
const schema = buildASTSchema(typeDefs, { assumeValidSDL: true });
const output = await codegen({
  filename: 'src/generated/graphql.ts',
  schema: typeDefs,
  schemaAst: schema,
  documents: [],
  config: {},
  plugins: [
    { typescript: { scalars: { VND: 'number', Date: 'string' }, enumsAsTypes: true, useTypeImports: true } },
    {
      typescriptResolvers: {
        federation: true,
        useIndexSignature: true,
        contextType: mappers.contextType,
        mappers: mappers.mappers,
        scalars: { VND: 'number', Date: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        resolverTypeWrapperSignature: 'T | Promise<T>',
      },
    },
  ],
  pluginMap: { typescript, typescriptResolvers },
});
mkdirSync(`${dir}/src/generated`, { recursive: true });
writeFileSync(`${dir}/src/generated/graphql.ts`, `/* Generated from schema.graphql by scripts/codegen.ts: do not edit. */\n/* eslint-disable */\n${output}`);
console.log(`${dir.split('/').pop()}: src/generated/graphql.ts`);
