// Prints "N passed, N failed" from vitest's JSON report, so that a run without tests shows, and
// exits 1 when a test failed or none ran: CI fails on the report itself, whatever exit code
// the test runner ended with (a dependency's exit hook once turned failures into exit 0).
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
  console.log('0 passed, 0 failed (no test report was written)');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(
  `${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? ` (${skipped} skipped)` : ''),
);
if (r.numFailedTests > 0 || r.numPassedTests === 0) process.exitCode = 1;
