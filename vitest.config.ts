import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // the default report, then the suites skipped for want of a system package
    // (requirements.ts); with XP_TEST_REPORT=FILE (.ci/run) also vitest's JSON report, which
    // .ci/summary.js reads
    reporters: [
      'default',
      './test/setup/skip-reasons.ts',
      ...(process.env.XP_TEST_REPORT ? [['json', { outputFile: process.env.XP_TEST_REPORT }] as [string, object]] : []),
    ],
  },
});
