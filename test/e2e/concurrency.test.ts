// One apply per stack at a time, and interruptions that the next apply converges: a second
// apply fails naming the holder as the server records it (or waits with --lock-timeout); kill -9
// or Ctrl-C in the middle of an apply leaves nothing the next apply cannot finish.
import { expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { APPLY_BATCH } from '../../src/apply/execute.js';
import { XP, cleanEnv, collect, configDir, expectOk, planSummary, startXp, unique, withClient, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;
// Eight apply batches (APPLY_BATCH): an interrupt sent once the first batch is done lands
// well before the last one, even on a loaded machine (with three, an apply had sometimes
// finished by the time the signal arrived).
const N = 8 * APPLY_BATCH;

function manyRoles(p: string): Record<string, string> {
  const roles = Array.from({ length: N }, (_, i) => `role "${p}_r${String(i).padStart(3, '0')}" {\n  connection_limit = ${i + 1}\n}\n`);
  return { 'main.xp': roles.join('\n') };
}

/** Resolves once the child has printed `count` lines matching `pattern` on stdout. */
function waitForLines(child: ChildProcess, pattern: RegExp, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let buffer = '';
    child.stdout!.on('data', (c: Buffer) => {
      buffer += c.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const l of lines) if (pattern.test(l) && ++seen === count) resolve();
    });
    child.on('close', () => reject(new Error(`exited before printing ${count} lines matching ${pattern}`)));
  });
}

/**
 * Waits until no server backend of xp process `pid` is left. A killed client's backend finishes
 * the statement in flight (and commits it) before it notices that its client is gone, so what
 * exists is only known once the backend has ended.
 */
async function backendsGone(pid: number): Promise<void> {
  await withClient(url(), async (c) => {
    for (let i = 0; i < 600; i++) {
      const { rows } = await c.query(`select count(*)::int as n from pg_stat_activity where application_name like $1`, [`%pid=${pid} %`]);
      if (rows[0].n === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the backends of xp pid ${pid} were still there after 60 s`);
  });
}

async function countRoles(p: string): Promise<number> {
  return withClient(url(), async (c) => (await c.query(`select count(*)::int as n from pg_roles where rolname like $1`, [`${p}_r%`])).rows[0].n);
}

onEachServer('locks and interruptions', { timeout: 300_000 }, () => {

  it('a second apply on the same stack fails naming the holder, or waits with --lock-timeout', async () => {
    const p = unique('lk');
    const dir = configDir(p, manyRoles(p));
    // The first apply runs on a terminal and holds the lock while it waits for its "yes".
    const cmd = ['node', XP, 'apply', '--database-url', url()].map((a) => `'${a}'`).join(' ');
    const first = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, env: cleanEnv({ TERM: 'dumb' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const asking = new Promise<void>((resolve, reject) => {
      first.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Enter a value:')) resolve();
      });
      first.on('close', () => reject(new Error(`the first apply ended early:\n${out}`)));
    });
    const firstDone = new Promise<number | null>((res) => first.on('close', (code) => res(code)));
    await asking;

    const second = await xpIn(dir, url())(['apply', '--auto-approve']);
    expect(second.code, second.stderr).toBe(1);
    // named as the server records it: the login role and backend of the first apply's lock
    expect(second.stderr).toMatch(new RegExp(`stack "${p}" is locked by role "[^"]+" \\(backend pid \\d+, from [^,]+, connected [^)]+\\) since \\d{4}-\\d\\d-\\d\\dT`));

    const third = collect(startXp(['apply', '--auto-approve', '--lock-timeout', '5m', '--database-url', url()], { cwd: dir }));
    // let the third one start waiting, then approve the first
    await new Promise((r) => setTimeout(r, 1500));
    first.stdin.write('yes\r');
    expect(await firstDone, out).toBe(0);
    expectOk(await third, 'the waiting apply');
    expect(await countRoles(p)).toBe(N);
    expect((await planSummary(xpIn(dir, url()))).changed).toEqual([]);
    expectOk(await xpIn(dir, url())(['destroy', '--auto-approve']));
  });

  it('kill -9 in the middle of an apply: the next apply converges', async () => {
    const p = unique('k9');
    const dir = configDir(p, manyRoles(p));
    const child = startXp(['apply', '--auto-approve', '--parallelism', '1', '--database-url', url()], { cwd: dir });
    const done = collect(child);
    await waitForLines(child, /Creation complete/, 3);
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    await backendsGone(child.pid!);
    const partial = await countRoles(p);
    expect(partial).toBeGreaterThanOrEqual(3);

    const run = xpIn(dir, url());
    expect((await planSummary(run)).add).toBe(N - partial);
    expectOk(await run(['apply', '--auto-approve']));
    expect(await countRoles(p)).toBe(N);
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve']));
    expect(await countRoles(p)).toBe(0);
  });

  it('the lock ended under an apply (its backend terminated): nothing more starts, exit 1; apply again converges', async () => {
    const p = unique('ll');
    const dir = configDir(p, manyRoles(p));
    const child = startXp(['apply', '--auto-approve', '--parallelism', '1', '--database-url', url()], { cwd: dir });
    const done = collect(child);
    await waitForLines(child, /Creation complete/, 3);
    await withClient(url(), (c) => c.query('select pg_terminate_backend(backend_pid) from xplane.stack_lock_holder($1)', [p]));
    const r = await done;
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(`the lock of stack "${p}" was lost`);
    const created = await countRoles(p);
    expect(created).toBeLessThan(N);
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    expect(await countRoles(p)).toBe(N);
    expectOk(await run(['destroy', '--auto-approve']));
  });

  it('Ctrl-C finishes the statement in flight, starts nothing new, exits 130; apply again converges', async () => {
    expect(N, 'an interrupt must land between two batches').toBeGreaterThan(2 * APPLY_BATCH);
    const p = unique('ci');
    const dir = configDir(p, manyRoles(p));
    const child = startXp(['apply', '--auto-approve', '--parallelism', '1', '--database-url', url()], { cwd: dir });
    const done = collect(child);
    await waitForLines(child, /Creation complete/, 3);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupt received/);
    expect(r.stdout).toMatch(/Interrupted/);
    const created = await countRoles(p);
    expect(created).toBeLessThan(N);
    // every resource that started was recorded: what exists is what the stack manages
    await withClient(url(), async (c) => {
      const { rows } = await c.query(`select count(*)::int as n from xplane.managed_resources where stack = $1 and deleted_at is null`, [p]);
      expect(rows[0].n).toBe(created);
    });
    const run = xpIn(dir, url());
    expectOk(await run(['apply', '--auto-approve']));
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve']));
  });
});

onEachServer('parallel grants on the same objects', { timeout: 300_000 }, () => {
  it('never fails with "tuple concurrently updated"', async () => {
    const p = unique('tc');
    const accounts = Array.from(
      { length: 12 },
      (_, i) => `service_account "${p}_a${i}" {
  database  = database.${p}_db
  schemas   = [schema.${p}_s]
  member_of = [role.${p}_group]
  grant {
    schema     = schema.${p}_s
    privileges = ["SELECT", "INSERT"]
    future     = true
  }
  grant {
    schema     = schema.${p}_s
    on         = "sequences"
    privileges = ["USAGE"]
    future     = true
  }
}
`,
    ).join('\n');
    const dir = configDir(p, {
      'main.xp': `role "${p}_group" {}\ndatabase "${p}_db" {}\nschema "${p}_s" {\n  database = database.${p}_db\n}\n${accounts}`,
    });
    const run = xpIn(dir, url());
    const r = await run(['apply', '--auto-approve', '--parallelism', '8']);
    expect(r.stdout + r.stderr).not.toMatch(/concurrently/);
    expectOk(r);
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve', '--parallelism', '8']));
  });
});
