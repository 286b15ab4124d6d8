/**
 * Loads the application's TypeScript (src/, migrations/) through SWC with legacy decorators and
 * decorator metadata — the same transform as jest.config.js — because tsx (esbuild) does not
 * emit `design:paramtypes`, without which Nest cannot inject constructor parameters.
 * Everything else (the bench itself, node_modules) still goes through tsx.
 *
 * Import this module before anything from src/.
 */
import { transformSync, type Options } from '@swc/core';
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const COMPILED = [path.join(ROOT, 'src') + path.sep, path.join(ROOT, 'migrations') + path.sep];

const SWC: Options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs' },
  // no inline source maps unless asked (BENCH_SOURCE_MAPS=1): the service runs compiled JS without
  // them, and keeping every module's map in memory adds ~30 MB to the figures the benches print
  sourceMaps: process.env.BENCH_SOURCE_MAPS === '1' ? 'inline' : false,
};

type Loader = (module: { _compile(code: string, filename: string): void }, filename: string) => void;
const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
const tsx = extensions['.ts'];
if (!tsx) throw new Error('bench/kpi/swc-register: run the bench with tsx (npm run bench:kpi)');

extensions['.ts'] = (module, filename) => {
  if (!COMPILED.some((dir) => filename.startsWith(dir))) return tsx(module, filename);
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...SWC, filename });
  module._compile(code, filename);
};
