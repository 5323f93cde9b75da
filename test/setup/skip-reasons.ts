// A vitest reporter: at the end of a run, lists the suites skipped because something from the
// system was not installed (test/setup/requirements.ts), with what to install, so that a run on
// a machine with only Node and npm says what it did not test.
import type { Reporter, TestModule } from 'vitest/node';
import { SKIPPED } from './requirements.js';

export default class SkipReasons implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const reasons = new Map<string, Set<string>>();
    for (const module of modules) {
      for (const test of module.children.allTests('skipped')) {
        if (!test.name.startsWith(SKIPPED)) continue;
        const reason = test.name.slice(SKIPPED.length).trim();
        const files = reasons.get(reason) ?? new Set<string>();
        files.add(module.relativeModuleId);
        reasons.set(reason, files);
      }
    }
    if (reasons.size === 0) return;
    const lines = ['', 'Skipped: not installed on this machine (.ci/run installs them, and CI requires them):'];
    for (const [reason, files] of reasons) lines.push(`  ${reason}`, `    in ${[...files].sort().join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n\n');
  }
}
