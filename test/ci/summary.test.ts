// .ci/summary.js: the last line CI prints. It must never read "0 failed" for a failing run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module
import { summarize } from '../../.ci/summary.js';

const file = (name: string, status: string, tests: string[]) => ({ name, status, assertionResults: tests.map((s) => ({ status: s })) });

describe('.ci/summary.js', () => {
  it.each([
    ['a green run', { success: true, numPassedTests: 3, numFailedTests: 0, testResults: [file('a', 'passed', ['passed', 'passed', 'passed'])] }, '3 passed, 0 failed', true],
    ['a failed test', { success: false, numPassedTests: 1, numFailedTests: 1, testResults: [file('a', 'failed', ['passed', 'failed'])] }, '1 passed, 1 failed', false],
    [
      'two files that failed to load',
      { success: false, numPassedTests: 5, numFailedTests: 0, testResults: [file('x.test.ts', 'failed', []), file('y.test.ts', 'failed', []), file('a', 'passed', ['passed'])] },
      '5 passed, 2 failed (2 test files failed to run: x.test.ts, y.test.ts)',
      false,
    ],
    ['an unhandled error', { success: false, numPassedTests: 4, numFailedTests: 0, testResults: [file('a', 'passed', ['passed'])] }, '4 passed, 1 failed (the run failed outside any test)', false],
    ['no test at all', { success: true, numPassedTests: 0, numFailedTests: 0, testResults: [] }, '0 passed, 0 failed', false],
    ['skips', { success: true, numPassedTests: 2, numFailedTests: 0, numPendingTests: 3, testResults: [] }, '2 passed, 0 failed (3 skipped)', true],
  ])('%s', (_name, report, line, ok) => {
    expect(summarize(report)).toEqual({ line, ok });
  });

  it('fails, as a command, on a missing report and on a failing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xp-summary-'));
    const script = resolve('.ci/summary.js');
    const run = (path: string) => {
      try {
        return { out: execFileSync(process.execPath, [script, path], { encoding: 'utf8' }), code: 0 };
      } catch (err) {
        const e = err as { stdout: string; status: number };
        return { out: e.stdout, code: e.status };
      }
    };
    expect(run(join(dir, 'none.json'))).toEqual({ out: '0 passed, 1 failed (no test report was written)\n', code: 1 });
    writeFileSync(join(dir, 'r.json'), JSON.stringify({ success: false, numPassedTests: 2, numFailedTests: 0, testResults: [file('z.test.ts', 'failed', [])] }));
    expect(run(join(dir, 'r.json'))).toEqual({ out: '2 passed, 1 failed (1 test file failed to run: z.test.ts)\n', code: 1 });
  });
});
