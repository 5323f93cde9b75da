// Every built-in function: results, and the errors of wrong calls.
import { describe, expect, it } from 'vitest';
import { errorsOf, tempDir, valueOf } from './fixture.js';

describe('functions', () => {
  it.each([
    ['env("HOME_X")', '/home/x'],
    ['env("NOPE", "fallback")', 'fallback'],
    ['lower("AbC")', 'abc'],
    ['upper("AbC")', 'ABC'],
    ['replace("a-b-c", "-", "_")', 'a_b_c'],
    ['replace("tenant42", "/[0-9]+/", "_n")', 'tenant_n'],
    ['replace("ab", "/(a)(b)/", "$2$1")', 'ba'],
    ['format("%s_%d of %q %v%%", "app", 3, "x", true)', 'app_3 of "x" true%'],
    ['format("%f", 1)', '1.000000'],
    ['join(", ", ["a", "b", 3])', 'a, b, 3'],
    ['split(",", "a,b,,c")', ['a', 'b', '', 'c']],
    ['split(",", "")', []],
    ['concat(["a"], [], ["b", "c"])', ['a', 'b', 'c']],
    ['merge({ a = 1, b = 2 }, { b = 3 }, null)', { a: 1, b: 3 }],
    ['length("héllo")', 5],
    ['length([1, 2])', 2],
    ['length({ a = 1 })', 1],
    ['keys({ b = 1, a = 2 })', ['a', 'b']],
    ['values({ b = 1, a = 2 })', [2, 1]],
    ['contains(["a", "b"], "b")', true],
    ['contains([1, 2], 3)', false],
    ['coalesce(null, "", "x", "y")', 'x'],
    ['toset(["b", "a", "b"])', ['a', 'b']],
    ['tolist(toset(["b", "a"]))', ['a', 'b']],
    ['tostring(42)', '42'],
    ['tostring(true)', 'true'],
    ['tonumber("4.5")', 4.5],
    ['range(3)', [0, 1, 2]],
    ['range(1, 7, 2)', [1, 3, 5]],
    ['range(3, 0, -1)', [3, 2, 1]],
    ['jsonencode({ a = [1, "x", null, true] })', '{"a":[1,"x",null,true]}'],
    ['jsondecode("{\\"a\\": [1, 2]}")', { a: [1, 2] }],
    ['jsondecode(jsonencode({ k = "v" })).k', 'v'],
  ])('%s', (expr, expected) => {
    expect(valueOf(expr, '', { env: { HOME_X: '/home/x' } })).toEqual(expected);
  });

  it('file() reads relative to the configuration directory', () => {
    const dir = tempDir({ 'motd.txt': 'hello\n' });
    expect(valueOf('file("motd.txt")', '', { dir })).toBe('hello\n');
  });

  it.each([
    ['env("NOPE")', 'env: environment variable "NOPE" is not set (give a default: env("NOPE", "…"))'],
    ['file("missing.txt")', 'file: cannot read "missing.txt": ENOENT'],
    ['lower(1, 2)', 'lower: expected 1 argument, got 2 (lower(string))'],
    ['upper()', 'upper: expected 1 argument, got 0 (upper(string))'],
    ['upper(["a"])', 'upper: argument 1 must be a string, got list'],
    ['replace("a", "", "b")', 'replace: the substring to replace must not be empty'],
    ['replace("a", "/(/", "b")', 'replace: invalid regexp pattern: missing closing ): `(`'],
    ['format("%s %s", "a")', 'format: not enough arguments for "%s" at offset 3: it needs argument 2, 1 given'],
    ['format("%s", "a", "b")', 'format: too many arguments for "%s" (2 given, 1 used)'],
    ['format("%d", "x")', 'format: unsupported value for "%d" at offset 0: number required, got string'],
    ['format("%z", 1)', "format: unsupported format verb 'z' in \"%z\" at offset 0 (the verbs: %v %t %s %q %d %b %o %x %X %e %E %f %g %G)"],
    ['join(",", "a")', 'join: argument 2 must be a list, got string'],
    ['join(",", [["a"]])', 'join: element 0 of argument 2 must be a string, got list'],
    ['split(1)', 'split: expected 2 arguments, got 1 (split(separator, string))'],
    ['concat(["a"], "b")', 'concat: argument 2 must be a list, got string'],
    ['merge({}, [1])', 'merge: argument 2 must be a map or object, got list'],
    ['length(1)', 'length: argument 1 must be a list, map or string, got number'],
    ['keys([1])', 'keys: argument 1 must be a map or object, got list'],
    ['values("x")', 'values: argument 1 must be a map or object, got string'],
    ['contains("ab", "a")', 'contains: argument 1 must be a list, got string'],
    ['coalesce(null, "")', 'coalesce: every argument is null or an empty string'],
    ['toset("a")', 'toset: argument 1 must be a list, got string'],
    ['tolist({})', 'tolist: argument 1 must be a list, got object'],
    ['tostring([1])', 'tostring: argument 1 must be a string, got list'],
    ['tonumber("x1")', 'tonumber: cannot convert "x1" to a number'],
    ['range(0, 3, 0)', 'range: step must not be zero'],
    ['range("a")', 'range: argument 1 expected number, got string'],
    ['lenght([1])', 'unknown function "lenght"'],
  ])('%s fails: %s', (expr, message) => {
    expect(errorsOf(`output "o" { value = ${expr} }`)).toEqual([message]);
  });

  it('jsondecode reports invalid JSON', () => {
    expect(errorsOf('output "o" { value = jsondecode("{") }')).toEqual([expect.stringMatching(/^jsondecode: invalid JSON: /)]);
  });
});
