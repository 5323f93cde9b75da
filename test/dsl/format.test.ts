// The formatter: golden files (test/dsl/fmt/NAME.in.xp → NAME.out.xp), idempotence, what it
// refuses, and the `xp fmt` command with its exit codes.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { formatSource, MAX_WIDTH } from '../../src/dsl/format.js';
import { runFmt, unifiedDiff } from '../../src/cli/commands/fmt.js';
import type { CommandIO } from '../../src/cli/commands/command.js';

const dir = new URL('./fmt/', import.meta.url);
const goldens = readdirSync(dir)
  .filter((f) => f.endsWith('.in.xp'))
  .map((f) => f.slice(0, -'.in.xp'.length));

describe('xp fmt golden files', () => {
  it('has golden files', () => {
    expect(goldens.length).toBeGreaterThanOrEqual(5);
  });

  it.each(goldens)('%s: formats to the expected layout', (name) => {
    const input = readFileSync(new URL(`${name}.in.xp`, dir), 'utf8');
    const expected = readFileSync(new URL(`${name}.out.xp`, dir), 'utf8');
    const r = formatSource(`${name}.in.xp`, input);
    expect(r.diagnostics).toEqual([]);
    expect(r.output).toBe(expected);
  });

  it.each(goldens)('%s: formatting the expected layout changes nothing', (name) => {
    const expected = readFileSync(new URL(`${name}.out.xp`, dir), 'utf8');
    expect(formatSource(`${name}.out.xp`, expected).output).toBe(expected);
  });
});

describe('formatSource', () => {
  it('returns the syntax errors and no output for a broken file', () => {
    const r = formatSource('bad.xp', 'a = \n');
    expect(r.output).toBeUndefined();
    expect(r.diagnostics.map((d) => d.message)).toEqual(['expected an expression, found end of line']);
  });

  it('keeps a comment in an odd place: in the block header, inside an operator chain', () => {
    expect(formatSource('c.xp', 'role /* here */ "x" {}\n').output).toBe('role "x" { /* here */\n}\n');
    expect(formatSource('c.xp', 'a = [1 + # one\n  2]\n').output).toBe('a = [1 + # one\n  2]\n');
  });

  it('keeps the rows of a multi-line list or call as written, while a row fits in MAX_WIDTH', () => {
    expect(formatSource('r.xp', 'a = [\n  "x",   "y",\n  "z"]\n').output).toBe('a = [\n  "x", "y",\n  "z",\n]\n');
    expect(formatSource('r.xp', 'a = f(1, 2,\n  3, 4)\n').output).toBe('a = f(\n  1, 2,\n  3, 4,\n)\n');
    // a row of exactly MAX_WIDTH columns stays; one column more is one item per line
    const row = (n: number) => `  "${'x'.repeat(n)}", "y",`;
    const fits = row(MAX_WIDTH - 10);
    expect(fits.length).toBe(MAX_WIDTH);
    expect(formatSource('w.xp', `a = [\n${fits}\n]\n`).output).toBe(`a = [\n${fits}\n]\n`);
    expect(formatSource('w.xp', `a = [\n${row(MAX_WIDTH - 9)}\n]\n`).output).toBe(`a = [\n  "${'x'.repeat(MAX_WIDTH - 9)}",\n  "y",\n]\n`);
    // a multi-line item is alone on its row
    expect(formatSource('m.xp', 'a = [1, {\n  b = 2\n}, 3]\n').output).toBe('a = [\n  1,\n  {\n    b = 2\n  },\n  3,\n]\n');
  });

  it('keeps end-of-line comments where they stand: after `[`, `(`, `{`, after a row, between items', () => {
    // (aligned on consecutive lines: see "end-of-line comments aligned" below)
    for (const text of [
      'a = [   # the list\n  1, 2, # one, two\n  3,\n]\n',
      'a = f( # the call\n  1,\n)\n',
      'a = {   # the object\n  b = 1 # one\n}\n',
      'a = [\n  1, /* one */ 2,\n]\n',
    ]) {
      expect(formatSource('c.xp', text).output).toBe(text);
    }
  });

  it('prints an empty file as empty, and ends every other file with one newline', () => {
    expect(formatSource('e.xp', '').output).toBe('');
    expect(formatSource('e.xp', '\n\n').output).toBe('');
    expect(formatSource('a.xp', 'a = 1').output).toBe('a = 1\n');
  });

  it('quotes bare block labels and keeps CRLF files parseable', () => {
    expect(formatSource('l.xp', 'role readonly {\r\n  a = 1\r\n}\r\n').output).toBe('role "readonly" {\n  a = 1\n}\n');
  });
});

describe('alignment runs, as terraform fmt (hclwrite formatCells) makes them', () => {
  // each expected text is what terraform fmt 1.11 prints for it (checked by hand with the binary)
  const fmt = (text: string) => formatSource('a.xp', text).output;

  it('an attribute whose value spans lines (list, object, call, for) is in no run and keeps one space', () => {
    for (const value of ['[\n    1,\n  ]', '{\n    k = 1\n  }', 'concat(\n    [],\n  )', '[\n    for x in local.xs : x\n  ]']) {
      const expected = `locals {\n  a = 1\n  long = ${value}\n  bb  = 2\n  ccc = 3\n}\n`;
      expect(fmt(`locals {\n  a = 1\n  long    = ${value}\n  bb = 2\n  ccc = 3\n}\n`)).toBe(expected);
      expect(fmt(expected)).toBe(expected);
    }
  });

  it('the same inside a multi-line object', () => {
    const expected = 'a = {\n  x = 1\n  yyy = [\n    1,\n  ]\n  zz = 2\n  w  = 3\n}\n';
    expect(fmt('a = {\n  x   = 1\n  yyy = [\n    1,\n  ]\n  zz = 2\n  w = 3\n}\n')).toBe(expected);
    expect(fmt(expected)).toBe(expected);
  });

  it('a comment on its own line ends the run; one at the end of a line does not', () => {
    expect(fmt('a = 1\n# own line\nbbb = 2\n')).toBe('a = 1\n# own line\nbbb = 2\n');
    expect(fmt('a = 1\n/* own line */\nbbb = 2\n')).toBe('a = 1\n/* own line */\nbbb = 2\n');
    expect(fmt('a = 1 # end of line\nbbb = 2\n')).toBe('a   = 1 # end of line\nbbb = 2\n');
    expect(fmt('x = {\n  a = 1\n  # own line\n  bbb = 2\n}\n')).toBe('x = {\n  a = 1\n  # own line\n  bbb = 2\n}\n');
  });

  it('a heredoc stays in its run (its first line opens no bracket); a block or a list ends it', () => {
    const tail = '  c = 3\n  d = [\n    1,\n  ]\n  ee = 4\n}\n';
    const expected = 'locals {\n  a    = 1\n  text = <<EOT\nhello\nEOT\n  bb   = 2\n  nested {\n    x = 1\n  }\n' + tail;
    expect(fmt('locals {\n  a = 1\n  text = <<EOT\nhello\nEOT\n  bb = 2\n  nested {\n    x = 1\n  }\n  c    = 3\n  d    = [\n    1,\n  ]\n  ee   = 4\n}\n')).toBe(expected);
    expect(fmt(expected)).toBe(expected);
  });

  it('a value kept as written counts by its first line, as hclwrite counts brackets', () => {
    // a comment inside an operator chain keeps the value verbatim: a block comment spanning
    // lines ends no line (`cc` and its `(…)` stay in the run), a `[` left open on the first line does
    const text = 'a = 1\ncc = (1 + /* a\nb */ 2)\nddd = [1 + # c\n  2]\ne = 1\n';
    expect(fmt(text)).toBe('a  = 1\ncc = (1 + /* a\nb */ 2)\nddd = [1 + # c\n  2]\ne = 1\n');
  });

  it('is idempotent: a comment before an object item on its line goes to its own line and ends the run at once', () => {
    // before, the first pass aligned `a` with `bbb` (no line between them in the source) and the
    // second pass did not (the comment now has its own line)
    for (const text of ['x = {\n  a = 1\n  /* c */ bbb = 2\n}\n', 'a = 1\n/* c */ bbb = 2\n']) {
      const once = fmt(text)!;
      expect(fmt(once)).toBe(once);
    }
    expect(fmt('x = {\n  a = 1\n  /* c */ bbb = 2\n}\n')).toBe('x = {\n  a = 1\n  /* c */\n  bbb = 2\n}\n');
  });
});

describe('end-of-line comments aligned, as terraform fmt (hclwrite formatCells, comment cells) aligns them', () => {
  // hclwrite (format.go) gives a line a comment cell when it ends with a `#` or `//` comment
  // after some code (linesForFormat); formatCells chains consecutive lines with one, and puts
  // their comments one column after the longest lead + assign cells of the chain (Tokens.Columns:
  // grapheme clusters); a line without a comment cell closes the chain (closeCommentChain).
  // Each rule below names the part it exercises. Each expected text is what terraform fmt
  // 1.11.4 prints for the input and leaves unchanged (checked with the binary).
  const fmt = (text: string) => formatSource('a.xp', text).output;
  const cases: [rule: string, input: string, expected: string][] = [
    [
      'formatCells: a chain of attributes, one column after the longest',
      'a = 1 # one\nlong_name = 22 // two\n',
      'a         = 1  # one\nlong_name = 22 // two\n',
    ],
    [
      'closeCommentChain: a line without a comment ends the chain, though the `=` chain goes on',
      'a = 1 # one\nbb = 22\nccc = 333 # three\ndddd = 4 # four\n',
      'a    = 1 # one\nbb   = 22\nccc  = 333 # three\ndddd = 4   # four\n',
    ],
    [
      'closeCommentChain: a blank line, a comment alone (a lead of one token: no cell) end it',
      'a = 1 # one\n\nbbb = 2 # two\n# alone\nc = 3 # three\n',
      'a = 1 # one\n\nbbb = 2 # two\n# alone\nc = 3 # three\n',
    ],
    [
      'linesForFormat: a block comment at the end of a line is no cell (a newline follows it)',
      'a = 1 # one\nbb = 2 /* two */\nccc = 3 # three\n',
      'a   = 1 # one\nbb  = 2 /* two */\nccc = 3 # three\n',
    ],
    [
      'formatCells: the comment chain ignores assign cells: block header, `[`, row, `}` join it',
      'role "x" { # header\n  a = 1 # one\n  privileges = [ # what\n    "SELECT", "INSERT", # read\n    "UPDATE",\n  ]\n  b = 2 # two\n} # end\n',
      'role "x" {              # header\n  a = 1                 # one\n  privileges = [        # what\n    "SELECT", "INSERT", # read\n    "UPDATE",\n  ]\n  b = 2 # two\n}       # end\n',
    ],
    [
      'formatCells: the items of a multi-line object and its `{` line (lead + assign)',
      'a = { # the object\n  x = 1 # one\n  yyy = 22 # two\n}\n',
      'a = {      # the object\n  x   = 1  # one\n  yyy = 22 # two\n}\n',
    ],
    [
      'Tokens.Columns: grapheme clusters, e + U+0301 is one column',
      'a = "e\u0301" # one\nb = "ab" # two\n',
      'a = "e\u0301"  # one\nb = "ab" # two\n',
    ],
  ];

  it.each(cases)('%s', (_rule, input, expected) => {
    expect(fmt(input)).toBe(expected);
    expect(fmt(expected)).toBe(expected);
  });
});

describe('for expressions, spaced as terraform fmt (hclwrite spaceAfterToken) spaces them', () => {
  it('puts a space inside the braces of an object `for`, none inside the brackets of a list one', () => {
    // spaceAfterToken: `subject.Type == TokenOBrace || after.Type == TokenCBrace` gives a space
    // (braces are spaced on both sides), while an open `[` (tokenBracketChange > 0) has none
    // after it and a `]` none before it; checked with terraform fmt 1.11.4
    const input = 'a = {for k, v in m : k => v... if v != null}\nb = [ for x in y : x ]\nc = {\n  for k, v in m : k => v\n}\n';
    const expected = 'a = { for k, v in m : k => v... if v != null }\nb = [for x in y : x]\nc = {\n  for k, v in m : k => v\n}\n';
    expect(formatSource('f.xp', input).output).toBe(expected);
    expect(formatSource('f.xp', expected).output).toBe(expected);
  });
});

describe('unifiedDiff', () => {
  it('prints hunks with three lines of context', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n') + '\n';
    const after = before.replace('e\n', 'E\n');
    expect(unifiedDiff('m.xp', before, after)).toBe(
      ['--- a/m.xp', '+++ b/m.xp', '@@ -2,7 +2,7 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h', ''].join('\n'),
    );
  });
});

function io(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const value: CommandIO = { stdout, stderr, stdin: new PassThrough(), env: {}, cwd, color: false };
  return { io: value, out: () => out, err: () => err };
}

describe('xp fmt command', () => {
  const messy = 'role "x" {\n  a=1\n  long_name = 2\n}\n';
  const tidy = 'role "x" {\n  a         = 1\n  long_name = 2\n}\n';

  it('refuses a file that is not UTF-8 at its first invalid byte, and leaves it alone', async () => {
    const d = mkdtempSync(join(tmpdir(), 'xp-fmt-'));
    const bytes = Buffer.concat([Buffer.from('role "x" {\n  a="'), Buffer.from([0xff]), Buffer.from('"\n}\n')]);
    writeFileSync(join(d, 'a.xp'), bytes);
    const t = io(d);
    expect(await runFmt({ targets: ['.'], check: false, diff: false }, t.io)).toBe(1);
    expect(t.err()).toContain('a.xp:2:6: error: invalid UTF-8: 0xFF is not a valid character\n');
    expect(readFileSync(join(d, 'a.xp'))).toEqual(bytes);
  });

  it('--check lists the files that would change, writes nothing, exits 3', async () => {
    const d = mkdtempSync(join(tmpdir(), 'xp-fmt-'));
    writeFileSync(join(d, 'a.xp'), messy);
    writeFileSync(join(d, 'b.xp'), tidy);
    const t = io(d);
    expect(await runFmt({ targets: ['.'], check: true, diff: false }, t.io)).toBe(3);
    expect(t.out()).toBe('a.xp\n');
    expect(readFileSync(join(d, 'a.xp'), 'utf8')).toBe(messy);
  });

  it('--check --diff prints a unified diff', async () => {
    const d = mkdtempSync(join(tmpdir(), 'xp-fmt-'));
    writeFileSync(join(d, 'a.xp'), messy);
    const t = io(d);
    expect(await runFmt({ targets: [d], check: true, diff: true }, t.io)).toBe(3);
    expect(t.out()).toContain('--- a/a.xp\n+++ b/a.xp\n@@ -1,4 +1,4 @@\n role "x" {\n-  a=1\n+  a         = 1\n   long_name = 2\n }\n');
  });

  it('rewrites files in place and exits 0; a second run changes nothing', async () => {
    const d = mkdtempSync(join(tmpdir(), 'xp-fmt-'));
    writeFileSync(join(d, 'a.xp'), messy);
    const t = io(d);
    expect(await runFmt({ targets: ['.'], check: false, diff: false }, t.io)).toBe(0);
    expect(readFileSync(join(d, 'a.xp'), 'utf8')).toBe(tidy);
    const again = io(d);
    expect(await runFmt({ targets: ['.'], check: true, diff: false }, again.io)).toBe(0);
    expect(again.out()).toBe('');
  });

  it('reports syntax errors as file:line:col with the source line, leaves the file, exits 1', async () => {
    const d = mkdtempSync(join(tmpdir(), 'xp-fmt-'));
    writeFileSync(join(d, 'bad.xp'), 'a = \n');
    writeFileSync(join(d, 'good.xp'), messy);
    const t = io(d);
    expect(await runFmt({ targets: ['.'], check: false, diff: false }, t.io)).toBe(1);
    expect(t.err()).toBe('bad.xp:1:5: error: expected an expression, found end of line\n1 | a = \n  |     ^\n');
    expect(readFileSync(join(d, 'bad.xp'), 'utf8')).toBe('a = \n');
    expect(readFileSync(join(d, 'good.xp'), 'utf8')).toBe(tidy);
  });

  it('formats a single file given by path', async () => {
    const d = mkdtempSync(join(tmpdir(), 'xp-fmt-'));
    writeFileSync(join(d, 'one.xp'), messy);
    const t = io(d);
    expect(await runFmt({ targets: ['one.xp'], check: true, diff: false }, t.io)).toBe(3);
  });

  it('formats every directory and file given', async () => {
    const d = mkdtempSync(join(tmpdir(), 'xp-fmt-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(d, 'a'));
    mkdirSync(join(d, 'b'));
    writeFileSync(join(d, 'a', 'x.xp'), tidy);
    writeFileSync(join(d, 'b', 'y.xp'), messy);
    const t = io(d);
    expect(await runFmt({ targets: ['a', 'b'], check: true, diff: false }, t.io)).toBe(3);
    expect(t.out()).toBe(`${join('b', 'y.xp')}\n`);
  });

  it('names a missing directory', async () => {
    const t = io(tmpdir());
    await expect(runFmt({ targets: ['no-such-dir-xp'], check: false, diff: false }, t.io)).rejects.toThrow(/no such file or directory/);
  });
});

describe('xp fmt through the command line', () => {
  it('is registered, exits 3 on --check with changes, and 0 once formatted', async () => {
    const { spawnSync } = await import('node:child_process');
    const d = mkdtempSync(join(tmpdir(), 'xp-fmt-cli-'));
    writeFileSync(join(d, 'main.xp'), 'role "x" {\n  a=1\n}\n');
    const bin = new URL('../../bin/xp.js', import.meta.url).pathname;
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'fmt', ...args], { cwd: d, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const check = run('--check');
    expect(check.status).toBe(3);
    expect(check.stdout).toBe('main.xp\n');
    expect(run().status).toBe(0);
    expect(readFileSync(join(d, 'main.xp'), 'utf8')).toBe('role "x" {\n  a = 1\n}\n');
    expect(run('-check').status).toBe(0);
  });
});
