// Every example: applied, re-planned empty, destroyed (after lifting prevent_destroy, which
// must first refuse the destroy).
import { describe, expect, inject, it } from 'vitest';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, expectOk, planSummary, tempDir, xpIn } from './xp.js';

const url = () => inject('databaseUrl');
const examples = readdirSync(join(REPO, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('examples', { timeout: 300_000 }, () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('%s: apply, empty re-plan, destroy', async (name) => {
    const dir = join(tempDir(), name);
    cpSync(join(REPO, 'examples', name), dir, { recursive: true });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']), `apply ${name}`);
    expect((await planSummary(run)).changed).toEqual([]);
    const files = readdirSync(dir, { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.xp')).map((f) => f.name);
    const guarded = files.some((f) => /prevent_destroy\s*=\s*true/.test(readFileSync(join(dir, f), 'utf8')));
    if (guarded) {
      const refused = await run(['destroy', '--auto-approve']);
      expect(refused.code).toBe(1);
      expect(refused.stderr + refused.stdout).toContain('prevent_destroy');
      for (const f of files) writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace(/prevent_destroy\s*=\s*true/g, 'prevent_destroy = false'));
    }
    expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']), `destroy ${name}`);
    expect((await planSummary(run, ['--destroy'])).destroy).toBe(0);
  });
});
