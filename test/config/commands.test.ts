// `xp validate` and `xp graph` end to end through bin/xp.js (built by `npm run build`).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempDir } from './fixture.js';

const xp = (args: string[], cwd = process.cwd(), env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [`${process.cwd()}/bin/xp.js`, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1', ...env } });

describe('xp validate', () => {
  it('says Success! for a valid configuration', () => {
    const r = xp(['validate', 'examples/quickstart']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Success! The configuration is valid.\n');
    expect(r.status).toBe(0);
  });

  it('prints each error with file:line:col, the source line and a caret, and exits 1', () => {
    const dir = tempDir({ 'main.xp': 'database "d" {\n  ownr = "x"\n  connection_limit = "many"\n}\n' });
    const r = xp(['validate'], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'main.xp:2:3: error: unknown attribute "ownr" in database',
        '2 |   ownr = "x"',
        '  |   ^^^^',
        'hint: did you mean "owner"?',
        'main.xp:3:22: error: connection_limit: expected number, got string',
        '3 |   connection_limit = "many"',
        '  |                      ^^^^^^',
        '',
        '2 errors: the configuration is not valid.',
        '',
      ].join('\n'),
    );
  });

  it('takes --var, -var (Terraform spelling), --var-file and XP_VAR_*', () => {
    const dir = tempDir({
      'conf/main.xp': 'variable "n" { type = number }\nvariable "s" { type = string }\nvariable "l" { type = list(string) }\nrole "r" {\n  count = var.n\n  name = "r${count.index}_${var.s}_${length(var.l)}"\n}\n',
      'v.xpvars': 'l = ["a", "b"]\n',
    });
    const r = xp(['validate', 'conf', '-var', 'n=2', '--var-file', 'v.xpvars', '--json'], dir, { XP_VAR_s: 'x' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, resource_count: 2, diagnostics: [] });
  });

  it('--json prints diagnostics as data', () => {
    const dir = tempDir({ 'main.xp': 'role "r" { comment = 1 + "a" }\n' });
    const r = xp(['validate', '--json'], dir);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: false,
      error_count: 1,
      warning_count: 0,
      resource_count: 0,
      diagnostics: [
        {
          severity: 'error',
          message: 'operator +: expected number, got string',
          range: { filename: 'main.xp', start: { line: 1, column: 26, byte: 25 }, end: { line: 1, column: 29, byte: 28 } },
        },
      ],
    });
    const ok = xp(['validate', 'examples/data-platform', '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, error_count: 0, resource_count: 12 });
  });

  it('refuses two directories and names a missing one', () => {
    expect(xp(['validate', 'a', 'b']).status).toBe(2);
    const r = xp(['validate', 'no/such/dir']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: cannot read the configuration directory');
    expect(r.stderr).not.toContain('    at ');
  });
});

describe('one loader for every command', () => {
  it('validate, graph, plan, apply, destroy and output report a configuration error alike, before connecting', () => {
    const root = tempDir({ 'stack/main.xp': 'role "a" {\n  connection_limit = "many"\n}\n' });
    // no server is reachable: a command that got past the configuration would fail otherwise
    const env = { XP_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const first = (args: string[]) => {
      const r = xp(args, root, env);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      return r.stderr.split('\n')[0];
    };
    const expected = first(['validate', 'stack']);
    expect(expected).toMatch(/^stack\/main\.xp:2:\d+: error: /);
    for (const args of [['graph', 'stack'], ['plan', 'stack'], ['apply', '--auto-approve', 'stack'], ['destroy', '--auto-approve', 'stack'], ['output', 'stack']]) {
      expect(first(args), args[0]).toBe(expected);
    }
  });
});

describe('the examples', () => {
  it.each(['quickstart', 'multi-tenant-saas', 'microservices-rbac', 'data-platform'])('%s is in the canonical layout of xp fmt', (name) => {
    const r = xp(['fmt', '--check', `examples/${name}`]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('xp graph', () => {
  it('prints DOT by default and Mermaid on request', () => {
    const dir = tempDir({ 'main.xp': 'role "a" {}\nrole "b" { member_of = [role.a] }\n' });
    const dot = xp(['graph'], dir);
    expect(dot.status).toBe(0);
    expect(dot.stdout).toContain('"role.a" -> "role.b";');
    const mermaid = xp(['graph', '--format', 'mermaid'], dir);
    expect(mermaid.stdout).toBe('flowchart LR\n  n0["role.a"]\n  n1["role.b"]\n  n0 --> n1\n');
    expect(xp(['graph', '--format', 'svg'], dir).status).toBe(2);
  });

  it('reports a cycle and exits 1', () => {
    const dir = tempDir({ 'main.xp': 'role "a" { member_of = [role.b] }\nrole "b" { member_of = [role.a] }\n' });
    const r = xp(['graph'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('main.xp:1:1: error: dependency cycle between 2 resources: role.a → role.b → role.a');
    expect(r.stderr).toContain('hint: on the cycle: role.a (main.xp:1:1), role.b (main.xp:2:1)');
  });
});
