// Connection secret files stay inside the configuration directory and never clobber: a path
// that leaves the directory (`..`, an absolute path elsewhere) or goes through a symbolic link
// (the file, or a directory on the way) is refused at validate time, located, and nothing is
// written or created; a file xp did not write is never overwritten (apply fails the account
// before its role exists) nor deleted (destroy leaves it with a note); temporary files a killed
// run left are removed by the next run. Through the CLI, against the test server.
import { expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { configDir, expectOk, planSummary, tempDir, unique, withClient, writeConfig, xp, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

const account = (p: string, path: string, label = 'app') => `
service_account "${label}" {
  name     = "${p}_${label}"
  database = database.${p}_db
  connection_secret {
    path   = ${JSON.stringify(path)}
    format = "dotenv"
  }
}
`;
const config = (p: string, ...accounts: string[]) => `database "${p}_db" {}\n${accounts.join('')}`;

async function roleExists(name: string): Promise<boolean> {
  return withClient(url(), async (c) => (await c.query('select 1 from pg_roles where rolname = $1', [name])).rowCount === 1);
}

/** The line and column of the `path = ` value in `text` (1-based), as diagnostics print it. */
function pathValueAt(text: string, path: string): string {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(`path   = ${JSON.stringify(path)}`));
  return `main.xp:${line + 1}:${lines[line]!.indexOf('"') + 1}`;
}

onEachServer('connection secret files: inside the configuration, never clobber', { timeout: 300_000 }, () => {
  it('refuses paths outside the directory or through a symbolic link, located, before anything changes', async () => {
    const p = unique('sf');
    const outside = tempDir('xp-outside-');
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const dir = configDir(p, { 'main.xp': config(p) });
    // secrets/link.env -> the victim; linked/ -> the outside directory
    mkdirSync(join(dir, 'secrets'));
    symlinkSync(victim, join(dir, 'secrets', 'link.env'));
    symlinkSync(outside, join(dir, 'linked'));
    const relVictim = join('..', '..', outside.split('/').pop()!, 'victim.txt');
    const cases: Array<[string, RegExp]> = [
      ['../victim.txt', /is outside the configuration directory/],
      [relVictim, /is outside the configuration directory/],
      ['secrets/../../victim.txt', /is outside the configuration directory/],
      [victim, /is outside the configuration directory/],
      ['secrets/link.env', /"secrets\/link.env" is a symbolic link/],
      ['linked/app.env', /"linked" is a symbolic link/],
      ['linked/victim.txt', /"linked" is a symbolic link/],
      ['.xp/secret-checks.key', /inside \.xp\/, xp's own folder/],
      ['more.xp', /would be read as configuration/],
    ];
    const run = xpIn(dir, url());
    for (const [path, message] of cases) {
      const text = config(p, account(p, path));
      writeConfig(dir, { 'main.xp': text });
      const validate = await xp(['validate'], { cwd: dir });
      expect(validate.code, path).toBe(1);
      expect(validate.stderr, path).toMatch(message);
      expect(validate.stderr, path).toContain(`${pathValueAt(text, path)}: error: connection_secret path`);
      const apply = await run(['apply', '--auto-approve']);
      expect(apply.code, path).not.toBe(0);
      expect(apply.stderr, path).toMatch(message);
      expect(apply.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(outside)).toEqual(['victim.txt']);
    expect(await roleExists(`${p}_app`)).toBe(false);
    expect(await withClient(url(), async (c) => (await c.query('select 1 from pg_database where datname = $1', [`${p}_db`])).rowCount)).toBe(0);

    // two accounts never share a file
    const text = config(p, account(p, 'secrets/app.env', 'one'), account(p, 'secrets/x/../app.env', 'two'));
    writeConfig(dir, { 'main.xp': text });
    const validate = await xp(['validate'], { cwd: dir });
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain(`${pathValueAt(text, 'secrets/x/../app.env')}: error: connection_secret path "secrets/app.env" is also the connection secret of service_account.one`);
  });

  it('never overwrites a file it did not write: refused by plan, and by apply before the role exists', async () => {
    const p = unique('sf');
    const dir = configDir(p, { 'main.xp': config(p, account(p, 'secrets/app.env')) });
    const file = join(dir, 'secrets', 'app.env');
    const run = xpIn(dir, url());
    const refused = 'refusing to overwrite secrets/app.env: xp did not write that file';

    // a plan saved before the file appeared: apply checks again before it sets the password
    expectOk(await run(['plan', '--out', 'saved.json']));
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(file, 'MINE=1\n');
    const saved = await run(['apply', 'saved.json']);
    expect(saved.code).not.toBe(0);
    expect(saved.stdout + saved.stderr).toContain(refused);
    expect(readFileSync(file, 'utf8')).toBe('MINE=1\n');
    expect(await roleExists(`${p}_app`)).toBe(false);

    // a fresh plan refuses it up front, and so does apply
    const plan = await run(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stdout + plan.stderr).toContain(`service_account.app: its new password cannot be written: ${refused}`);
    const apply = await run(['apply', '--auto-approve']);
    expect(apply.code).not.toBe(0);
    expect(apply.stdout + apply.stderr).toContain(refused);
    expect(readFileSync(file, 'utf8')).toBe('MINE=1\n');
    expect(await roleExists(`${p}_app`)).toBe(false);

    // moved away: the same configuration converges
    rmSync(file);
    expectOk(await run(['apply', '--auto-approve']));
    expect(readFileSync(file, 'utf8')).toContain(`PGUSER=${p}_app`);
    expect((await planSummary(run)).changed).toEqual([]);

    // replaced by someone else's file: the password is lost (not in the file), but the file
    // is not xp's to overwrite
    rmSync(file);
    writeFileSync(file, 'MINE=2\n');
    const lost = await run(['plan']);
    expect(lost.code).toBe(1);
    expect(lost.stdout + lost.stderr).toContain('refusing to overwrite secrets/app.env: it is not what xp wrote there (changed or replaced since)');
    expect((await run(['apply', '--auto-approve'])).code).not.toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('MINE=2\n');
    rmSync(file);
    expectOk(await run(['apply', '--auto-approve']));
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve']));
    expect(existsSync(file)).toBe(false);
  });

  it('destroy deletes only the file xp wrote, unchanged; a foreign or edited file stays', async () => {
    const p = unique('sf');
    const dir = configDir(p, { 'main.xp': config(p, account(p, 'secrets/one.env', 'one'), account(p, 'secrets/two.env', 'two'), account(p, 'secrets/three.env', 'three')) });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const one = join(dir, 'secrets', 'one.env');
    const two = join(dir, 'secrets', 'two.env');
    const three = join(dir, 'secrets', 'three.env');
    // one: replaced by a foreign file; two: edited in place (same inode); three: untouched
    rmSync(one);
    writeFileSync(one, 'FOREIGN=1\n');
    writeFileSync(two, readFileSync(two, 'utf8') + 'EXTRA=1\n', { flag: 'r+' });
    const destroy = expectOk(await run(['destroy', '--auto-approve']));
    expect(destroy.stdout).toContain('secrets/one.env left in place: it is not what xp wrote there (changed or replaced since)');
    expect(destroy.stdout).toContain('secrets/two.env left in place: it is not what xp wrote there (changed or replaced since)');
    expect(readFileSync(one, 'utf8')).toBe('FOREIGN=1\n');
    expect(readFileSync(two, 'utf8')).toContain('EXTRA=1\n');
    expect(existsSync(three)).toBe(false);
    for (const a of ['one', 'two', 'three']) expect(await roleExists(`${p}_${a}`)).toBe(false);
  });

  it('adopts a file that holds the current password in xp\'s form (written before the record existed)', async () => {
    const p = unique('sf');
    const dir = configDir(p, { 'main.xp': config(p, account(p, 'app.env')) });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const before = readFileSync(join(dir, 'app.env'), 'utf8');
    rmSync(join(dir, '.xp'), { recursive: true });
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['apply', '--auto-approve', '--replace', 'service_account.app']));
    expect(readFileSync(join(dir, 'app.env'), 'utf8')).not.toBe(before);
    expectOk(await run(['destroy', '--auto-approve']));
    expect(existsSync(join(dir, 'app.env'))).toBe(false);
  });

  it('writes the file of a configured password again when it is deleted or its path changes', async () => {
    const p = unique('sfc');
    const declared = (path: string) => `database "${p}_db" {}
service_account "app" {
  name     = "${p}_app"
  database = database.${p}_db
  password = "pw-${p}"
  connection_secret {
    path = ${JSON.stringify(path)}
  }
}
`;
    const dir = configDir(p, { 'main.xp': declared('secrets/app.env') });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const holds = (path: string) => existsSync(join(dir, path)) && readFileSync(join(dir, path), 'utf8').includes(`PGPASSWORD=pw-${p}`);
    expect(holds('secrets/app.env')).toBe(true);
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);

    rmSync(join(dir, 'secrets/app.env'));
    const missing = await run(['plan', '--detailed-exitcode']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('the connection secret file is missing or out of date: the configured password is set again and the file written');
    expectOk(await run(['apply', '--auto-approve']));
    expect(holds('secrets/app.env')).toBe(true);

    writeConfig(dir, { 'main.xp': declared('secrets/moved.env') });
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(2);
    expectOk(await run(['apply', '--auto-approve']));
    expect(holds('secrets/moved.env')).toBe(true);
    expect((await run(['plan', '--detailed-exitcode'])).code).toBe(0);
    expectOk(await run(['destroy', '--auto-approve']));
  });

  it('removes the temporary files a killed run left, and only those', async () => {
    const p = unique('sf');
    const dir = configDir(p, { 'main.xp': config(p, account(p, 'secrets/app.env')) });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited
    const stale = ['.' + gone + '.0123456789ab.xp-tmp'];
    const live = '.' + process.pid + '.0123456789ab.xp-tmp'; // a run still going
    for (const d of [join(dir, 'secrets'), join(dir, '.xp'), join(dir, '.xp', 'secret-files')]) {
      for (const name of [...stale, live]) writeFileSync(join(d, name), 'PGPASSWORD=half');
    }
    writeFileSync(join(dir, 'secrets', 'notes.xp-tmp'), 'not xp\'s name');
    expect((await planSummary(run)).changed).toEqual([]);
    for (const d of [join(dir, 'secrets'), join(dir, '.xp'), join(dir, '.xp', 'secret-files')]) {
      const names = readdirSync(d);
      expect(names).toContain(live);
      for (const name of stale) expect(names).not.toContain(name);
      rmSync(join(d, live));
    }
    expect(readdirSync(join(dir, 'secrets')).sort()).toEqual(['app.env', 'notes.xp-tmp']);
    expectOk(await run(['destroy', '--auto-approve']));
  });
});
