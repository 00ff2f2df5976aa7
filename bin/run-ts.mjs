#!/usr/bin/env node
// Runs a TypeScript script (benchmarks, evaluations) with the same loader as the `arflow` command.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

register();
const [, , script, ...rest] = process.argv;
if (!script) {
  console.error('usage: run-ts.mjs SCRIPT [ARGS...]');
  process.exit(2);
}
process.argv = [process.argv[0], script, ...rest];
await import(pathToFileURL(path.resolve(script)).href);
