import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // expect.poll waits for a page or a job to show the expected state: 1 s (vitest's default) is too short for a
    // browser page fetching a report while other test files load both cores.
    expect: { poll: { timeout: 15_000 } },
  },
});
