#!/usr/bin/env node
// The `arflow` command. Runs the TypeScript sources through tsx, so an installed checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
