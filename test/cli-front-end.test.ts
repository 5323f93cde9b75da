// The full language front end (chevrotain, src/dsl/front-end.ts) is loaded only when a
// configuration needs it (test/e2e/lazy-loading.test.ts records that), and always before it is
// used: each case runs `xp validate` in a process of its own, so that nothing loaded by another
// case hides a missing load.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir as dirWith } from './config/fixture.js';

function validate(dir: string, ...flags: string[]) {
  const r = spawnSync(process.execPath, ['bin/xp.js', 'validate', dir, ...flags], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, errors: r.stderr };
}

const plain = 'stack "s" {}\n\nrole "app" {\n  comment = "plain"\n}\n';

describe('the full language front end', () => {
  it('parses a file the fast path does not take (a heredoc)', () => {
    const r = validate(dirWith({ 'main.xp': plain, 'b.xp': 'role "b" {\n  comment = <<EOT\n  hello\nEOT\n}\n' }));
    expect(r.stdout).toContain('The configuration is valid');
  });

  it('reports a syntax error with its location', () => {
    const r = validate(dirWith({ 'main.xp': plain, 'b.xp': 'role "b" {\n  comment = \n}\n' }));
    expect(r.status).toBe(1);
    expect(r.errors).toMatch(/b\.xp:2:\d+: error/);
  });

  it('parses a template file (templatefile) during evaluation', () => {
    const r = validate(
      dirWith({
        'main.xp':
          'stack "s" {}\n\nlocals {\n  t = templatefile("t.tpl", { names = ["a", "b"] })\n}\n\n' +
          'role "app" {\n  lifecycle {\n    precondition {\n      condition     = local.t == ""\n      error_message = "rendered: ${local.t}"\n    }\n  }\n}\n',
        't.tpl': '%{ for n in names }${n};%{ endfor }',
      }),
    );
    expect(r.errors).toContain('rendered: a;b;');
    expect(r.errors).not.toContain('internal error');
  });

  it("parses a module's file the fast path does not take", () => {
    const r = validate(
      dirWith({
        'main.xp': 'stack "s" {}\n\nmodule "m" {\n  source = "./m"\n}\n',
        'm/main.xp': 'role "r" {\n  comment = <<EOT\n  from a module\nEOT\n}\n',
      }),
    );
    expect(r.stdout).toContain('The configuration is valid');
    expect(r.errors).toBe('');
  });

  it('parses a var file the fast path does not take', () => {
    const dir = dirWith({
      'main.xp': 'stack "s" {}\n\nvariable "note" {\n  type = string\n}\n\nrole "app" {\n  comment = var.note\n}\n',
      'v.xpvars': 'note = <<EOT\n  a note\nEOT\n',
    });
    expect(validate(dir, '--var-file', join(dir, 'v.xpvars')).stdout).toContain('The configuration is valid');
  });

  it('parses a --var value the fast path does not take (a mistake in it)', () => {
    const dir = dirWith({ 'main.xp': 'stack "s" {}\n\nvariable "names" {\n  type = list(string)\n}\n\nrole "app" {\n  comment = join(",", var.names)\n}\n' });
    expect(validate(dir, '--var', 'names=["a"]').stdout).toContain('The configuration is valid');
    const bad = validate(dir, '--var', 'names=["a",');
    expect(bad.status).toBe(1);
    expect(bad.errors).toContain('--var names');
    expect(bad.errors).not.toContain('internal error');
  });
});
