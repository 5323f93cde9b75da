// The fast path of parse() (src/dsl/fast-parser.ts) against the chevrotain parser: wherever
// the fast path accepts a file, the chevrotain parser must find no diagnostic in it and build
// the same AST (key order and every range's file:line:col:offset included); everything else
// must be left to the chevrotain parser. Checked on hand-picked forms, on the example
// configurations and formatter fixtures, on the benchmark's configuration, on random
// configurations in the fast path's forms and on random token soup.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, parseWithTrivia } from '../../src/dsl/index.js';
import { fastParse } from '../../src/dsl/fast-parser.js';

const root = join(import.meta.dirname, '../..');

/** True when the fast path took the text; then it must agree with the chevrotain parser. */
function agrees(text: string, path = 'f.xp'): boolean {
  const fast = fastParse(path, text);
  const slow = parseWithTrivia(path, text);
  if (!fast) return false;
  expect(slow.diagnostics).toEqual([]);
  // JSON: a Span writes its plain { file, start, end }, computed from its offsets
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.ast));
  return true;
}

describe('the fast path of parse()', () => {
  it.each([
    'a = 1\n',
    'a = 1',
    '',
    '\n\n',
    'a = -1.5e3\nb = !true\nc = null\nd = --x\n',
    'a = "x\\n\\t\\"\\\\ \\u00e9 \\U0001F600 $${x} %%{y}"\n',
    'a = "x-${b.c[0]}-${f(1, 2)}"\n',
    'a = "${x}"\nb = ""\nc = "${x}${y}"\n',
    'a = "${ {k = 1}.k }"\n',
    'a = [\n  1,\n  2, # c\n  /* d */ 3,\n]\n',
    'a = { x = 1, "y" = 2, (z) = 3, w: 4 }\n',
    'a = {\n  x = 1\n\n  y = [1,\n 2]\n}\n',
    'a = { for = 1, if: 2, in = 3 }\n',
    'a = f()\nb = g(1,)\nc = h(x...)\nd = i(x..., )\ne = j (\n1\n)\n',
    'a = 1 + 2 * 3 - 4 / 5 % 6\nb = x == y || !z && w != 1\nc = 1 <= 2 && 3 >= 4 || 5 < 6 == 7 > 8\n',
    'a = x ? y : z ? 1 : 2\nb = (x ? y : z).w\n',
    'a = x.for.if.in.true\nb = x[0]["k"][y.z]\nc = (1)[0]\nd = [1][0].x\n',
    'role "r" x {\n  a = 1\n  inner {}\n  one { b = 2 }\n}\n',
    'r "a\\"b" {\n}\n',
    'a = 1\r\nb {\r\n  c = "x"\r\n}\r\n',
    'a = 1 # c\nb = 2 // d\n/* e\nf */ c = 3\n',
    '\ufeffa = 1\n',
    'a = "é€ ${x} €"\nb = 1\n',
    'in = 1\nif = 2\n',
    'a = [for x in y : x]\nb = [\n  for k, v in y :\n  k if v\n]\n',
    'a = {for k, v in y : k => v}\nb = {\n  for x in y : x => [x]... if x != 1\n}\nc = { for = 1 }\nd = {\n  for: 2\n}\n',
  ])('parses %j as the chevrotain parser does', (text) => {
    expect(agrees(text)).toBe(true);
  });

  it.each([
    // errors: the chevrotain parser reports them
    'a = \n',
    'a = 1 2\n',
    'a = "x\n',
    'a = "\\q"\n',
    'a = [1 2]\n',
    'a = { x = 1 y = 2 }\n',
    'b {\n',
    '}\n',
    'a = 1 +\n2\n',
    'a = x.\ny\n',
    'for {}\n',
    'r true {}\n',
    'r "${x}" {}\n',
    'r "a\\\nb" {}\n',
    '/* open\n',
    'a = x = y\n',
    'a = $\n',
    'a = b & c\n',
    // forms the fast path leaves to the chevrotain parser
    'a = <<EOT\nx\nEOT\n',
    'a = "%{ if x }y%{ endif }"\n',
    'a = "${~ x ~}"\n',
    'a = x[*].y\n',
    'a = x.*.y\n',
    'a = x.0\n',
    'a = 1 => 2\n',
  ])('leaves %j to the chevrotain parser', (text) => {
    expect(fastParse('f.xp', text)).toBeUndefined();
    const slow = parseWithTrivia('f.xp', text);
    expect(parse('f.xp', text)).toEqual({ ast: slow.ast, diagnostics: slow.diagnostics });
  });

  it('takes the example configurations and the formatter fixtures as the chevrotain parser does', () => {
    const files = [
      ...readdirSync(join(root, 'examples'), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        // files only: an example's `.xp/` directory (what an apply there writes) ends in .xp too
        .flatMap((d) =>
          readdirSync(join(root, 'examples', d.name), { withFileTypes: true })
            .filter((f) => f.isFile() && f.name.endsWith('.xp'))
            .map((f) => join(root, 'examples', d.name, f.name)),
        ),
      ...readdirSync(join(root, 'test/dsl/fmt')).map((f) => join(root, 'test/dsl/fmt', f)),
    ];
    const taken = files.filter((f) => agrees(readFileSync(f, 'utf8'), f));
    // every example is in the fast path's forms
    expect(taken.filter((f) => f.includes('/examples/')).length).toBe(files.filter((f) => f.includes('/examples/')).length);
  });

  it("takes the benchmark's configuration as the chevrotain parser does", () => {
    const dir = execFileSync(process.execPath, [join(root, 'bench/validate.mjs'), '--generate', '60'], { encoding: 'utf8' }).trim();
    for (const f of readdirSync(dir)) expect(agrees(readFileSync(join(dir, f), 'utf8'), f)).toBe(true);
  });
});

// ── random configurations in the fast path's forms ───────────────────────────────────
const KEYWORDS = ['true', 'false', 'null', 'for', 'in', 'if'];
const ident = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,6}$/).filter((s) => !KEYWORDS.includes(s));
const anyName = fc.oneof(ident, fc.constantFrom(...KEYWORDS));
const strChars = fc.constantFrom('a', 'Z', ' ', '-', '{', '}', '%', '$', 'é', '€', '#', '/', '\\n', '\\"', '\\\\', '\\u00e9', '$${', '%%{');
const text = fc.array(strChars, { maxLength: 5 }).map((cs) => cs.join('').replace(/[$%]$/, ''));
const ws = fc.constantFrom(' ', '  ', '\t', ' /* c */ ');
const nl = fc.constantFrom('\n', '\r\n', ' # c\n', ' // c\n', '\n\n');

const { expr } = fc.letrec<{ expr: string; operand: string; primary: string }>((tie) => ({
  primary: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'fexpr', withCrossShrink: true },
    fc.nat({ max: 100000 }).map(String),
    fc.constantFrom('1.5', '2e3', '3.25E-2', 'true', 'false', 'null'),
    ident,
    text.map((s) => `"${s}"`),
    fc.array(fc.oneof(text, tie('expr').map((e) => '${' + e + '}')), { maxLength: 3 }).map((ps) => `"${ps.join('')}"`),
    fc.tuple(fc.array(tie('expr'), { maxLength: 3 }), fc.boolean()).map(([xs, trailing]) => `[${xs.join(', ')}${trailing && xs.length ? ',' : ''}]`),
    fc.tuple(fc.array(tie('expr'), { minLength: 1, maxLength: 3 }), nl).map(([xs, n]) => `[${n}${xs.join(`,${n}`)}${n}]`),
    fc.array(fc.tuple(anyName, fc.constantFrom(' = ', ': ', '='), tie('expr')), { maxLength: 3 }).map((kvs) => `{ ${kvs.map(([k, s, v]) => k + s + v).join(', ')} }`),
    fc.tuple(fc.array(fc.tuple(fc.oneof(anyName, text.map((s) => `"${s}"`), ident.map((i) => `(${i})`)), tie('expr')), { minLength: 1, maxLength: 3 }), nl).map(
      ([kvs, n]) => `{${n}${kvs.map(([k, v]) => `${k} = ${v}`).join(n)}${n}}`,
    ),
    fc.tuple(ident, fc.array(tie('expr'), { maxLength: 3 }), fc.boolean()).map(([f, args, expand]) => `${f}(${args.join(', ')}${expand && args.length > 0 ? '...' : ''})`),
    tie('expr').map((e) => `(${e})`),
    fc.tuple(fc.option(ident), ident, tie('expr'), tie('expr'), fc.option(tie('expr')), nl).map(
      ([k, v, coll, body, cond, n]) => `[for ${k === null ? '' : `${k}, `}${v} in ${coll} :${n}${body}${cond === null ? '' : ` if ${cond}`}]`,
    ),
    fc.tuple(fc.option(ident), ident, tie('expr'), tie('expr'), tie('expr'), fc.boolean(), fc.option(tie('expr')), nl).map(
      ([k, v, coll, key, val, group, cond, n]) =>
        `{${n}for ${k === null ? '' : `${k}, `}${v} in ${coll} : ${key} => ${val}${group ? '...' : ''}${cond === null ? '' : ` if ${cond}`}${n}}`,
    ),
  ),
  operand: fc
    .tuple(
      fc.constantFrom('', '!', '-', '!-', '- '),
      tie('primary'),
      fc.array(fc.oneof(anyName.map((n) => `.${n}`), tie('expr').map((e) => `[${e}]`)), { maxLength: 3 }),
    )
    .map(([prefix, p, steps]) => prefix + p + steps.join('')),
  expr: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'fexpr' },
    tie('operand'),
    fc
      .tuple(tie('operand'), fc.array(fc.tuple(fc.constantFrom('||', '&&', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%'), ws, tie('operand')), { minLength: 1, maxLength: 3 }))
      .map(([first, rest]) => first + rest.map(([op, w, o]) => `${w}${op}${w}${o}`).join('')),
    fc.tuple(tie('operand'), tie('operand'), tie('operand')).map(([c, a, b]) => `${c} ? ${a} : ${b}`),
  ),
})) as { expr: fc.Arbitrary<string> };

const label = fc.oneof(ident, text.filter((s) => !s.includes('${') && !s.includes('%{')).map((s) => `"${s}"`));
const body: fc.Arbitrary<string> = fc.letrec<{ body: string; block: string }>((tie) => ({
  block: fc.tuple(ident, fc.array(label, { maxLength: 2 }), tie('body'), nl).map(([type, labels, inner, n]) => `${type}${labels.map((l) => ' ' + l).join('')} {${n}${inner}}`),
  body: fc
    .array(
      fc.tuple(
        fc.oneof({ maxDepth: 2, depthIdentifier: 'fbody' }, fc.tuple(anyName, expr).map(([n, v]) => `${n} = ${v}`), tie('block'), fc.constant('')),
        nl,
      ),
      { maxLength: 4 },
    )
    .map((items) => items.map(([item, n]) => item + n).join('')),
})).body;

describe('random configurations', () => {
  it('in the fast path’s forms: the fast path takes most, and agrees on every one it takes', () => {
    let taken = 0;
    const runs = 400;
    fc.assert(
      fc.property(body, (text) => {
        if (agrees(text)) taken++;
      }),
      { numRuns: runs },
    );
    expect(taken).toBeGreaterThan(runs * 0.8);
  });

  const soup = fc.constantFrom(
    'a', 'role', '"x"', '"${', '}', '{', '[', ']', '(', ')', '=', '==', '!', '-', '+', '*', '/', '%', '?', ':', ',', '.', '...',
    '=>', 'for', 'in', 'if', 'true', 'null', '1', '2.5', '1e', '<<EOT\n', 'EOT', '\n', ' ', '#', '//', '/*', '*/', '"', '\\', '$', '&&', '||',
    '&', '|', '\t', '\r\n', '\r', '%{', '~}', '${~', '$${', 'é', '\u00a0', '[*]', '.*', '.0',
  );
  it('token soup: what the fast path takes, the chevrotain parser parses the same', () => {
    fc.assert(
      fc.property(fc.array(soup, { maxLength: 40 }), fc.constantFrom(' ', ''), (tokens, sep) => {
        agrees(tokens.join(sep));
      }),
      { numRuns: 3000 },
    );
  });

  it('configurations cut short at any point: the same', () => {
    fc.assert(
      fc.property(body, fc.nat(), (text, cut) => {
        agrees(text.slice(0, text.length === 0 ? 0 : cut % text.length));
      }),
      { numRuns: 300 },
    );
  });
});
