// `xp apply` as people run it: on a terminal (a tmux pane, a real pseudo terminal) the live Ink
// view, whose final screen we read back; through pipes, plain lines with no cursor movement.
// Against the test server, through bin/xp.js (the built CLI: `npm test` builds first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { configDir, XP, xp as runXp } from '../e2e/xp.js';
import { controlDatabase, type ControlDatabase } from './provider-fixture.js';
import { missing, tmux } from '../setup/requirements.js';

const sfx = randomBytes(3).toString('hex');
const owner = (tag: string) => `tty_owner_${tag}_${sfx}`;
const app = (tag: string) => `tty_app_${tag}_${sfx}`;
const pipedDb = `tty_pipe_${sfx}`;
let db: ControlDatabase;

beforeAll(async () => {
  db = await controlDatabase('xp_tty');
});
afterAll(async () => {
  if (!db) return;
  for (const tag of ['f', 's']) {
    await db.client.query(`drop database if exists ${app(tag)} with (force)`);
    await db.client.query(`drop role if exists ${owner(tag)}`);
  }
  await db.client.query(`drop database if exists ${pipedDb} with (force)`);
  await db.drop();
});

/** A role, a database it owns, three tenant schemas; with `withFailure`, an extension the server does not have. */
function config(tag: string, withFailure: boolean) {
  return `
stack "tty_${tag}_${sfx}" {}

role "${owner(tag)}" {}

database "${app(tag)}" {
  owner = role.${owner(tag)}
}

schema "tenant" {
  for_each = toset(["acme", "globex", "initech"])
  database = database.${app(tag)}
  name     = "tenant_\${each.value}"
  owner    = role.${owner(tag)}
}
${withFailure ? `
extension "earthdistance" {
  database = database.${app(tag)}
}
` : ''}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `xp …` in a fresh tmux server (its own socket) on a 120x40 pane and returns the screen
 * once the command has exited, plus its exit code. CI and NO_COLOR are removed so that the pane
 * gets what a developer's terminal gets.
 */
async function onTerminal(cwd: string, args: string[], opts: { colours?: boolean } = {}): Promise<{ screen: string; code: number }> {
  const sock = `xp-tui-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', sock, ...a], { encoding: 'utf8' });
  const quoted = [process.execPath, XP, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `cd '${cwd}' && env -u CI -u CONTINUOUS_INTEGRATION -u NO_COLOR -u FORCE_COLOR -u XP_DATABASE_URL ${quoted}; echo "__XP_EXIT=$?"; sleep 600`;
  tmux('-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '40', '-s', 'xp', script);
  try {
    let screen = '';
    for (let i = 0; i < 600; i++) {
      screen = tmux('capture-pane', '-p', '-J', '-t', 'xp', '-S', '-200', ...(opts.colours ? ['-e'] : []));
      if (/__XP_EXIT=\d+/.test(screen)) break;
      await sleep(100);
    }
    const m = /__XP_EXIT=(\d+)/.exec(screen);
    if (!m) throw new Error(`xp did not finish on the terminal; the screen was:\n${screen}`);
    return { screen: screen.slice(0, m.index), code: Number(m[1]) };
  } finally {
    tmux('kill-server');
  }
}

describe('xp apply on a terminal (tmux)', () => {
  if (missing(tmux)) return;
  it('draws the live view and leaves the rows, the summary and the provider’s error on screen', async () => {
    const dir = configDir(`tty_f_${sfx}`, { 'main.xp': config('f', true) });
    const { screen, code } = await onTerminal(dir, ['apply', '--auto-approve', '--database-url', db.url]);
    expect(code).toBe(1);
    const live = screen.slice(screen.indexOf('Plan: 6 to add, 0 to change, 0 to destroy.'));
    expect(live).toMatch(new RegExp(`^✓ role\\.${owner('f')} +created \\d+\\.\\ds$`, 'm'));
    expect(live).toMatch(new RegExp(`^✓ database\\.${app('f')} +created \\d+\\.\\ds$`, 'm'));
    for (const t of ['acme', 'globex', 'initech']) expect(live).toMatch(new RegExp(`^✓ schema\\.tenant\\["${t}"\\] +created \\d+\\.\\ds$`, 'm'));
    // planned (it is available), failing at apply: it requires cube, which is not installed
    expect(live).toMatch(/^✗ extension\.earthdistance +create failed — dependency_not_ready: required extension "cube" is not installed/m);
    expect(live).toMatch(/^\[█{30}\] 6\/6 · 1 failed · \d+s$/m);
    expect(live).toContain('Apply failed! Resources: 5 added, 0 changed, 0 destroyed, 1 failed.');
    expect(live).toMatch(/Error: extension\.earthdistance: creation failed \(dependency_not_ready\)\n {2}required extension "cube" is not installed/);
    // Nothing is left running or waiting on the final screen.
    expect(live).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|waiting|creating…/);
  });

  it('ends with Terraform’s summary, in colour', async () => {
    const dir = configDir(`tty_s_${sfx}`, { 'main.xp': config('s', false) });
    const { screen, code } = await onTerminal(dir, ['apply', '--auto-approve', '--database-url', db.url], { colours: true });
    expect(code).toBe(0);
    // eslint-disable-next-line no-control-regex
    const plain = screen.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain.trimEnd().split('\n').at(-1)).toBe('Apply complete! Resources: 5 added, 0 changed, 0 destroyed.');
    expect(plain).toMatch(/^\[█{30}\] 5\/5 · \d+s$/m);
    // Green ticks and a green summary: SGR colour sequences around them.
    expect(screen).toMatch(/\u001b\[[0-9;]*32m✓/);
    expect(screen.split('\n').find((l) => l.includes('Apply complete!'))).toMatch(/\u001b\[[0-9;]*m/);
  });
});

describe('xp apply through a pipe', () => {
  const pipedConfig = `
stack "pipe_${sfx}" {}
database "${pipedDb}" {}
schema "reports" {
  database = database.${pipedDb}
}
`;
  // Everything but SGR colour sequences (ESC [ … m): cursor movement, erase, OSC, hide/show cursor…
  const nonColourEscape = /\u001b(?!\[[0-9;]*m)/;

  it('prints plain lines: colours only when forced, no cursor movement, no spinners', async () => {
    const dir = configDir(`pipe_${sfx}`, { 'main.xp': pipedConfig });
    const r = await runXp(['apply', '--auto-approve', '--database-url', db.url], { cwd: dir, env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\u001b\[[0-9;]*m/);
    expect(r.stdout + r.stderr).not.toMatch(nonColourEscape);
    expect(r.stdout).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    // eslint-disable-next-line no-control-regex
    const text = r.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toContain(`database.${pipedDb}: Creating…\ndatabase.${pipedDb}: Creation complete after`);
    expect(text).toContain('schema.reports: Creating…\nschema.reports: Creation complete after');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
  });

  it('prints no escape sequence at all with NO_COLOR', async () => {
    const dir = configDir(`pipe_${sfx}`, { 'main.xp': pipedConfig });
    const r = await runXp(['destroy', '--auto-approve', '--allow-data-loss', '--database-url', db.url], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('\u001b');
    expect(r.stdout).toContain(`database.${pipedDb}: Destroying…`);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Destroy complete! Resources: 2 destroyed.');
  });

  it('prints one JSON object per event with --json', async () => {
    const dir = configDir(`pipe_${sfx}`, { 'main.xp': pipedConfig });
    const r = await runXp(['apply', '--auto-approve', '--json', '--database-url', db.url], { cwd: dir });
    expect(r.code).toBe(0);
    const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(events[0]!.type).toBe('start');
    expect(events.at(-1)).toMatchObject({ type: 'complete', operation: 'apply', added: 2, failed: 0 });
    expect(events.filter((e) => e.type === 'resource_done')).toHaveLength(2);
  });
});

