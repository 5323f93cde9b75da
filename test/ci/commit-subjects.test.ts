// Commit subjects: Conventional Commits, at most 72 characters (the width `git log --oneline`,
// GitHub and `git shortlog` show without cutting). Checked for the commits after SINCE: the
// older history keeps its longer subjects (rewriting history is worse than a long line).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missing, type Requirement } from '../setup/requirements.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The last commit not checked (it and its ancestors hold the longer subjects). */
const SINCE = 'b05bd3d';
const TYPES = ['feat', 'fix', 'test', 'docs', 'refactor', 'perf', 'ci', 'build', 'chore', 'style', 'revert'];

const checkout: Requirement = {
  what: 'a git checkout of xp with its history',
  install: 'git clone the repository (CI runs in a clone)',
  available: () => existsSync(join(REPO, '.git')) && gitOk(['cat-file', '-e', `${SINCE}^{commit}`]),
};

function gitOk(args: string[]): boolean {
  try {
    execFileSync('git', args, { cwd: REPO, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Subject lines that break the rule, with why. */
export function subjectProblems(subjects: string[]): string[] {
  const conventional = new RegExp(`^(${TYPES.join('|')})(\\([a-z0-9/._-]+\\))?!?: \\S`);
  return subjects.flatMap((s) => {
    if (/^Merge (branch|remote-tracking branch|commit) /.test(s)) return [];
    const out: string[] = [];
    if ([...s].length > 72) out.push(`${s} (${[...s].length} characters, at most 72)`);
    if (!conventional.test(s)) out.push(`${s} (not type(scope): subject, types: ${TYPES.join(', ')})`);
    return out;
  });
}

describe('commit subjects', () => {
  it('the rule finds what breaks it', () => {
    expect(subjectProblems(['fix(plan): short and clear', "Merge branch 'h/kinds'"])).toEqual([]);
    expect(subjectProblems(['fixed the plan'])).toHaveLength(1);
    expect(subjectProblems([`docs: ${'x'.repeat(67)}`])).toEqual([`docs: ${'x'.repeat(67)} (73 characters, at most 72)`]);
  });

  describe('in the history', () => {
    if (missing(checkout)) return;
    it(`every commit after ${SINCE} follows it`, () => {
      const subjects = execFileSync('git', ['log', '--format=%s', `${SINCE}..HEAD`], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
      expect(subjects.length).toBeGreaterThan(0);
      expect(subjectProblems(subjects)).toEqual([]);
    });
  });
});
