// `node -r ./test/support/swc-register.cjs test/support/cli-entry.cjs <command> …`: the CLI from TypeScript, as `npm run cli` runs it.
require('../../src/cli/main.ts');
