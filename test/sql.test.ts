// Runs every pgTAP suite under test/sql/ as a vitest test, on every major of the version matrix:
// the embedded PostgreSQL 18, the system PostgreSQL 15 (XP_TEST_PG15_URL; required when
// XP_REQUIRE_SYSTEM=1) and 14, 16 and 17 (XP_TEST_VERSIONS=start, as .ci/run does). Each file
// gets a fresh control database with pgTAP and the provider installed; dblink work commits in
// other sessions, so the files clean up what they create themselves (unique names per file).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  connect,
  dropDatabase,
  ensurePgtap,
  parseTap,
  providerDatabase,
  providerTemplate,
  runTapFile,
  versionTargets,
  missingServer,
} from './provider/harness.js';
import { missing, pgtap } from './setup/requirements.js';

const dir = fileURLToPath(new URL('./sql/', import.meta.url));
// XP_TEST_SQL_ONLY: a regular expression selecting some files (while working on them).
const only = process.env.XP_TEST_SQL_ONLY ? new RegExp(process.env.XP_TEST_SQL_ONLY) : null;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.sql') && (!only || only.test(f)))
  .sort();
// a selection that matches nothing would run nothing and pass: say so instead
if (files.length === 0) throw new Error(`no pgTAP file in test/sql/${only ? ` matches XP_TEST_SQL_ONLY=${only.source}` : ''}`);

for (const target of versionTargets(inject('databaseUrl'))) {
  describe(`pgTAP on ${target.label}`, () => {
    // pgTAP comes from Debian's package, on the embedded server's extension path (global-setup.ts)
    if (missingServer(target) || missing(pgtap)) return;
    const url = target.url!;
    let template = '';
    beforeAll(async () => {
      const admin = await connect(url);
      try {
        await ensurePgtap(admin);
      } finally {
        await admin.end();
      }
      template = await providerTemplate(url, 'xp_tap_template');
    });
    afterAll(async () => {
      if (template) await dropDatabase(url, template);
    });

    it.each(files)('%s', async (file) => {
      const db = await providerDatabase(url, 'xp_tap_' + file.replace(/\W+/g, '_').slice(0, 30), { template });
      try {
        const lines = await runTapFile(db.client, readFileSync(join(dir, file), 'utf8'));
        const tap = parseTap(lines);
        if (tap.failures.length) throw new Error(`${file}: ${tap.failures.length} failed\n${tap.failures.join('\n')}`);
        expect(tap.planned, `${file} has no plan`).not.toBeNull();
        expect(tap.passed, `${file}: ran ${tap.passed} of ${tap.planned} planned tests`).toBe(tap.planned);
      } finally {
        await db.drop();
      }
    }, 240_000); // a pgTAP file is many tests: give it room on a loaded machine
  });
}
