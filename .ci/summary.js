// Prints "N passed, N failed" from vitest's JSON report, so that a run without tests shows.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
  console.log('0 passed, 0 failed (no test report was written)');
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(
  `${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? ` (${skipped} skipped)` : ''),
);
