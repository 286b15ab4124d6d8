/**
 * `node -r ./test/support/swc-register.cjs …`: loads the application's TypeScript (src/,
 * migrations/) through SWC with legacy decorators and decorator metadata — the transform of
 * jest.config.js — so tests can start real service processes without building dist/.
 */
const { transformSync } = require('@swc/core');
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const COMPILED = [path.join(ROOT, 'src') + path.sep, path.join(ROOT, 'migrations') + path.sep];
const OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const previous = Module._extensions['.ts'];
Module._extensions['.ts'] = function (module, filename) {
  if (!COMPILED.some((dir) => filename.startsWith(dir))) {
    if (previous) return previous(module, filename);
    throw new Error(`swc-register: cannot load ${filename}`);
  }
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...OPTIONS, filename });
  module._compile(code, filename);
};
