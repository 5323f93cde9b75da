// Every example: applied; then every command run in the applied directory (which now holds
// xp's own `.xp/` folder): validate, fmt --check, graph, an empty plan, output; destroyed (after
// lifting prevent_destroy, which must first refuse the destroy).
import { describe, expect, inject, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationFileNames } from '../../src/config/files.js';
import { REPO, copyConfiguration, expectOk, planSummary, tempDir, xp, xpIn } from './xp.js';
import { exactly, importInto, planJson, stackScope } from './import-roundtrip.js';

const url = () => inject('databaseUrl');
const examples = readdirSync(join(REPO, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('examples', { timeout: 300_000 }, () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('%s: apply, every command in the applied directory, destroy', async (name) => {
    const dir = join(tempDir(), name);
    // the configuration only: README command 1 may have applied examples/quickstart in place,
    // leaving its .xp/ folder and secret file there; module directories come along
    copyConfiguration(join(REPO, 'examples', name), dir);
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']), `apply ${name}`);
    expect(existsSync(join(dir, '.xp')), 'an apply leaves xp\'s own .xp/ folder in the configuration directory').toBe(true);
    // the commands that need no server
    const offline = (args: string[]) => xp(args, { cwd: dir });
    expectOk(await offline(['validate']), `validate ${name}`);
    const fmt = await offline(['fmt', '--check']);
    expect(fmt.stdout + fmt.stderr, `fmt --check ${name}`).toBe('');
    expect(fmt.code).toBe(0);
    expect(expectOk(await offline(['graph']), `graph ${name}`).stdout).toMatch(/^digraph /);
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['output']), `output ${name}`);
    // xp import of what the example put on the server, into a fresh directory: its plan is empty
    const stack = /^stack "([^"]+)"/m.exec(readFileSync(join(dir, 'main.xp'), 'utf8'))?.[1] ?? name;
    const scope = await stackScope(url(), stack);
    const imported = await importInto(url(), ['--databases', scope.databases.join(','), ...scope.roles.flatMap((r) => ['--include', exactly(r)])]);
    expect(imported.text).toContain(`stack "${stack}" {}`);
    const importedPlan = await planJson(imported.run);
    expect(importedPlan.resources.filter((r) => r.action !== 'no-op').map((r) => `${r.action} ${r.address} ${JSON.stringify(r.changes)}`), `plan of the import of ${name}:\n${imported.text}`).toEqual([]);
    expect(importedPlan.resources.length).toBeGreaterThan(0);
    const files = configurationFileNames(dir);
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
