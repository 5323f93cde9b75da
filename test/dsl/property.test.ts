// Property tests: random well-formed configurations parse without diagnostics, format, and
// re-parse to the same AST (positions stripped), and formatting is idempotent; random bytes
// and random token soup never crash the parser or the formatter, only produce diagnostics.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, parseTemplate, parseWithTrivia } from '../../src/dsl/index.js';
import { formatSource, stripRanges } from '../../src/dsl/format.js';

const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if']);
const ident = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,7}$/).filter((s) => !KEYWORDS.has(s));

/** Text of a quoted string whose value is any of these characters (escaped as needed). */
const stringChars = fc.constantFrom('a', 'Z', '0', ' ', '-', '_', '{', '}', '%', '"', '\\', '\n', '\t', 'é', '€', '#', '/', '*');
const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/%\{/g, '%%{');
const plainString = fc.array(stringChars, { maxLength: 8 }).map((cs) => cs.join(''));
/** A name where HCL takes keywords as names too (attribute names, object keys, steps). */
const anyName = fc.oneof(ident, fc.constantFrom(...KEYWORDS));
/** Template text that does not end in `%` (which would make the `%{` after it an escape). */
const templateText = plainString.filter((s) => !s.endsWith('%')).map(escape);
const strip = fc.constantFrom('', '~');

const comment = fc.constantFrom('# a comment', '// another', '/* block */');

const { expr } = fc.letrec<{ expr: string; operand: string; primary: string }>((tie) => ({
  primary: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'expr', withCrossShrink: true },
    fc.nat({ max: 100000 }).map(String),
    fc.tuple(fc.nat({ max: 999 }), fc.nat({ max: 99 })).map(([a, b]) => `${a}.${b}`),
    fc.constantFrom('true', 'false', 'null'),
    ident,
    plainString.map((s) => `"${escape(s)}"`),
    // template text, not any plain string: "%" and "{" side by side would open a directive
    fc.array(fc.oneof(templateText, tie('expr').map((e) => '${' + e + '}')), { maxLength: 3 }).map((ps) => `"${ps.join('')}"`),
    // template directives and strip markers
    fc.array(
      fc.oneof(
        templateText,
        fc.tuple(strip, tie('expr'), strip).map(([a, e, b]) => `\${${a}${e}${b}}`),
        fc.tuple(strip, tie('expr'), strip, templateText, fc.option(fc.tuple(strip, templateText, strip)), strip, strip).map(
          ([a, c, b, then, els, d, e]) => `%{${a} if ${c} ${b}}${then}${els ? `%{${els[0]} else ${els[2]}}${els[1]}` : ''}%{${d} endif ${e}}`,
        ),
        fc.tuple(strip, fc.option(ident), ident, tie('expr'), strip, templateText, strip, strip).map(
          ([a, k, v, coll, b, body, c, d]) => `%{${a} for ${k === null ? '' : `${k}, `}${v} in ${coll} ${b}}${body}%{${c} endfor ${d}}`,
        ),
      ),
      { maxLength: 3 },
    ).map((ps) => `"${ps.join('')}"`),
    fc.array(tie('expr'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(tie('expr'), { minLength: 1, maxLength: 3 }).map((xs) => `[\n${xs.join(',\n')}\n]`),
    // a multi-line list written in rows, with end-of-line comments after the `[` and the rows
    fc.tuple(fc.option(comment), fc.array(fc.tuple(fc.array(tie('expr'), { minLength: 1, maxLength: 3 }), fc.option(comment)), { minLength: 1, maxLength: 3 })).map(
      ([head, rows]) => `[${head ? ` ${head}` : ''}\n${rows.map(([xs, c]) => `${xs.join(', ')},${c ? ` ${c}` : ''}`).join('\n')}\n]`,
    ),
    fc.array(fc.tuple(anyName, tie('expr')), { minLength: 1, maxLength: 3 }).map((kvs) => `{\n${kvs.map(([k, v]) => `${k} = ${v}`).join('\n')}\n}`),
    // in parentheses: what follows the end marker goes on the next line, where a newline
    // must not end the attribute
    plainString.map((s) => `(<<EOT\n${s.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{')}\nEOT\n)`),
    fc.tuple(ident, fc.oneof(ident, ident.map((i) => `${i}[*].x`)), strip, strip).map(([x, coll, a, b]) => `(<<-EOT\n  %{${a} for ${x} in ${coll} ${b}}\n    \${${x}}\n  %{${b} endfor ${a}}\nEOT\n)`),
    fc.array(fc.tuple(anyName, tie('expr')), { maxLength: 3 }).map((kvs) => (kvs.length ? `{ ${kvs.map(([k, v]) => `${k} = ${v}`).join(', ')} }` : '{}')),
    fc.tuple(ident, fc.array(tie('expr'), { maxLength: 3 }), fc.boolean()).map(
      ([f, args, expand]) => `${f}(${args.join(', ')}${expand && args.length > 0 ? '...' : ''})`,
    ),
    tie('expr').map((e) => `(${e})`),
    fc.tuple(ident, tie('expr'), tie('expr'), fc.option(tie('expr'))).map(
      ([x, coll, body, cond]) => `[for ${x} in ${coll} : ${body}${cond === null ? '' : ` if ${cond}`}]`,
    ),
    fc.tuple(ident, ident, tie('expr'), tie('expr'), tie('expr'), fc.boolean()).map(
      ([k, v, coll, key, val, group]) => `{for ${k}, ${v} in ${coll} : ${key} => ${val}${group ? '...' : ''}}`,
    ),
  ),
  operand: fc.tuple(
    fc.constantFrom('', '!', '-', '!-'),
    tie('primary'),
    fc.array(fc.oneof(anyName.map((n) => `.${n}`), tie('expr').map((e) => `[${e}]`), fc.constantFrom('[*]', '.*')), { maxLength: 3 }),
  ).map(([prefix, p, steps]) => prefix + p + steps.join('')),
  expr: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'expr' },
    tie('operand'),
    fc.tuple(tie('operand'), fc.array(fc.tuple(fc.constantFrom('||', '&&', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%'), tie('operand')), { minLength: 1, maxLength: 3 })).map(
      ([first, rest]) => first + rest.map(([op, o]) => ` ${op} ${o}`).join(''),
    ),
    fc.tuple(tie('operand'), tie('operand'), tie('operand')).map(([c, a, b]) => `${c} ? ${a} : ${b}`),
  ),
})) as { expr: fc.Arbitrary<string> };

const attribute = fc.tuple(anyName, expr, fc.option(comment)).map(([n, v, c]) => `${n} = ${v}${c ? ` ${c}` : ''}`);
const label = fc.oneof(ident, plainString.map((s) => `"${escape(s)}"`));

const body: fc.Arbitrary<string[]> = fc.letrec<{ body: string[]; block: string[] }>((tie) => ({
  block: fc.tuple(ident, fc.array(label, { maxLength: 2 }), tie('body')).map(([type, labels, lines]) => [
    `${type}${labels.map((l) => ' ' + l).join('')} {`,
    ...lines.map((l) => '  ' + l),
    '}',
  ]),
  body: fc
    .array(fc.oneof({ maxDepth: 3, depthIdentifier: 'body' }, attribute.map((a) => [a]), comment.map((c) => [c]), fc.constant(['']), tie('block')), { maxLength: 4 })
    .map((items) => items.flat()),
})).body;

describe('random well-formed configurations', () => {
  it('are not trivial', () => {
    const samples = fc.sample(body, { numRuns: 100, seed: 42 }).map((lines) => lines.join('\n'));
    if (process.env.XP_SHOW_SAMPLES) console.log(samples.slice(0, 5).join('\n-----\n'));
    expect(samples.filter((s) => s.includes('{') && s.includes('=')).length).toBeGreaterThan(30);
  });

  it('parse without diagnostics, format to the same AST, and format idempotently', () => {
    fc.assert(
      fc.property(body, (lines) => {
        const text = lines.join('\n') + '\n';
        const parsed = parse('gen.xp', text);
        expect(parsed.diagnostics).toEqual([]);
        const formatted = formatSource('gen.xp', text);
        expect(formatted.diagnostics).toEqual([]);
        const output = formatted.output!;
        const reparsed = parse('gen.xp', output);
        expect(reparsed.diagnostics).toEqual([]);
        expect(stripRanges(reparsed.ast)).toEqual(stripRanges(parsed.ast));
        expect(formatSource('gen.xp', output).output).toBe(output);
      }),
      { numRuns: 200 },
    );
  });
});

const soupTokens = fc.constantFrom(
  'a', 'role', '"x"', '"${', '}', '{', '[', ']', '(', ')', '=', '==', '!', '-', '+', '*', '/', '%', '?', ':', ',', '.', '...',
  '=>', 'for', 'in', 'if', 'true', 'null', '1', '2.5', '<<EOT\n', '<<-EOT\n', 'EOT', '\n', ' ', '#', '//', '/*', '*/', '"', '\\', '$', '&&', '||', '\t', '\r\n',
  '%{', '%{~', '~}', '${~', '%%{', 'endif', 'endfor', 'else', '[*]', '.*', 'dynamic', 'content',
);

function noCrash(text: string) {
  const r = parse('soup.xp', text);
  for (const d of r.diagnostics) {
    expect(d.severity).toBe('error');
    expect(d.range!.start.line).toBeGreaterThanOrEqual(1);
    expect(d.range!.start.column).toBeGreaterThanOrEqual(1);
    expect(d.range!.start.offset).toBeLessThanOrEqual(text.length);
    expect(d.message).not.toBe('');
  }
  formatSource('soup.xp', text);
}

describe('random input never crashes the front end', () => {
  it('random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), noCrash), { numRuns: 400 });
  });

  it('random token soup', () => {
    fc.assert(fc.property(fc.array(soupTokens, { maxLength: 60 }).map((ts) => ts.join(' ')), noCrash), { numRuns: 1000 });
  });

  it('random token soup without spaces', () => {
    fc.assert(fc.property(fc.array(soupTokens, { maxLength: 60 }).map((ts) => ts.join('')), noCrash), { numRuns: 1000 });
  });

  it('well-formed configurations cut short at any point', () => {
    fc.assert(
      fc.property(body, fc.nat(), (lines, cut) => {
        const text = lines.join('\n');
        noCrash(text.slice(0, text.length === 0 ? 0 : cut % text.length));
      }),
      { numRuns: 300 },
    );
  });
});

describe('random template files never crash parseTemplate', () => {
  it('random token soup as a template file', () => {
    fc.assert(
      fc.property(fc.array(soupTokens, { maxLength: 60 }).map((ts) => ts.join('')), (text) => {
        const r = parseTemplate('soup.tpl', text);
        for (const d of r.diagnostics) {
          expect(d.range!.start.line).toBeGreaterThanOrEqual(1);
          expect(d.message).not.toBe('');
        }
        expect(r.template.kind).toBe('Template');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('lexing a large file in segments', () => {
  it('gives the same AST, positions and diagnostics as lexing it at once', () => {
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 4 }), (parts) => {
        // heredoc content and multi-line values put letters at column 0 inside items too
        const text = parts.map((lines) => lines.join('\n')).join('\nz = <<EOT\nabc\nEOT\n') + '\n';
        const whole = parseWithTrivia('seg.xp', text, { segmentChars: 1e9 });
        const pieces = parseWithTrivia('seg.xp', text, { segmentChars: 1 });
        expect(pieces.ast).toEqual(whole.ast);
        expect(pieces.diagnostics).toEqual(whole.diagnostics);
        expect(pieces.comments.map((c) => [c.image, c.startOffset, c.startLine])).toEqual(whole.comments.map((c) => [c.image, c.startOffset, c.startLine]));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps positions right across segments, with errors in several of them', () => {
    const text = 'a = 1\nb = \nc {\n  d = [1 2]\n}\ne = "\\q"\nf = <<EOT\nx\nEOT\ng =\n';
    const whole = parseWithTrivia('seg.xp', text, { segmentChars: 1e9 });
    const pieces = parseWithTrivia('seg.xp', text, { segmentChars: 1 });
    expect(pieces.diagnostics).toEqual(whole.diagnostics);
    expect(pieces.diagnostics.map((d) => `${d.range?.start.line}:${d.range?.start.column}`)).toEqual(['2:5', '4:10', '6:6', '10:4']);
  });
});
