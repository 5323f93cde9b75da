import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlDatabase, xp, type ControlDatabase } from './provider-fixture.js';
import { watchStatus } from '../../src/cli/commands/status.js';
import { Chalk } from 'chalk';
import { capture } from '../views/scenarios.js';
import { collect, configDir, startXp, tempDir } from '../e2e/xp.js';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

let db: ControlDatabase;
const suffix = randomBytes(3).toString('hex');
const owner = `tui_owner_${suffix}`;
const ops = `tui_ops_${suffix}`;
const late = `tui_l_${suffix}`; // not longer than `ops`: watched lines keep the columns of the table above
// one configuration applied in two stacks: the same address, `role.gone`, recorded in each
const gone = [`tui_g1_${suffix}`, `tui_g2_${suffix}`];
const goneStacks = [`tui_s1_${suffix}`, `tui_s2_${suffix}`];
const dropped = [`tui_d1_${suffix}`, `tui_d2_${suffix}`]; // at role.dropped, destroyed in both

/** The provider's own path: xplane.apply upserts the record and reconciles it at once. */
async function apply(c: pg.Client, kind: string, name: string, spec: object, stack: string) {
  await c.query(`select xplane.apply($1::xplane.resource_kind, $2, $3::jsonb, 'default', $4)`, [kind, name, JSON.stringify(spec), stack]);
}

beforeAll(async () => {
  db = await controlDatabase();
  await apply(db.client, 'Role', owner, { comment: 'owns the app' }, 'saas');
  // A schema in a database that does not exist: not ready, waiting on its dependency.
  await apply(db.client, 'Schema', 'api', { database: 'no_such_db' }, 'saas');
  await apply(db.client, 'Role', ops, {}, 'other');
});
afterAll(async () => {
  if (!db) return;
  await db.client.query(`drop role if exists ${owner}, ${ops}, ${late}`);
  await db.drop();
});

describe('xp status', () => {
  it('lists the stack’s resources with Synced / Ready / age / reason', async () => {
    const r = await xp(['status', '--stack', 'saas', '--database-url', db.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME +KIND +DATABASE +SYNCED +READY +AGE +REASON$/);
    expect(lines[1]).toMatch(new RegExp(`^role\\.${owner} +Role +- +True +True +\\d+s +Available$`));
    expect(lines[2]).toMatch(
      /^schema\.api +Schema +no_such_db +False +False +\d+s +DependencyNotReady: Retrying at .*: database no_such_db does not exist or does not accept connections \(yet\)$/,
    );
    // Columns line up under their headers.
    for (const [header, cell] of [['KIND', 'Schema'], ['DATABASE', 'no_such_db'], ['SYNCED', 'False'], ['REASON', 'DependencyNotReady']])
      expect(lines[2]!.indexOf(cell!)).toBe(lines[0]!.indexOf(header!));
    expect(lines.slice(3)).toEqual(['']);
  });

  it('shows every stack with -A, and JSON with --json', async () => {
    const all = await xp(['status', '-A', '--database-url', db.url]);
    expect(all.stdout.split('\n')[0]).toMatch(/^STACK {3}NAME/);
    expect(all.stdout).toContain(`other   role.${ops}`);
    const json = await xp(['status', '--stack', 'saas', '--json', '--database-url', db.url]);
    const rows = JSON.parse(json.stdout);
    expect(rows.map((r: { address: string; synced: string; ready: string }) => [r.address, r.synced, r.ready])).toEqual([
      [`role.${owner}`, 'True', 'True'],
      ['schema.api', 'False', 'False'],
    ]);
  });

  it('in a configuration directory: its stack, and the addresses it declares', async () => {
    const dir = configDir('saas_config', { 'main.xp': `stack "saas" {}\n\nrole "app-owner" {\n  name    = "${owner}"\n  comment = "owns the app"\n}\n` });
    const r = await xp(['status', '--database-url', db.url], {}, dir);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(1, 3).map((l) => l.split(/\s+/)[0])).toEqual(['role.app-owner', 'schema.api']);
    const d = await xp(['describe', 'role.app-owner', '--database-url', db.url], {}, dir);
    expect(d.stdout).toContain(`Name:               role.app-owner\nKind:               Role\nPostgreSQL name:    ${owner}\n`);
    const e = await xp(['events', '--resource', 'role.app-owner', '--database-url', db.url], {}, dir);
    expect(e.stdout).toMatch(new RegExp(`Normal +Created +role\\.app-owner +role "${owner}" created\\n$`));
  });

  it('takes XP_DATABASE_URL from the environment', async () => {
    const r = await xp(['status', '--stack', 'other'], { XP_DATABASE_URL: db.url });
    expect(r.stdout).toContain(`role.${ops}`);
  });

  it('says clearly when there is no connection, or no provider, without a stack trace', async () => {
    const none = await xp(['status'], {}, '/tmp');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Error: no database connection configured');
    const bare = new URL(db.url);
    bare.pathname = '/template1';
    const missing = await xp(['status', '--database-url', bare.toString()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the xp provider (schema xplane) is not installed');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('follows changes live with --watch: the table, then a line per change (the provider’s NOTIFY)', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const out = capture();
    const abort = new AbortController();
    const c = new Chalk({ level: 0 });
    const watching = watchStatus(listener, out, { stack: 'other', json: false, interactive: false, c, signal: abort.signal });
    try {
      await until(() => out.text().includes(`role.${ops}`));
      expect(out.text().split('\n')).toHaveLength(3);
      // A change in another stack is not shown; one in this stack is, as it commits.
      await apply(db.client, 'Role', `tui_elsewhere_${suffix}`, {}, 'third');
      await apply(db.client, 'Role', late, {}, 'other');
      await until(() => out.text().includes(`role.${late}`));
      const lines = out.text().trimEnd().split('\n');
      expect(lines.filter((l) => l.startsWith('NAME'))).toHaveLength(1);
      expect(lines.slice(2)).toHaveLength(1);
      expect(lines[2]).toMatch(new RegExp(`^role\\.${late} +Role +- +True +True +\\d+s +Available$`));
      expect(lines[2]!.indexOf('Available')).toBe(lines[0]!.indexOf('REASON'));
      expect(out.text()).not.toContain('tui_elsewhere');
    } finally {
      abort.abort();
      await watching;
      await listener.end();
      await db.client.query(`select xplane.delete('Role', $1)`, [`tui_elsewhere_${suffix}`]).catch(() => {});
    }
  });
});

describe('xp status --watch on an empty stack', () => {
  it('says so, then prints the header with the first resource that appears; --json prints changes', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const out = capture();
    const json = capture();
    const notices: string[] = [];
    const abort = new AbortController();
    const c = new Chalk({ level: 0 });
    const jsonListener = new pg.Client({ connectionString: db.url });
    await jsonListener.connect();
    const watching = [
      watchStatus(listener, out, { stack: 'empty', json: false, interactive: false, c, signal: abort.signal, notice: (t) => notices.push(t) }),
      watchStatus(jsonListener, json, { stack: 'empty', json: true, interactive: false, c, signal: abort.signal }),
    ];
    try {
      await until(() => notices.length > 0);
      expect(notices).toEqual(['No resources yet; watching stack empty — Ctrl-C to stop.\n']);
      await apply(db.client, 'Role', `tui_e_${suffix}`, {}, 'empty');
      await until(() => out.text().includes(`tui_e_${suffix}`) && json.text().includes(`tui_e_${suffix}`));
      expect(out.text()).toMatch(new RegExp(`^NAME +KIND +DATABASE +SYNCED +READY +AGE +REASON\\nrole\\.tui_e_${suffix} +Role +- +True +True +\\d+s +Available\\n$`));
      const changes = json.text().trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(changes.at(-1)).toMatchObject({ type: 'ADDED', resource: { address: `role.tui_e_${suffix}`, ready: 'True' } });
    } finally {
      abort.abort();
      await Promise.all(watching);
      await listener.end();
      await jsonListener.end();
      await db.client.query(`select xplane.delete('Role', $1)`, [`tui_e_${suffix}`]);
    }
  });
});

describe('xp describe', () => {
  it('shows spec, observed state, the last action, conditions with transitions and events', async () => {
    const r = await xp(['describe', `role.${owner}`, '--database-url', db.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Name:               role.${owner}\nKind:               Role\nPostgreSQL name:    ${owner}\nStack:              saas\n`);
    expect(r.stdout).toContain('Generation:         1 (observed 1)\n');
    expect(r.stdout).toContain('Spec:\n  comment: owns the app\nObserved:\n');
    expect(r.stdout).toContain('  createdb: false\n');
    expect(r.stdout).toContain('Last action:        create: success, CreateSucceeded');
    // Ages vary with the clock: keep their width, not their digits.
    const text = r.stdout.replace(/\b(\d+)s\b/g, (_m, d: string) => `${'0'.repeat(d.length)}s`);
    expect(text).toContain(
      [
        'Conditions:',
        '  TYPE                 STATUS   REASON             LAST TRANSITION   MESSAGE',
        '  Synced               True     ReconcileSuccess   0s ago',
        '  Ready                True     Available          0s ago',
        `  LastAsyncOperation   True     CreateSucceeded    0s ago            role "${owner}" created`,
        'Events:',
        '  AGE    TYPE      REASON             OBJECT                     MESSAGE',
        `  0s     Normal    Created            role.${owner}      role "${owner}" created`,
        '',
      ].join('\n'),
    );
  });

  it('accepts kubectl’s Kind/name and prints JSON, with the provider’s reason for a failure', async () => {
    const r = await xp(['describe', 'Schema/api', '--json', '--database-url', db.url]);
    const d = JSON.parse(r.stdout);
    expect(d.resource).toMatchObject({ address: 'schema.api', database: 'no_such_db', synced: 'False', ready: 'False', reason: 'DependencyNotReady', statusCode: 'dependency_not_ready' });
    expect(d.conditions.map((k: { type: string; status: string }) => `${k.type}=${k.status}`)).toEqual(['Synced=False', 'Ready=False', 'LastAsyncOperation=False']);
    expect(d.events.at(-1)).toMatchObject({ type: 'Warning', reason: 'CreateFailed', message: 'database no_such_db does not exist or does not accept connections (yet)' });
  });

  it.each([
    [['describe', 'schema.nope'], 1, 'no managed resource schema.nope'],
    [['describe', 'nonsense'], 2, 'not a resource address: nonsense'],
    [['describe'], 2, 'xp describe takes one address'],
  ])('%j → exit %i, “%s”', async (args, code, message) => {
    const r = await xp([...args, '--database-url', db.url]);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('xp describe of an address the configuration no longer declares', () => {
  beforeAll(async () => {
    // as xp apply records them (apply_many's `address`)
    for (const [i, name] of gone.entries())
      await db.client.query(`select xplane.apply_many($1::jsonb, $2)`, [JSON.stringify([{ kind: 'Role', name, spec: {}, address: 'role.gone' }]), goneStacks[i]]);
  });
  const run = (args: string[], cwd: string) => xp([...args, '--database-url', db.url], {}, cwd);

  it('finds it in the configuration directory’s stack, not in another stack that recorded it too', async () => {
    // the second stack's directory: its configuration no longer declares role.gone
    const dir = configDir(goneStacks[1]!, { 'main.xp': `stack "${goneStacks[1]}" {}\n` });
    const d = await run(['describe', 'role.gone', '--json'], dir);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout).resource).toMatchObject({ address: 'role.gone', name: gone[1], stack: goneStacks[1] });
    const e = await run(['events', '--resource', 'role.gone', '--json'], dir);
    expect(e.code).toBe(0);
    expect([...new Set(e.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).name))]).toEqual([gone[1]]);
  });

  it('refuses it when no stack decides, naming the stacks and --stack; --stack picks one', async () => {
    const away = tempDir('xp-describe-away-');
    const other = configDir(`tui_s3_${suffix}`, { 'main.xp': `stack "tui_s3_${suffix}" {}\n` });
    for (const [args, cwd] of [
      [['describe', 'role.gone'], away],
      [['describe', 'role.gone'], other],
      [['events', '--resource', 'role.gone'], away],
      [['events', '-A', '--resource', 'role.gone'], other],
    ] as const) {
      const r = await run([...args], cwd);
      expect(r.code, `${args.join(' ')} in ${cwd}`).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`role.gone is recorded in several stacks: ${goneStacks.join(', ')}`);
      expect(r.stderr).toContain(`--stack ${goneStacks[0]}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const picked = await run(['describe', 'role.gone', '--stack', goneStacks[0]!, '--json'], away);
    expect(picked.code).toBe(0);
    expect(JSON.parse(picked.stdout).resource).toMatchObject({ name: gone[0], stack: goneStacks[0] });
    const pickedEvents = await run(['events', '--resource', 'role.gone', '--stack', goneStacks[0]!, '--json'], other);
    expect([...new Set(pickedEvents.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).name))]).toEqual([gone[0]]);
  });

  it('the events of an address destroyed in several stacks: the directory’s stack, else refused', async () => {
    for (const [i, name] of dropped.entries()) {
      await db.client.query(`select xplane.apply_many($1::jsonb, $2)`, [JSON.stringify([{ kind: 'Role', name, spec: {}, address: 'role.dropped' }]), goneStacks[i]]);
      await db.client.query(`select xplane.delete('Role', $1)`, [name]);
    }
    const names = (stdout: string) => [...new Set(stdout.trimEnd().split('\n').map((l) => JSON.parse(l).name))];
    const dir = configDir(goneStacks[0]!, { 'main.xp': `stack "${goneStacks[0]}" {}\n` });
    const here = await run(['events', '--resource', 'role.dropped', '--json'], dir);
    expect(here.stderr).toBe('');
    expect(names(here.stdout)).toEqual([dropped[0]]);
    const away = await run(['events', '--resource', 'role.dropped'], tempDir('xp-events-away-'));
    expect(away.code).toBe(2);
    expect(away.stderr).toContain(`role.dropped is recorded in several stacks: ${goneStacks.join(', ')}`);
    const picked = await run(['events', '--resource', 'role.dropped', '--stack', goneStacks[1]!, '--json'], tempDir('xp-events-away-'));
    expect(names(picked.stdout)).toEqual([dropped[1]]);
  });
});

describe('xp events', () => {
  it('lists events oldest first, filtered by stack, resource and type', async () => {
    const saas = await xp(['events', '--stack', 'saas', '--database-url', db.url]);
    expect(saas.stdout.trimEnd().split('\n').map((l) => l.split(/\s{3,}/).slice(1, 3).join(' '))).toEqual([
      'TYPE REASON',
      'Normal Created',
      'Warning CreateFailed',
    ]);
    const warnings = await xp(['events', '-A', '--type', 'warning', '--database-url', db.url]);
    expect(warnings.stdout).toMatch(/Warning {3}CreateFailed {7}schema\.api {17}database no_such_db does not exist or does not accept connections \(yet\)\n$/);
    const one = await xp(['events', '--resource', `role.${ops}`, '--json', '--database-url', db.url]);
    expect(one.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).message)).toEqual([`role "${ops}" created`]);
    const bad = await xp(['events', '--type', 'Fatal', '--database-url', db.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--type must be Normal or Warning');
  });
});

describe('xp events --follow', () => {
  it('prints the recent events, then each new one as it is committed, until Ctrl-C', async () => {
    const child = startXp(['events', '--follow', '--stack', 'follow', '--database-url', db.url], { cwd: tempDir() });
    const done = collect(child);
    let seen = '';
    child.stdout!.on('data', (c: Buffer) => (seen += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (seen += c.toString()));
    await until(() => seen.includes('Following new events'), 1500);
    await apply(db.client, 'Role', `tui_f_${suffix}`, {}, 'follow');
    await until(() => seen.includes(`role.tui_f_${suffix}`), 1500);
    child.kill('SIGINT');
    const r = await done;
    await db.client.query(`select xplane.delete('Role', $1)`, [`tui_f_${suffix}`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('No events yet. Following new events — Ctrl-C to stop.\n');
    expect(r.stdout).toMatch(new RegExp(`^AGE +TYPE +REASON +OBJECT +MESSAGE\\n\\d+s +Normal +Created +role\\.tui_f_${suffix} +role "tui_f_${suffix}" created\\n$`));
  });
});

async function until(cond: () => boolean, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error('condition not reached');
}
