// Prints "N passed, N failed" from vitest's JSON report, so that a run without tests shows, and
// exits 1 when anything failed or no test ran: CI fails on the report itself, whatever exit
// code the test runner ended with (a dependency's exit hook once turned failures into exit 0).
// "Failed" counts failed tests, plus each test file that failed without a failing test (it did
// not load, or failed in a hook), plus one for a run that failed without either (an unhandled
// error): the line never reads "0 failed" for a failing run.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The summary line of a vitest JSON report, and whether the run passed. */
export function summarize(report) {
  const files = report.testResults ?? [];
  const brokenFiles = files.filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((t) => t.status === 'failed'),
  );
  let failed = (report.numFailedTests ?? 0) + brokenFiles.length;
  const runError = report.success === false && failed === 0;
  if (runError) failed = 1;
  const passed = report.numPassedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const notes = [];
  if (skipped) notes.push(`${skipped} skipped`);
  if (brokenFiles.length) notes.push(`${brokenFiles.length} test file${brokenFiles.length > 1 ? 's' : ''} failed to run: ${brokenFiles.map((f) => f.name).join(', ')}`);
  if (runError) notes.push('the run failed outside any test');
  return {
    line: `${passed} passed, ${failed} failed` + (notes.length ? ` (${notes.join('; ')})` : ''),
    ok: failed === 0 && passed > 0,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file || !existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
    console.log('0 passed, 1 failed (no test report was written)');
    process.exit(1);
  }
  const { line, ok } = summarize(JSON.parse(readFileSync(file, 'utf8')));
  console.log(line);
  if (!ok) process.exitCode = 1;
}
