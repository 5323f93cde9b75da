// Terraform's functions, each with the examples of Terraform's documentation (and cty's tests
// for format) as the expected values, and its wrong calls as located diagnostics.
import { symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callFunction, FunctionError } from '../../src/config/functions.js';
import { evalText, tempDir, valueOf } from './fixture.js';

const PREFIX = 'output "o" { value = ';

/** The error diagnostics of `expr` in an output on line 1, as message and line:col. */
function located(expr: string, options: { dir?: string } = {}) {
  const r = evalText(`${PREFIX}${expr} }\n`, options);
  expect(r.config).toBeUndefined();
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ message: d.message, at: `${d.range?.start.line}:${d.range?.start.column}` }));
}

/** `[expr, message, the text of the argument the error points at]` → message at that argument's column. */
function expectError(expr: string, message: string, at: string, options: { dir?: string } = {}) {
  const col = PREFIX.length + 1 + expr.indexOf(at);
  expect(expr.indexOf(at), `"${at}" is not in ${expr}`).toBeGreaterThanOrEqual(0);
  expect(located(expr, options)).toEqual([{ message, at: `1:${col}` }]);
}

describe('format (cty and Go fmt results)', () => {
  it.each([
    ['format("t%03d", 7)', 't007'],
    ['format("Hello, %s!", "Ander")', 'Hello, Ander!'],
    ['format("There are %d lights", 4)', 'There are 4 lights'],
    ['format("100%% successful")', '100% successful'],
    ['format("%%%v", false)', '%false'],
    // strings: width and precision count characters (grapheme clusters)
    ['format("%-10s|", "hello")', 'hello     |'],
    ['format("%10s|", "hello")', '     hello|'],
    ['format("%4s|", "💃🏿")', '   💃🏿|'],
    ['format("%.2s", "hello")', 'he'],
    ['format("%.5s", "日本語日本語")', '日本語日本'],
    ['format("%.1q", "日本語日本語")', '"日"'],
    ['format("%4.2s|", "hello")', '  he|'],
    ['format("%-4.2s|", "hello")', 'he  |'],
    ['format("%6.2q", "hello")', '  "he"'],
    ['format("%q", "Hello\\nWorld")', '"Hello\\nWorld"'],
    ['format("%q", "<a&b>")', '"\\u003ca\\u0026b\\u003e"'],
    ['format("%s", false)', 'false'],
    ['format("%q", false)', '"false"'],
    ['format("%s", 3.5)', '3.5'],
    // %v and %#v
    ['format("%v", "hello")', 'hello'],
    ['format("%#v", "hello")', '"hello"'],
    ['format("%v", 2)', '2'],
    ['format("%#v", 2)', '2'],
    ['format("%v", true)', 'true'],
    ['format("%v", {})', '{}'],
    ['format("%v", [])', '[]'],
    ['format("%v", { b = 1, a = [true, null] })', '{"a":[true,null],"b":1}'],
    ['format("%v", null)', 'null'],
    ['format("%v", 1000000)', '1e+06'],
    ['format("%5v|", "ab")', '   ab|'],
    // booleans
    ['format("This statement is %t", false)', 'This statement is false'],
    ['format("This statement is %t", "true")', 'This statement is true'],
    // integers: flags, width, precision, bases
    ['format("%+d", 10)', '+10'],
    ['format("% d", 10)', ' 10'],
    ['format("%5d|", 10)', '   10|'],
    ['format("%-5d|", 10)', '10   |'],
    ['format("%08d", -42)', '-0000042'],
    ['format("%.4d", 7)', '0007'],
    ['format("%d", "12")', '12'],
    ['format("%d", 1e20)', '100000000000000000000'],
    ['format("%b", 5)', '101'],
    ['format("%o", 9)', '11'],
    ['format("%#o", 8)', '010'],
    ['format("%x", 254)', 'fe'],
    ['format("%X", 254)', 'FE'],
    ['format("%#x", 255)', '0xff'],
    ['format("%04x", 10)', '000a'],
    ['format("%d", -3)', '-3'],
    // floating point: Go's rounding of the exact binary value (half to even on a tie)
    ['format("%f things", 10)', '10.000000 things'],
    ['format("%+f", 10)', '+10.000000'],
    ['format("% f", 10)', ' 10.000000'],
    ['format("%+f", -10)', '-10.000000'],
    ['format("%.2f", 3.14159)', '3.14'],
    ['format("%.1f", "1.06")', '1.1'],
    ['format("%.4f", "1.00000000000000000000000000000000000001")', '1.0000'],
    ['format("%.1f", 0.25)', '0.2'],
    ['format("%.1f", 0.35)', '0.3'],
    ['format("%.0f", 2.5)', '2'],
    ['format("%.0f", 3.5)', '4'],
    ['format("%.2f", 0.006)', '0.01'],
    ['format("%.2f", 0.0001)', '0.00'],
    ['format("%06.2f", 3.14159)', '003.14'],
    ['format("%08.3f", -3.14159)', '-003.142'],
    ['format("%-8.2f|", 3.14159)', '3.14    |'],
    ['format("%e", 1000)', '1.000000e+03'],
    ['format("%E", 1000)', '1.000000E+03'],
    ['format("%.2e", 123456)', '1.23e+05'],
    ['format("%e", 0)', '0.000000e+00'],
    ['format("%e", 1e-7)', '1.000000e-07'],
    ['format("%g", 1000)', '1000'],
    ['format("%G", 1000)', '1000'],
    ['format("%g", "0.00000000000000000000001")', '1e-23'],
    ['format("%G", "0.00000000000000000000001")', '1E-23'],
    ['format("%g", 0.0001)', '0.0001'],
    ['format("%g", 0.00001)', '1e-05'],
    ['format("%.3g", 3.14159)', '3.14'],
    ['format("%.3g", 1234567)', '1.23e+06'],
    ['format("%g", 0)', '0'],
    ['format("%f", 1e21)', '1000000000000000000000.000000'],
    // a number is a 64-bit double: digits beyond its precision are those of the double
    ['format("%.20f", 0.1)', '0.10000000000000000555'],
    // explicit argument indexes
    ['format("string %[2]v", true, "hello")', 'string hello'],
    ['format("%[2]s %[1]s %s", "a", "b")', 'b a b'],
    ['format("%[2]d things", 1, 10)', '10 things'],
    ['format("%[2]f", 1, 10)', '10.000000'],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr)).toEqual(expected);
  });

  it('a reference formats as its PostgreSQL name', () => {
    expect(valueOf('format("%s/%v", role.app, role.app)', 'role "app" {}')).toBe('app/app');
  });

  it.each([
    ['format("%d", 3.7)', 'format: unsupported value for "%d" at offset 0: an integer is required, got 3.7', '3.7'],
    ['format("%x", 0.5)', 'format: unsupported value for "%x" at offset 0: an integer is required, got 0.5', '0.5'],
    ['format("%d bottles", true)', 'format: unsupported value for "%d" at offset 0: number required, got bool true', 'true'],
    ['format("%d", "x")', 'format: unsupported value for "%d" at offset 0: number required, got string', '"x"'],
    ['format("%s", null)', 'format: unsupported value for "%s" at offset 0: null value cannot be formatted', 'null'],
    ['format("This is %t", null)', 'format: unsupported value for "%t" at offset 8: null value cannot be formatted', 'null'],
    ['format("%t", "yes")', 'format: unsupported value for "%t" at offset 0: bool required, got string', '"yes"'],
    ['format("%s", [1])', 'format: unsupported value for "%s" at offset 0: string required, got list', '[1]'],
    ['format("%s is not in the args list")', 'format: not enough arguments for "%s" at offset 0: it needs argument 1, 0 given', '"%s is'],
    ['format("%s %s", "a")', 'format: not enough arguments for "%s" at offset 3: it needs argument 2, 1 given', '"%s %s"'],
    ['format("%[3]s", "a", "b")', 'format: not enough arguments for "%[3]s" at offset 0: it needs argument 3, 2 given', '"%[3]s"'],
    ['format("%[0]s", "a")', "format: unrecognized format character '0' at offset 2", '"%[0]s"'],
    ['format("%☠ no", 1)', "format: unrecognized format character '☠' at offset 1", '"%☠'],
    ['format("%z", 1)', "format: unsupported format verb 'z' in \"%z\" at offset 0 (the verbs: %v %t %s %q %d %b %o %x %X %e %E %f %g %G)", '"%z"'],
    ['format("%012z", 1)', "format: unsupported format verb 'z' in \"%012z\" at offset 0 (the verbs: %v %t %s %q %d %b %o %x %X %e %E %f %g %G)", '"%012z"'],
    ['format("50%")', 'format: invalid format string: the verb at the end of "50%" is incomplete (write %% for a literal %)', '"50%"'],
    ['format("%s", "a", "b")', 'format: too many arguments for "%s" (2 given, 1 used)', '"b"'],
    ['format("%1000001d", 1)', 'format: width too large at offset 0: at most 1,000,000', '"%1000001d"'],
    ['format("%.2000000f", 1)', 'format: precision too large at offset 0: at most 1,000,000', '"%.2000000f"'],
    ['format("no verbs", 10)', 'format: too many arguments for "no verbs": it has no verbs (1 given)', '10'],
  ])('%s fails: %s', (expr, message, at) => expectError(expr, message, at));
});

describe('format properties', () => {
  const ctx = { env: {}, dir: tmpdir() };
  const call = (spec: string, ...args: unknown[]) => callFunction('format', [spec, ...(args as never[])], ctx);

  it('any spec and values give a string or a FunctionError, never another exception', () => {
    const piece = fc.constantFrom('%', 'd', 's', 'v', 'x', 'X', 'e', 'g', 'f', 'q', 't', 'b', 'o', 'z', '[', '1', '2', ']', '.', '0', '3', '-', '+', ' ', '#', 'a', '💃');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), (spec, args) => {
        try {
          expect(typeof call(spec, ...args)).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(FunctionError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('%d, %b, %o and %x of a whole number are its digits in that base', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }), (n) => {
        const x = Number(n);
        const big = BigInt(x);
        const abs = big < 0n ? -big : big;
        const sign = big < 0n ? '-' : '';
        expect(call('%d|%b|%o|%x|%X', x, x, x, x, x)).toBe([10, 2, 8, 16].map((b) => sign + abs.toString(b)).join('|') + `|${sign}${abs.toString(16).toUpperCase()}`);
      }),
    );
  });

  it('%.Nf rounds the exact binary value, ties to even (where toFixed rounds ties away from zero)', () => {
    // an exact tie: x·10^N has a fractional part of exactly one half
    const isTie = (x: number, n: number) => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, Math.abs(x));
      const bits = view.getBigUint64(0);
      const biased = Number((bits >> 52n) & 0x7ffn);
      const mant = (bits & ((1n << 52n) - 1n)) | (biased === 0 ? 0n : 1n << 52n);
      const e = biased === 0 ? -1074 : biased - 1075;
      if (e >= 0) return false;
      const num = mant * 10n ** BigInt(n);
      const den = 1n << BigInt(-e);
      return (2n * num) % den === 0n && num % den !== 0n;
    };
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: -1e15, max: 1e15, noNaN: true }), fc.integer({ min: -4000, max: 4000 }).map((i) => i / 8)), fc.integer({ min: 0, max: 12 }), (x, n) => {
        const got = call(`%.${n}f`, x);
        const fixed = Math.abs(x).toFixed(n);
        const expected = (x < 0 || Object.is(x, -0) ? '-' : '') + fixed;
        if (!isTie(x, n)) expect(got).toBe(expected);
        else {
          // half to even: the last digit printed is even; toFixed went away from zero, so
          // either it agrees or it printed the odd neighbour
          expect(Number(got.slice(-1)) % 2).toBe(0);
          if (got !== expected) expect(Number(expected.slice(-1)) % 2).toBe(1);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('formatlist', () => {
  it.each([
    ['formatlist("Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"])', ['Hello, Valentina!', 'Hello, Ander!', 'Hello, Olivia!', 'Hello, Sam!']],
    ['formatlist("%s, %s!", "Salutations", ["Valentina", "Ander", "Olivia", "Sam"])', ['Salutations, Valentina!', 'Salutations, Ander!', 'Salutations, Olivia!', 'Salutations, Sam!']],
    ['formatlist("t%03d-%s", [1, 2], ["a", "b"])', ['t001-a', 't002-b']],
    ['formatlist("%s", [])', []],
    ['formatlist("x")', ['x']],
    ['formatlist("%v", { a = 1 })', ['{"a":1}']],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr)).toEqual(expected);
  });

  it.each([
    ['formatlist("%s %s", ["a"], ["b", "c"])', 'formatlist: argument 3 has length 2, which is inconsistent with argument 2 of length 1', '["b"'],
    ['formatlist("%d", [1, "x"])', 'formatlist: error on format iteration 1: unsupported value for "%d" at offset 0: number required, got string', '[1,'],
    ['formatlist("%s")', 'formatlist: error on format iteration 0: not enough arguments for "%s" at offset 0: it needs argument 1, 0 given', '"%s"'],
  ])('%s fails: %s', (expr, message, at) => expectError(expr, message, at));
});

describe('string functions', () => {
  it.each([
    ['trimprefix("helloworld", "hello")', 'world'],
    ['trimprefix("helloworld", "cat")', 'helloworld'],
    ['trimsuffix("helloworld", "world")', 'hello'],
    ['trimsuffix("helloworld", "cat")', 'helloworld'],
    ['trimspace("  hello\\n\\n")', 'hello'],
    ['trimspace("\\u00a0 x \\t")', 'x'],
    ['chomp("hello\\n")', 'hello'],
    ['chomp("hello\\r\\n")', 'hello'],
    ['chomp("hello\\n\\n")', 'hello'],
    ['chomp("hel\\nlo")', 'hel\nlo'],
    ['substr("hello world", 1, 4)', 'ello'],
    ['substr("🤔🤷", 0, 1)', '🤔'],
    ['substr("hello world", -5, -1)', 'world'],
    ['substr("hello world", 6, 10)', 'world'],
    ['substr("hello", 10, 2)', ''],
    ['substr("hello", 1, 0)', ''],
    ['startswith("hello world", "hello")', true],
    ['startswith("hello world", "world")', false],
    ['endswith("hello world", "world")', true],
    ['endswith("hello world", "hello")', false],
    ['strcontains("hello world", "wor")', true],
    ['strcontains("hello world", "wod")', false],
    ['title("hello world")', 'Hello World'],
    ['title("hello-world o\'neil éa")', "Hello-World O'Neil Éa"],
    ['indent(1e300, "one line")', 'one line'],
    ['indent(2, "[\\n  foo,\\n  bar,\\n]\\n")', '[\n    foo,\n    bar,\n  ]\n  '],
    ['regex("[a-z]+", "53453453.345345aaabbbccc23454")', 'aaabbbccc'],
    ['regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")', ['2019', '02', '01']],
    ['regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")', { authority: 'terraform.io', scheme: 'https' }],
    ['regex("(a)|(b)", "b")', [null, 'b']],
    ['regex("(?i)HELLO", "say hello")', 'hello'],
    ['regexall("[a-z]+", "1234abcd5678efgh9")', ['abcd', 'efgh']],
    ['length(regexall("[a-z]+", "1234abcd5678efgh9"))', 2],
    ['length(regexall("[a-z]+", "123456789")) > 0', false],
    ['regexall("(\\\\w)=(\\\\d)", "a=1 b=2")', [['a', '1'], ['b', '2']]],
    // Go's rule for empty matches: none right after the previous match
    ['regexall("a*", "baaac")', ['', 'aaa', '']],
    ['replace("hello world", "/w.*d/", "everybody")', 'hello everybody'],
    ['replace("1 + 2 + 3", "+", "-")', '1 - 2 - 3'],
    ['replace("baaac", "/a*/", "-")', '-b-c-'],
    ['replace("x-y", "/(?P<a>x)-(?P<b>y)/", "$b-$${a}$$")', 'y-x$'],
    ['replace("ab", "/(a)(b)/", "$${2}1")', 'b1'],
    ['replace("ab", "/(a)(b)/", "$21")', ''],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr)).toEqual(expected);
  });

  it.each([
    ['trimprefix("a", 1, 2)', 'trimprefix: expected 2 arguments, got 3 (trimprefix(string, prefix))', 'trimprefix('],
    ['trimspace(["a"])', 'trimspace: argument 1 must be a string, got list', '["a"]'],
    ['substr("abc", 1.5, 1)', 'substr: argument 2 must be a whole number, got 1.5', '1.5'],
    ['indent(-1, "a")', 'indent: argument 1 must not be negative, got -1', '-1'],
    ['indent(1e300, "a\\nb")', 'indent: the result would be longer than 10,000,000 characters', '1e300'],
    ['regex("[a-z]+", "123")', 'regex: pattern did not match any part of the given string (regexall() returns [] instead)', '"123"'],
    ['regex("(?<=a)b", "ab")', 'regex: invalid regexp pattern: invalid named capture: `(?<=a)b` (RE2, the syntax of Terraform, has no lookahead or lookbehind)', '"(?<='],
    ['regex("(a)\\\\1", "aa")', 'regex: invalid regexp pattern: invalid escape sequence: `\\1` (RE2, the syntax of Terraform, has no backreferences)', '"(a)'],
    ['regexall("(?=a)", "a")', 'regexall: invalid regexp pattern: invalid or unsupported Perl syntax: `(?=` (RE2, the syntax of Terraform, has no lookahead or lookbehind)', '"(?='],
    ['regex("(?P<x>a)(b)", "ab")', 'regex: invalid regexp pattern: cannot mix both named and unnamed capture groups', '"(?P'],
    ['replace("a", "/(/", "b")', 'replace: invalid regexp pattern: missing closing ): `(`', '"/(/"'],
  ])('%s fails: %s', (expr, message, at) => expectError(expr, message, at));
});

describe('collection functions', () => {
  it.each([
    ['flatten([["a", "b"], [], ["c"]])', ['a', 'b', 'c']],
    ['flatten([[["a", "b"], []], ["c"]])', ['a', 'b', 'c']],
    ['distinct(["a", "b", "a", "c", "d", "b"])', ['a', 'b', 'c', 'd']],
    [
      'setproduct(["development", "staging", "production"], ["app1", "app2"])',
      [
        ['development', 'app1'],
        ['development', 'app2'],
        ['staging', 'app1'],
        ['staging', 'app2'],
        ['production', 'app1'],
        ['production', 'app2'],
      ],
    ],
    ['setproduct(["staging", "production"], [])', []],
    ['setproduct(["a"], [1], [true])', [['a', 1, true]]],
    ['setunion(["a", "b"], ["b", "c"], ["d"])', ['a', 'b', 'c', 'd']],
    ['setunion([3, 1], [2, 1])', [1, 2, 3]],
    ['setintersection(["a", "b"], ["b", "c"], ["b", "d"])', ['b']],
    ['setsubtract(["a", "b", "c"], ["a", "c"])', ['b']],
    ['zipmap(["a", "b"], [1, 2])', { a: 1, b: 2 }],
    ['zipmap(["a", "b"], [1, [2]])', { a: 1, b: [2] }],
    ['lookup({ a = "ay", b = "bee" }, "a", "what?")', 'ay'],
    ['lookup({ a = "ay", b = "bee" }, "c", "what?")', 'what?'],
    ['element(["a", "b", "c"], 1)', 'b'],
    ['element(["a", "b", "c"], 3)', 'a'],
    ['element(["a", "b", "c"], length(["a", "b", "c"]) - 1)', 'c'],
    ['element(["a", "b", "c"], -1)', 'c'],
    ['index(["a", "b", "c"], "b")', 1],
    ['slice(["a", "b", "c", "d"], 1, 3)', ['b', 'c']],
    ['slice(["a"], 1, 1)', []],
    ['reverse([1, 2, 3])', [3, 2, 1]],
    ['sort(["e", "d", "a", "x"])', ['a', 'd', 'e', 'x']],
    ['sort([10, 9])', ['10', '9']],
    ['compact(["a", "", "b", null, "c"])', ['a', 'b', 'c']],
    ['chunklist(["a", "b", "c", "d", "e"], 2)', [['a', 'b'], ['c', 'd'], ['e']]],
    ['chunklist(["a", "b", "c", "d", "e"], 1)', [['a'], ['b'], ['c'], ['d'], ['e']]],
    ['chunklist(["a", "b"], 0)', [['a', 'b']]],
    ['one([])', null],
    ['one(["hello"])', 'hello'],
    ['alltrue(["true", true])', true],
    ['alltrue([true, false])', false],
    ['alltrue([])', true],
    ['anytrue(["true"])', true],
    ['anytrue([true, false])', true],
    ['anytrue([])', false],
    ['sum([10, 13, 6, 4.5])', 33.5],
    ['min(12, 54, 3)', 3],
    ['min([12, 54, 3]...)', 3],
    ['max(12, 54, 3)', 54],
    ['max([12, 54, 3]...)', 54],
    ['transpose({ "a" = ["1", "2"], "b" = ["2", "3"] })', { '1': ['a'], '2': ['a', 'b'], '3': ['b'] }],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr)).toEqual(expected);
  });

  it('structural functions keep sensitive elements sensitive', () => {
    const v = valueOf('element(["a", var.s], 1)', 'variable "s" {\n  default = "x"\n  sensitive = true\n}');
    expect(JSON.stringify(v)).toBe('"(sensitive)"');
  });

  it.each([
    ['flatten("a")', 'flatten: argument 1 must be a list, got string', '"a"'],
    ['setproduct(["a"])', 'setproduct: expected at least 2 arguments, got 1 (setproduct(list, list...))', 'setproduct('],
    ['setproduct(range(1000), range(1000), range(2))', 'setproduct: the product would have 2,000,000 elements (at most 1,000,000)', 'setproduct('],
    ['setsubtract(["a"], "b")', 'setsubtract: argument 2 must be a list, got string', '"b"'],
    ['zipmap(["a"], [1, 2])', 'zipmap: number of keys (1) does not match number of values (2)', '[1, 2]'],
    ['zipmap(["a", null], [1, 2])', 'zipmap: keys list has null value at index 1', '["a"'],
    ['lookup({ a = 1 }, "b")', 'lookup: failed to find key "b" (give a default: lookup(map, "b", default))', '"b"'],
    ['lookup(["a"], "b")', 'lookup: argument 1 must be a map or object, got list', '["a"]'],
    ['element([], 0)', 'element: cannot use element function with an empty list', '[]'],
    ['element(["a"], 1.5)', 'element: argument 2 must be a whole number, got 1.5', '1.5'],
    ['index(["a"], "z")', 'index: item not found in the list', '"z"'],
    ['slice(["a", "b"], 1, 3)', 'slice: end index must not be greater than the length of the list (2), got 3', '3'],
    ['slice(["a", "b"], -1, 1)', 'slice: start index must not be less than zero, got -1', '-1'],
    ['slice(["a", "b"], 2, 1)', 'slice: start index (2) must not be greater than end index (1)', '2,'],
    ['reverse("ab")', 'reverse: argument 1 must be a list, got string', '"ab"'],
    ['sort(["a", null])', 'sort: element 1 of argument 1 is null; a null string cannot be sorted', '["a"'],
    ['sort([["a"]])', 'sort: element 0 of argument 1 must be a string, got list', '[["a"]]'],
    ['chunklist(["a"], -1)', 'chunklist: the size argument must not be negative, got -1', '-1'],
    ['one([1, 2])', 'one: argument 1 must be a list with either zero or one elements, got 2', '[1, 2]'],
    ['alltrue([1])', 'alltrue: element 0 of argument 1 must be a bool, got number', '[1]'],
    ['sum([])', 'sum: cannot sum an empty list', '[]'],
    ['sum([1, "x"])', 'sum: element 1 of argument 1 must be a number, got string', '[1,'],
    ['min()', 'min: expected at least 1 argument, got 0 (min(number, number...))', 'min('],
    ['max(1, "a")', 'max: argument 2 must be a number, got string', '"a"'],
    ['transpose({ a = "b" })', 'transpose: argument 1 must be a map of lists of strings, got string at ["a"]', '{ a'],
  ])('%s fails: %s', (expr, message, at) => expectError(expr, message, at));
});

describe('type conversion functions', () => {
  it.each([
    ['tomap({ "a" = 1, "b" = 2 })', { a: 1, b: 2 }],
    ['tomap({ "a" = "foo", "b" = true })', { a: 'foo', b: 'true' }],
    ['tobool(true)', true],
    ['tobool("false")', false],
    ['tobool(null)', null],
    ['tolist(["a", "b", "c"])', ['a', 'b', 'c']],
    ['toset(["c", "b", "b"])', ['b', 'c']],
    ['toset([3, 1, 3, 2])', [1, 2, 3]],
    ['tostring("hello")', 'hello'],
    ['tonumber("1")', 1],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr)).toEqual(expected);
  });

  it.each([
    ['tobool("yes")', 'tobool: cannot convert "yes" to bool; only the strings "true" or "false" are allowed', '"yes"'],
    ['tobool(1)', 'tobool: cannot convert number to bool', '1'],
    ['setunion(["a"], [1])', 'setunion: all elements of a set must have the same type', '["a"]'],
    ['tomap(["a"])', 'tomap: argument 1 must be a map or object, got list', '["a"]'],
    ['tomap({ a = "x", b = [1] })', 'tomap: cannot convert the object to a map: its values have no common type', '{ a'],
  ])('%s fails: %s', (expr, message, at) => expectError(expr, message, at));
});

describe('numeric functions, and the string and collection functions Terraform has beside those above', () => {
  it.each([
    ['abs(23)', 23],
    ['abs(0)', 0],
    ['abs(-12.4)', 12.4],
    ['ceil(5)', 5],
    ['ceil(5.1)', 6],
    ['ceil(-5.1)', -5],
    ['floor(5)', 5],
    ['floor(4.9)', 4],
    ['floor(-4.1)', -5],
    ['log(50, 10)', 1.6989700043360185],
    ['log(16, 2)', 4],
    ['log(1, 10)', 0],
    ['ceil(log(15, 2))', 4],
    ['pow(3, 2)', 9],
    ['pow(4, 0)', 1],
    ['pow(2, -1)', 0.5],
    ['signum(-13)', -1],
    ['signum(0)', 0],
    ['signum(344)', 1],
    ['parseint("100", 10)', 100],
    ['parseint("FF", 16)', 255],
    ['parseint("ff", 16)', 255],
    ['parseint("-10", 16)', -16],
    ['parseint("+7", 10)', 7],
    ['parseint("11111111", 2)', 255],
    ['parseint("aA", 62)', 656],
    ['parseint("zZ", 62)', 35 * 62 + 61],
    ['trim("?!hello?!", "!?")', 'hello'],
    ['trim("foobar", "far")', 'oob'],
    ['trim("   hello! world.!  ", "! ")', 'hello! world.'],
    ['trim("☃x☃", "☃")', 'x'],
    ['trim("abc", "")', 'abc'],
    ['strrev("hello")', 'olleh'],
    ['strrev("a ☃")', '☃ a'],
    ['strrev("🤔🤷")', '🤷🤔'],
    ['coalescelist(["a", "b"], ["c", "d"])', ['a', 'b']],
    ['coalescelist([], ["c", "d"])', ['c', 'd']],
    ['coalescelist([[], ["c", "d"]]...)', ['c', 'd']],
    ['matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])', ['i-abc', 'i-def']],
    ['matchkeys(["a", "b"], [1, 2], [2, 3])', ['b']],
    ['matchkeys([], [], ["x"])', []],
    ['base64sha256("hello world")', 'uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek='],
    ['base64sha512("hello world")', 'MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=='],
    ['basename("foo/bar/baz.txt")', 'baz.txt'],
    ['basename("foo/bar/")', 'bar'],
    ['basename("")', '.'],
    ['basename("/")', '/'],
    ['dirname("foo/bar/baz.txt")', 'foo/bar'],
    ['dirname("baz.txt")', '.'],
    ['dirname("foo/bar/")', 'foo/bar'],
    ['dirname("/foo")', '/'],
    ['dirname("./a//b/../c.sql")', 'a'],
    ['[for f in ["sql/a.sql", "sql/b.sql"] : trimsuffix(basename(f), ".sql")]', ['a', 'b']],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr)).toEqual(expected);
  });

  it.each([
    ['abs("x")', 'abs: argument 1 expected number, got string', '"x"'],
    ['log(-1, 10)', 'log: the logarithm of -1 is not a number', '-1'],
    ['log(8, 1)', 'log: the logarithm in base 1 is not a number', '1)'],
    ['pow(0, -1)', 'pow: 0 to the power -1 is not a number', 'pow('],
    ['parseint("12", 2)', 'parseint: cannot parse "12" as a base 2 integer', '"12"'],
    ['parseint("", 10)', 'parseint: cannot parse "" as a base 10 integer', '""'],
    ['parseint("1", 63)', 'parseint: base must be a whole number between 2 and 62 inclusive, got 63', '63'],
    ['parseint("1.5", 10)', 'parseint: cannot parse "1.5" as a base 10 integer', '"1.5"'],
    ['coalescelist([], [])', 'coalescelist: every argument is an empty list', 'coalescelist('],
    ['coalescelist("a")', 'coalescelist: argument 1 must be a list, got string', '"a"'],
    ['matchkeys(["a"], [1, 2], [1])', 'matchkeys: the values (1) and the keys (2) must be lists of the same length', '[1, 2]'],
    ['strrev(1 == 1 ? [] : [])', 'strrev: argument 1 must be a string, got list', '1 == 1'],
  ])('%s fails: %s', (expr, message, at) => expectError(expr, message, at));
});

describe('a failing call never shows a sensitive value', () => {
  const prelude = 'variable "s" {\n  default   = "hunter2-secret"\n  sensitive = true\n}\nvariable "m" {\n  default   = { key = "hunter2-secret" }\n  sensitive = true\n}\n';
  /** The errors of `expr` as an output: message and hint, with where they are. */
  const errorsOf = (expr: string) => {
    const r = evalText(`${prelude}output "o" {\n  value     = ${expr}\n  sensitive = true\n}\n`);
    expect(r.config, expr).toBeUndefined();
    return r.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ text: `${d.message} ${d.hint ?? ''}`, at: d.range?.start.line }));
  };

  it.each([
    'tonumber(var.s)',
    'tobool(var.s)',
    'jsondecode(var.s)',
    'jsondecode("[\\"${var.s}")',
    'parseint(var.s, 10)',
    'regex("(${var.s}", "x")',
    'replace("a", "/${var.s}(/", "b")',
    'uuidv5(var.s, "x")',
    'lookup({}, var.s)',
    'file("${var.s}.txt")',
    'fileset(".", "[${var.s}")',
    'templatefile("${var.s}.tpl", {})',
    'yamldecode("${var.s}: [")',
    'format("%d", var.m)',
    '{ a = 1 }[var.s]',
    'var.m["kye"]',
  ])('%s: located, and no part of the value', (expr) => {
    const errors = errorsOf(expr);
    expect(errors.length, expr).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e.at, expr).toBe(10);
      // nor its keys: the name of a sensitive map's key is not suggested
      expect(e.text, expr).not.toMatch(/hunter|secret|"key"/);
    }
  });

  it('an error that does not depend on the value is shown as it is', () => {
    expect(errorsOf('lookup(var.m, "nope")').map((e) => e.text)).toEqual(['lookup: failed to find key "nope" (give a default: lookup(map, "nope", default)) ']);
    expect(errorsOf('tomap(var.s)').map((e) => e.text)).toEqual(['tomap: argument 1 must be a map or object, got string ']);
  });
});

describe('encoding and hashing functions', () => {
  it.each([
    ['base64encode("Hello World")', 'SGVsbG8gV29ybGQ='],
    ['base64decode("SGVsbG8gV29ybGQ=")', 'Hello World'],
    ['base64decode(base64encode("héllo ☃"))', 'héllo ☃'],
    ['urlencode("Hello World!")', 'Hello+World%21'],
    ['urlencode("☃")', '%E2%98%83'],
    ['urlencode("foo:bar@localhost?foo=bar&bar=baz")', 'foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz'],
    ['csvdecode("a,b,c\\n1,2,3\\n4,5,6")', [{ a: '1', b: '2', c: '3' }, { a: '4', b: '5', c: '6' }]],
    ['csvdecode("name,note\\r\\n\\"x, y\\",\\"say \\"\\"hi\\"\\"\\"\\r\\n")', [{ name: 'x, y', note: 'say "hi"' }]],
    ['csvdecode("a,b")', []],
    ['jsonencode({ "hello" = "world" })', '{"hello":"world"}'],
    ['jsonencode({ b = 1, a = "<x>", c = 1e21 })', '{"a":"\\u003cx\\u003e","b":1,"c":1000000000000000000000}'],
    ['jsondecode("{\\"hello\\": \\"world\\"}")', { hello: 'world' }],
    ['jsondecode("true")', true],
    ['yamlencode({ "a" = "b", "c" = "d" })', '"a": "b"\n"c": "d"\n'],
    ['yamlencode({ "foo" = [1, 2, 3], "bar" = "baz" })', '"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n'],
    ['yamlencode({ "foo" = [1, { "a" = "b", "c" = "d" }, 3], "bar" = "baz" })', '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n'],
    ['yamldecode("hello: world")', { hello: 'world' }],
    ['yamldecode("true")', true],
    ['yamldecode("{a: &foo [1, 2, 3], b: *foo}")', { a: [1, 2, 3], b: [1, 2, 3] }],
    ['yamldecode("")', null],
    ['yamldecode("base: &b {x: 1}\\nd:\\n  <<: *b\\n  y: 2")', { base: { x: 1 }, d: { x: 1, y: 2 } }],
    ['yamldecode("a: yes\\nb: 0x10\\nc: \\"1\\"")', { a: 'yes', b: 16, c: '1' }],
    ['yamldecode(yamlencode({ k = ["v", 1, true, null] }))', { k: ['v', 1, true, null] }],
    ['md5("hello world")', '5eb63bbbe01eeed093cb22bb8f5acdc3'],
    ['sha1("hello world")', '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed'],
    ['sha256("hello world")', 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9'],
    ['sha512("hello world")', '309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f'],
    ['uuidv5("dns", "www.terraform.io")', 'a5008fae-b28c-5ba5-96cd-82b4c53552d6'],
    ['uuidv5("url", "https://www.terraform.io/")', '9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5'],
    ['uuidv5("oid", "1.3.6.1.4")', 'af9d40a5-7a36-5c07-b23a-851cd99fbfa5'],
    ['uuidv5("x500", "CN=Example,C=GB")', '84e09961-4aa4-57f8-95b7-03edb1073253'],
    ['uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io")', 'a5008fae-b28c-5ba5-96cd-82b4c53552d6'],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr)).toEqual(expected);
  });

  it.each([
    ['base64decode("not base64!")', 'base64decode: the string is not valid base64 (standard alphabet, with = padding)', '"not'],
    ['base64decode("/w==")', 'base64decode: the result of decoding the provided string is not valid UTF-8', '"/w=="'],
    ['csvdecode("a,b\\n1")', 'csvdecode: CSV parse error on line 2: wrong number of fields', '"a,b'],
    ['csvdecode("a,b\\n1,x\\"y")', 'csvdecode: CSV parse error on line 2: bare " in non-quoted-field', '"a,b'],
    ['csvdecode("")', 'csvdecode: missing header line', '""'],
    ['csvdecode("a,a\\n1,2")', 'csvdecode: duplicate column name "a"', '"a,a'],
    ['uuidv5("foo", "x")', 'uuidv5: namespace must be "dns", "url", "oid", "x500" or a UUID, got "foo"', '"foo"'],
    ['yamldecode("a: 1\\n---\\nb: 2")', 'yamldecode: the string holds more than one YAML document', '"a: 1'],
    ['yamldecode("a: *nope")', 'yamldecode: Unresolved alias (the anchor must be set before the alias): nope', '"a: *nope"'],
    ['yamldecode("{a: &x [1, *x]}")', 'yamldecode: an alias refers to the collection that contains it (a value cannot contain itself)', '"{a:'],
    ['yamldecode("a: 1\\na: 2")', 'yamldecode: Map keys must be unique (line 2, column 1 of the YAML)', '"a: 1'],
    ['md5(["a"])', 'md5: argument 1 must be a string, got list', '["a"]'],
  ])('%s fails: %s', (expr, message, at) => expectError(expr, message, at));
});

describe('file functions, confined to the configuration directory', () => {
  const dir = tempDir({ 'files/hello.txt': 'hi', 'files/world.txt': '', 'files/sub/deep.txt': '', 'other/x.txt': '', 'other/y.md': '' });
  const outside = tempDir({ 'secret.txt': 'no' });
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'files/link.txt'));
  symlinkSync(join(dir, 'files/hello.txt'), join(dir, 'other/inner.txt'));

  it.each([
    ['fileexists("files/hello.txt")', true],
    ['fileexists("files/nope.txt")', false],
    ['fileexists("files/hello.txt/x")', false],
    ['fileset(".", "files/*.txt")', ['files/hello.txt', 'files/world.txt']],
    ['fileset(".", "{files,other}/*.txt")', ['files/hello.txt', 'files/world.txt', 'other/inner.txt', 'other/x.txt']],
    ['fileset("files", "**")', ['hello.txt', 'sub/deep.txt', 'world.txt']],
    ['fileset(".", "**/*.md")', ['other/y.md']],
    ['fileset(".", "files/sub/*.txt")', ['files/sub/deep.txt']],
    ['fileset(".", "*.txt")', []],
    ['fileset(".", "../*")', []],
    ['fileset(".", "files/[hw]????.txt")', ['files/hello.txt', 'files/world.txt']],
    ['fileset("nope", "*")', []],
    ['file("other/inner.txt")', 'hi'],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr, '', { dir })).toEqual(expected);
  });

  it.each([
    ['fileexists("files")', 'fileexists: "files" is not a regular file (a directory)', '"files"'],
    ['fileexists("../x")', 'fileexists: "../x" is outside the configuration directory (paths are relative to it and must stay inside it)', '"../x"'],
    ['fileset("..", "*")', 'fileset: ".." is outside the configuration directory (paths are relative to it and must stay inside it)', '".."'],
    ['fileset(".", "files/[a")', 'fileset: invalid pattern "files/[a": unclosed [', '"files/[a"'],
    ['fileset(".", "{a,b")', 'fileset: invalid pattern "{a,b": unclosed {', '"{a,b"'],
    ['file("/etc/hostname")', 'file: "/etc/hostname" is outside the configuration directory (paths are relative to it and must stay inside it)', '"/etc'],
    ['file("files/link.txt")', 'file: "files/link.txt" is outside the configuration directory (paths are relative to it and must stay inside it)', '"files/link.txt"'],
    ['file("../secret.txt")', 'file: "../secret.txt" is outside the configuration directory (paths are relative to it and must stay inside it)', '"../secret.txt"'],
  ])('%s fails: %s', (expr, message, at) => expectError(expr, message, at, { dir }));
});
