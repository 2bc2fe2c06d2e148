// GraphQL Code Generator: typed document nodes for the client SDK (hubgraph/sdk) from the printed
// schema and the operations in src/sdk/operations. `npm run codegen` writes src/sdk/generated/;
// `npm run codegen:check` fails when that output is stale.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'src/sdk/operations/*.graphql',
  generates: {
    'src/sdk/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        // module NodeNext: relative imports need their .js extension
        emitLegacyCommonJSImports: false,
        strictScalars: true,
        scalars: { JSON: 'unknown' },
      },
    },
  },
};

export default config;
