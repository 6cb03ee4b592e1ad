/**
 * The GraphQL Code Generator settings every subgraph shares; each subgraph's `codegen.ts` (the CLI's own config
 * format, read by `graphql-codegen --config codegen.ts` and by editors) adds its context type and mappers.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

export interface SubgraphTypes {
  /** the resolvers' context, relative to src/generated: '../context.js#Context' */
  contextType: string;
  /** the model each GraphQL type is resolved from (file#Type, relative to src/generated) */
  mappers: Record<string, string>;
}

const scalars = { VND: 'number', Date: 'string' };

export function subgraphCodegen({ contextType, mappers }: SubgraphTypes): CodegenConfig {
  return {
    schema: 'schema.graphql',
    // the generated types follow the SDL's order, so a change of the schema reads as the same change here
    config: { sort: false },
    generates: {
      'src/generated/graphql.ts': {
        plugins: [{ add: { content: '/* Generated from schema.graphql by graphql-codegen (codegen.ts): do not edit. */' } }, 'typescript', 'typescript-resolvers'],
        config: {
          // Federation 2: __resolveReference, @key fields in reference types
          federation: true,
          contextType, mappers, scalars,
          enumsAsTypes: true,
          useTypeImports: true,
          useIndexSignature: true,
          resolverTypeWrapperSignature: 'T | Promise<T>',
        },
      },
    },
  };
}
