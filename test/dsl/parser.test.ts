// The parser, construct by construct: the AST it builds (positions stripped unless the
// test is about them) and, for every error path, the exact message and position.
import { describe, expect, it } from 'vitest';
import { parse, parseWithTrivia } from '../../src/dsl/index.js';
import { stripRanges } from '../../src/dsl/format.js';
import type { Expression } from '../../src/dsl/ast.js';
import type { SourceRange } from '../../src/dsl/diagnostics.js';

/** The value of `x = <source>`, positions stripped. */
function value(source: string): unknown {
  const r = parse('t.xp', `x = ${source}\n`);
  expect(r.diagnostics).toEqual([]);
  const attr = r.ast.body.attributes[0]!;
  return stripRanges(attr.value);
}

const lit = (v: string | number | boolean | null) => ({ kind: 'Literal', value: v });
const v = (name: string) => ({ kind: 'Variable', name });
const str = (...parts: unknown[]) => ({ kind: 'Template', parts });
const get = (object: unknown, name: string) => ({ kind: 'GetAttr', object, name });
const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'Binary', op, left, right });

describe('parse: literals and templates', () => {
  it.each<[string, unknown]>([
    ['42', lit(42)],
    ['3.25', lit(3.25)],
    ['1e3', lit(1000)],
    ['true', lit(true)],
    ['false', lit(false)],
    ['null', lit(null)],
    ['""', str('')],
    ['"plain"', str('plain')],
    ['"a\\nb\\t\\"q\\" \\\\ \\u00e9"', str('a\nb\t"q" \\ é')],
    ['"$${not} interpolated"', str('${not} interpolated')],
    ['"cost: $5"', str('cost: $5')],
    ['"tenant_${each.value}"', str('tenant_', get(v('each'), 'value'))],
    ['"${a}${b}"', str(v('a'), v('b'))],
    ['"x${ "in${1}ner" }y"', str('x', str('in', lit(1), 'ner'), 'y')],
    ['"${ {a = 1}.a }"', str(get({ kind: 'Object', items: [{ key: 'a', value: lit(1) }] }, 'a'))],
  ])('%s', (source, expected) => {
    expect(value(source)).toEqual(expected);
  });

  it('reads a heredoc, keeping the last newline', () => {
    expect(value('<<EOT\nline one\n  line ${two}\nEOT')).toEqual({
      kind: 'Template',
      parts: ['line one\n  line ', v('two'), '\n'],
      heredoc: { marker: 'EOT', indent: false },
    });
  });

  it('strips the common indentation of an indented heredoc (<<-)', () => {
    expect(value('<<-EOT\n    hello ${x}\n      world\n\n    EOT')).toEqual({
      kind: 'Template',
      parts: ['hello ', v('x'), '\n  world\n\n'],
      heredoc: { marker: 'EOT', indent: true },
    });
  });

  it('reads an empty heredoc and one whose marker is indented', () => {
    expect(value('<<EOT\nEOT')).toEqual({ kind: 'Template', parts: [''], heredoc: { marker: 'EOT', indent: false } });
    expect(value('<<END\n  a\n  END')).toEqual({ kind: 'Template', parts: ['  a\n'], heredoc: { marker: 'END', indent: false } });
  });
});

describe('parse: collections, references, calls', () => {
  it.each<[string, unknown]>([
    ['[]', { kind: 'List', items: [] }],
    ['[1, "a", [true]]', { kind: 'List', items: [lit(1), str('a'), { kind: 'List', items: [lit(true)] }] }],
    ['[\n  1,\n  2,\n]', { kind: 'List', items: [lit(1), lit(2)] }],
    ['{}', { kind: 'Object', items: [] }],
    [
      '{ a = 1, "b c" = 2, (k) = 3, d: 4 }',
      {
        kind: 'Object',
        items: [
          { key: 'a', value: lit(1) },
          { key: str('b c'), value: lit(2) },
          { key: { kind: 'Paren', inner: v('k') }, value: lit(3) },
          { key: 'd', value: lit(4) },
        ],
      },
    ],
    ['{\n  a = 1\n  b = 2\n}', { kind: 'Object', items: [{ key: 'a', value: lit(1) }, { key: 'b', value: lit(2) }] }],
    ['role.readonly', get(v('role'), 'readonly')],
    ['role.acc-owner.name', get(get(v('role'), 'acc-owner'), 'name')],
    ['count.index', get(v('count'), 'index')],
    ['x[0]', { kind: 'Index', object: v('x'), index: lit(0) }],
    ['x.0', { kind: 'Index', object: v('x'), index: lit(0) }],
    ['schema.tenant[each.key].name', get({ kind: 'Index', object: get(v('schema'), 'tenant'), index: get(v('each'), 'key') }, 'name')],
    ['x["k"]', { kind: 'Index', object: v('x'), index: str('k') }],
    ['f()', { kind: 'Call', name: 'f', args: [], expandFinal: false }],
    ['env("A", "")', { kind: 'Call', name: 'env', args: [str('A'), str('')], expandFinal: false }],
    ['concat(a, b...)', { kind: 'Call', name: 'concat', args: [v('a'), v('b')], expandFinal: true }],
    ['merge(\n  a,\n  b,\n)', { kind: 'Call', name: 'merge', args: [v('a'), v('b')], expandFinal: false }],
    ['f(1)[0].x', get({ kind: 'Index', object: { kind: 'Call', name: 'f', args: [lit(1)], expandFinal: false }, index: lit(0) }, 'x')],
    ['(1)', { kind: 'Paren', inner: lit(1) }],
  ])('%s', (source, expected) => {
    expect(value(source)).toEqual(expected);
  });
});

describe('parse: operators', () => {
  it.each<[string, unknown]>([
    ['1 + 2 * 3', bin('+', lit(1), bin('*', lit(2), lit(3)))],
    ['1 * 2 + 3', bin('+', bin('*', lit(1), lit(2)), lit(3))],
    ['1 - 2 - 3', bin('-', bin('-', lit(1), lit(2)), lit(3))],
    ['8 / 4 % 3', bin('%', bin('/', lit(8), lit(4)), lit(3))],
    ['a || b && c', bin('||', v('a'), bin('&&', v('b'), v('c')))],
    ['a == b || c != d', bin('||', bin('==', v('a'), v('b')), bin('!=', v('c'), v('d')))],
    ['a < b == c >= d', bin('==', bin('<', v('a'), v('b')), bin('>=', v('c'), v('d')))],
    ['a <= b && c > d', bin('&&', bin('<=', v('a'), v('b')), bin('>', v('c'), v('d')))],
    ['1 + 2 < 3 * 4', bin('<', bin('+', lit(1), lit(2)), bin('*', lit(3), lit(4)))],
    ['-x * 2', bin('*', { kind: 'Unary', op: '-', operand: v('x') }, lit(2))],
    ['!!a', { kind: 'Unary', op: '!', operand: { kind: 'Unary', op: '!', operand: v('a') } }],
    ['-a.b', { kind: 'Unary', op: '-', operand: get(v('a'), 'b') }],
    ['(1 + 2) * 3', bin('*', { kind: 'Paren', inner: bin('+', lit(1), lit(2)) }, lit(3))],
    ['a ? b : c', { kind: 'Conditional', condition: v('a'), then: v('b'), else: v('c') }],
    [
      'a || b ? 1 + 1 : c ? 2 : 3',
      {
        kind: 'Conditional',
        condition: bin('||', v('a'), v('b')),
        then: bin('+', lit(1), lit(1)),
        else: { kind: 'Conditional', condition: v('c'), then: lit(2), else: lit(3) },
      },
    ],
    ['a - 1', bin('-', v('a'), lit(1))],
  ])('%s', (source, expected) => {
    expect(value(source)).toEqual(expected);
  });

  it('reads `a-1` as one identifier, as HCL does', () => {
    expect(value('a-1')).toEqual(v('a-1'));
  });
});

describe('parse: for expressions', () => {
  it.each<[string, unknown]>([
    [
      '[for t in var.tenants : upper(t)]',
      {
        kind: 'For',
        result: 'list',
        valueVar: 't',
        collection: get(v('var'), 'tenants'),
        valueExpr: { kind: 'Call', name: 'upper', args: [v('t')], expandFinal: false },
        grouping: false,
      },
    ],
    [
      '[for i, t in xs : t if i > 0]',
      {
        kind: 'For',
        result: 'list',
        keyVar: 'i',
        valueVar: 't',
        collection: v('xs'),
        valueExpr: v('t'),
        grouping: false,
        condition: bin('>', v('i'), lit(0)),
      },
    ],
    [
      '{for k, v in m : v => k...}',
      { kind: 'For', result: 'object', keyVar: 'k', valueVar: 'v', collection: v('m'), keyExpr: v('v'), valueExpr: v('k'), grouping: true },
    ],
    [
      '{\n  for k, v in m :\n    k => v\n    if v != null\n}',
      {
        kind: 'For',
        result: 'object',
        keyVar: 'k',
        valueVar: 'v',
        collection: v('m'),
        keyExpr: v('k'),
        valueExpr: v('v'),
        grouping: false,
        condition: bin('!=', v('v'), lit(null)),
      },
    ],
  ])('%s', (source, expected) => {
    expect(value(source)).toEqual(expected);
  });
});

describe('parse: blocks and attributes', () => {
  it('reads blocks with quoted and bare labels, nested blocks, one-line blocks, comments', () => {
    const r = parse(
      'main.xp',
      [
        '# comment',
        'stack "saas" {}',
        'role readonly {   // bare label',
        '  grant {',
        '    privileges = ["SELECT"] /* inline */',
        '  }',
        '  lifecycle { prevent_destroy = true }',
        '}',
        'provider "a" "b" {',
        '  url = env("X")',
        '}',
        'top = 1',
        '',
      ].join('\n'),
    );
    expect(r.diagnostics).toEqual([]);
    const items = r.ast.body.items;
    expect(items.map((i) => (i.kind === 'Block' ? `${i.type}[${i.labels.join(',')}]` : i.name))).toEqual([
      'stack[saas]',
      'role[readonly]',
      'provider[a,b]',
      'top',
    ]);
    const role = r.ast.body.blocks[1]!;
    expect(role.body.blocks.map((b) => b.type)).toEqual(['grant', 'lifecycle']);
    expect(stripRanges(role.body.blocks[1]!.body.attributes[0])).toEqual({
      kind: 'Attribute',
      name: 'prevent_destroy',
      value: lit(true),
    });
    expect(r.ast.body.attributes.map((a) => a.name)).toEqual(['top']);
  });

  it('gives every node its file:line:col range (end exclusive)', () => {
    // the fast path (parse) and the chevrotain parser (parseWithTrivia) alike
    for (const r of [parse('main.xp', 'role "r" {\n  name = "x-${a}"\n}\n'), parseWithTrivia('main.xp', 'role "r" {\n  name = "x-${a}"\n}\n')]) {
      const block = r.ast.body.blocks[0]!;
      // a range is read as { file, start, end } (the fast path's are computed from offsets)
      const plain = (range: SourceRange) => ({ file: range.file, start: range.start, end: range.end });
      expect(plain(block.range)).toEqual({ file: 'main.xp', start: { line: 1, column: 1, offset: 0 }, end: { line: 3, column: 2, offset: 30 } });
      expect(block.typeRange.end).toEqual({ line: 1, column: 5, offset: 4 });
      const attr = block.body.attributes[0]!;
      expect(plain(attr.nameRange)).toEqual({ file: 'main.xp', start: { line: 2, column: 3, offset: 13 }, end: { line: 2, column: 7, offset: 17 } });
      expect(attr.value.range.start).toEqual({ line: 2, column: 10, offset: 20 });
      expect(attr.value.range.end).toEqual({ line: 2, column: 18, offset: 28 });
      const inner = (attr.value as Expression & { parts: Expression[] }).parts[1]!;
      expect(inner.range.start).toEqual({ line: 2, column: 15, offset: 25 });
    }
  });

  it.each([
    '[1, 2]',
    '{ a = 1 }',
    'f(1, [2])',
    '(1 + 2)',
    'a ? b : c',
    '[for t in xs : t]',
    '{for k, v in m : k => v}',
    '"a${b}c"',
    '-x.y[0]',
    'a.b.c',
    '1 + 2 * 3',
  ])('gives `%s` the range of its text', (source) => {
    const r = parse('r.xp', `x = ${source}\n`);
    const range = r.ast.body.attributes[0]!.value.range;
    expect([range.start.offset, range.end.offset, range.start.column, range.end.column]).toEqual([4, 4 + source.length, 5, 5 + source.length]);
  });

  it('gives multi-line values their full range', () => {
    const r = parse('r.xp', 'x = [\n  1,\n]\ny = <<EOT\nabc\nEOT\nz = {\n  a = 1\n}\n');
    const [x, y, z] = r.ast.body.attributes.map((a) => a.value.range);
    expect([x!.start.line, x!.end.line, x!.end.column]).toEqual([1, 3, 2]);
    expect([y!.start.line, y!.end.line, y!.end.column]).toEqual([4, 6, 4]);
    expect([z!.start.line, z!.end.line, z!.end.column]).toEqual([7, 9, 2]);
  });

  it('reads CRLF line endings and a file without a final newline', () => {
    const r = parse('w.xp', 'a = 1\r\nb {\r\n  c = "x"\r\n}');
    expect(r.diagnostics).toEqual([]);
    expect(stripRanges(r.ast.body.items)).toEqual([
      { kind: 'Attribute', name: 'a', value: lit(1) },
      { kind: 'Block', type: 'b', labels: [], body: { attributes: [{ kind: 'Attribute', name: 'c', value: str('x') }], blocks: [], items: [{ kind: 'Attribute', name: 'c', value: str('x') }] } },
    ]);
  });

  it('reads an empty file and a file of comments', () => {
    expect(parse('e.xp', '').diagnostics).toEqual([]);
    const r = parse('c.xp', '# a\n// b\n/* c\n d */\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.body.items).toEqual([]);
  });
});

/** [source, [message, line, column][]] */
const errorCases: [string, string, [string, number, number][]][] = [
  ['missing value', 'a = \n', [['expected an expression, found end of line', 1, 5]]],
  ['missing value at end of file', 'a =', [['expected an expression, found end of file', 1, 4]]],
  ['two attributes on a line', 'a = 1 b = 2\n', [['expected end of line, found identifier "b"', 1, 7]]],
  ['unclosed block (reported after the last token)', 'role "x" {\n  a = 1\n', [["expected '}', found end of file", 2, 8]]],
  ['stray closing brace', '}\na = 1\n', [["unexpected '}', expected an attribute or a block", 1, 1]]],
  ['line starting with an operator', '= 4\nb = 1\n', [["unexpected '=', expected an attribute or a block", 1, 1]]],
  ['dangling operator', 'd = 5 +\n', [['expected an expression, found end of line', 1, 8]]],
  ['missing comma in a list', 'y = [1 2]\n', [["expected ',' or ']', found number 2", 1, 8]]],
  ['missing comma in a call', 'z = f(1 2)\n', [["expected ',' or ')', found number 2", 1, 9]]],
  ['two object items on a line', 'c = { a = 1 b = 2 }\n', [["expected ',' or end of line, found identifier \"b\"", 1, 13]]],
  ['unexpected character', 'b = $\n', [['unexpected character "$"', 1, 5]]],
  ['unterminated string', 'c = "abc\nd = 1\n', [['unterminated string, expected \'"\' before the end of the line', 1, 9]]],
  ['invalid escape', 'f = "a\\q"\n', [['invalid escape sequence \\q', 1, 7]]],
  ['bad unicode escape', 'f = "\\u12"\n', [['invalid escape sequence \\u12', 1, 6]]],
  ['unterminated comment', 'a = 1\n/* abc', [["unterminated comment, expected '*/'", 2, 1]]],
  ['unterminated heredoc', 'h = <<EOT\nabc\n', [["expected heredoc end marker, found end of file", 2, 4]]],
  ['block label with interpolation', 'role "a${x}" {}\n', [["expected '\"', found '${'", 1, 8]]],
  ['missing `in` in a for', 'x = [for t var.x : t]\n', [["expected 'in', found identifier \"var\"", 1, 12]]],
  ['missing `=>` in an object for', 'x = {for k, v in m : k}\n', [["expected '=>', found '}'", 1, 23]]],
  ['unclosed interpolation', 'x = "a${b"\n', [["expected '}', found '\"'", 1, 10]]],
  ['missing block brace', 'role "x"\na = 1\n', [["expected '{', found end of line", 1, 9]]],
  ['%{ endif } without %{ if }', 'x = "a%{ endif }"\n', [['%{ endif } without %{ if }', 1, 7]]],
  ['%{ if } never closed', 'x = "%{ if c }a"\n', [['%{ if } has no %{ endif }', 1, 6]]],
  ['%{ endfor } closing an if', 'x = <<EOT\n%{ if c }\n%{ endfor }\nEOT\n', [['%{ if } has no %{ endif }', 2, 1], ['%{ endfor } without %{ for }', 3, 1]]],
  ['a second %{ else }', 'x = "%{ if c }a%{ else }b%{ else }c%{ endif }"\n', [['a second %{ else } in one %{ if }', 1, 26]]],
  ['unknown directive', 'x = "%{ end }"\n', [['unknown template directive "end"', 1, 6]]],
  ['unclosed directive', 'x = "%{ if c"\n', [["expected '}', found '\"'", 1, 13]]],
  [
    'several errors in one run',
    'a = \nb = 1\nrole "x" {\n  c = 1 d\n  e = [1 2]\n}\nf = "\\q"\n',
    [
      ['expected an expression, found end of line', 1, 5],
      ['expected end of line, found identifier "d"', 4, 9],
      ["expected ',' or ']', found number 2", 5, 10],
      ['invalid escape sequence \\q', 7, 6],
    ],
  ],
];

describe('parse: syntax errors', () => {
  it.each(errorCases)('%s', (_name, source, expected) => {
    const r = parse('bad.xp', source);
    expect(r.diagnostics.map((d) => [d.message, d.range?.start.line, d.range?.start.column])).toEqual(expected);
    for (const d of r.diagnostics) {
      expect(d.severity).toBe('error');
      expect(d.range?.file).toBe('bad.xp');
    }
  });

  it('reports brackets nested thousands deep as an error, not a crash', () => {
    const deep = 'a = 1\nx = ' + '['.repeat(5000) + '1' + ']'.repeat(5000) + '\nb = 2\n';
    const r = parse('deep.xp', deep);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toMatch(/^expression nested too deeply \(\d+ levels of brackets\)$/);
    expect(r.diagnostics[0]!.range!.start.line).toBe(2);
    expect(r.ast.body.attributes[0]!.name).toBe('a');
  });

  it('keeps the items around an error', () => {
    const r = parse('bad.xp', 'a = 1\nb = [1 2]\nc = 3\n');
    expect(r.ast.body.attributes.map((a) => a.name)).toEqual(['a', 'b', 'c']);
  });

  it('adds a hint where there is something to do', () => {
    const [d] = parse('bad.xp', 'c = "abc\n').diagnostics;
    expect(d?.hint).toMatch(/heredoc/);
  });
});
