import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One test file per core. Vitest's default for a run is one fewer than the cores, which on the 2-core CI machine
    // is one file at a time: 1,106 s for the PGlite pass at stop 18, most of it spent waiting on a browser, a server
    // or PostgreSQL while the other core idled.
    maxWorkers: os.availableParallelism(),
    // expect.poll waits for a page or a job to show the expected state: 1 s (vitest's default) is too short for a
    // browser page fetching a report while other test files load both cores.
    expect: { poll: { timeout: 15_000 } },
  },
});
