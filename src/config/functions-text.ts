// String functions and regular expressions, with Terraform's semantics. Patterns are RE2, as
// in Terraform (Go's regexp), through re2js: the same syntax (`(?P<name>…)`, `\z`, `(?i)`),
// the same refusals (no lookaround, no backreferences) and linear-time matching.
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { FunctionError, num, str, type FunctionDef } from './function-args.js';
import type { EvalValue } from './values.js';

/** The longest string a function builds from a count (indent): far beyond any real use. */
const MAX_LENGTH = 10_000_000;

let segmenter: Intl.Segmenter | undefined;
/** User-perceived characters (grapheme clusters): what substr and format count. */
export function graphemes(s: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

/** A whole-number argument (Terraform converts such arguments to a Go int). */
export function int(a: EvalValue[], i: number, fn: string): number {
  const n = num(a, i, fn);
  if (!Number.isInteger(n)) throw new FunctionError(`${fn}: argument ${i + 1} must be a whole number, got ${n}`, i);
  return n;
}

// loaded on first use: the engine takes longer to load than a whole `xp validate` of a small configuration
let engine: typeof RE2JS | undefined;
const re2 = () => (engine ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS);

const compiled = new Map<string, RE2JS>();

/** Compiles an RE2 pattern, or fails at argument `i` with RE2's reason. */
export function compileRegex(pattern: string, fn: string, i: number): RE2JS {
  let re = compiled.get(pattern);
  if (re) return re;
  try {
    re = re2().compile(pattern);
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /, '');
    // what JavaScript and PCRE accept and RE2 does not, said plainly
    const hint = /\(\?<?[=!]/.test(pattern)
      ? ' (RE2, the syntax of Terraform, has no lookahead or lookbehind)'
      : /invalid escape sequence: `\\[1-9]/.test(why)
        ? ' (RE2, the syntax of Terraform, has no backreferences)'
        : '';
    throw new FunctionError(`${fn}: invalid regexp pattern: ${why}${hint}`, i);
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

/** Capture groups of one match: index 0 the whole match; null for a group that did not take part. */
type Match = { start: number; end: number; groups: (string | null)[] };

/** Every non-overlapping match, as Go finds them: no empty match right after the previous match. */
export function allMatches(re: RE2JS, s: string): Match[] {
  const m = re.matcher(s);
  const n = re.groupCount();
  const out: Match[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && m.find(pos)) {
    const start = m.start();
    const end = m.end();
    if (!(end === start && start === prevEnd)) {
      const groups: (string | null)[] = [];
      for (let g = 0; g <= n; g++) groups.push(m.group(g) ?? null);
      out.push({ start, end, groups });
    }
    prevEnd = end;
    const width = s.codePointAt(pos)! > 0xffff ? 2 : 1;
    pos = end > pos ? end : pos + width;
  }
  return out;
}

/** The value of a match as regex()/regexall() return it: the whole match, a list or an object of groups. */
function matchShape(re: RE2JS, fn: string): (m: Match) => EvalValue {
  const named = re.namedGroups();
  const names = Object.keys(named);
  const count = re.groupCount();
  if (count === 0) return (m) => m.groups[0]!;
  if (names.length > 0 && names.length < count) {
    throw new FunctionError(`${fn}: invalid regexp pattern: cannot mix both named and unnamed capture groups`, 0);
  }
  if (names.length === 0) return (m) => m.groups.slice(1);
  return (m) => {
    const o: { [k: string]: EvalValue } = {};
    for (const k of names) o[k] = m.groups[named[k]!] ?? null;
    return o;
  };
}

/** Go's regexp Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; a group that is missing expands to nothing. */
export function expandTemplate(template: string, re: RE2JS, groups: (string | null)[]): string {
  const named = re.namedGroups();
  return template.replace(/\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (all, braced?: string, bare?: string) => {
    if (all === '$$') return '$';
    const name = (braced ?? bare)!;
    const index = /^[0-9]+$/.test(name) ? Number(name) : named[name];
    return index !== undefined && index < groups.length ? (groups[index] ?? '') : '';
  });
}

/** Like Go's strings.TrimSpace (Unicode white space, not U+FEFF). */
const SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const LEADING_SPACE = new RegExp(`^[${SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${SPACE}]+$`);

/** Go's strings.Title: the first letter of each word upper-cased (words end at spaces and ASCII punctuation). */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const c of s) {
    out += isSeparator(prev) ? c.toUpperCase() : c;
    prev = c;
  }
  return out;
}
function isSeparator(c: string): boolean {
  if (c.codePointAt(0)! <= 0x7f) return !/[A-Za-z0-9_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return new RegExp(`^[${SPACE}]$`).test(c);
}

export const textFunctions: Record<string, FunctionDef> = {
  trimprefix: {
    arity: [2, 2],
    signature: 'trimprefix(string, prefix)',
    impl(a) {
      const s = str(a, 0, 'trimprefix');
      const p = str(a, 1, 'trimprefix');
      return s.startsWith(p) ? s.slice(p.length) : s;
    },
  },
  trimsuffix: {
    arity: [2, 2],
    signature: 'trimsuffix(string, suffix)',
    impl(a) {
      const s = str(a, 0, 'trimsuffix');
      const p = str(a, 1, 'trimsuffix');
      return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
    },
  },
  trimspace: {
    arity: [1, 1],
    signature: 'trimspace(string)',
    impl: (a) => str(a, 0, 'trimspace').replace(LEADING_SPACE, '').replace(TRAILING_SPACE, ''),
  },
  chomp: {
    arity: [1, 1],
    signature: 'chomp(string)',
    impl: (a) => str(a, 0, 'chomp').replace(/(?:\r\n?|\n)*$/, ''),
  },
  startswith: {
    arity: [2, 2],
    signature: 'startswith(string, prefix)',
    impl: (a) => str(a, 0, 'startswith').startsWith(str(a, 1, 'startswith')),
  },
  endswith: {
    arity: [2, 2],
    signature: 'endswith(string, suffix)',
    impl: (a) => str(a, 0, 'endswith').endsWith(str(a, 1, 'endswith')),
  },
  strcontains: {
    arity: [2, 2],
    signature: 'strcontains(string, substr)',
    impl: (a) => str(a, 0, 'strcontains').includes(str(a, 1, 'strcontains')),
  },
  title: { arity: [1, 1], signature: 'title(string)', impl: (a) => title(str(a, 0, 'title')) },
  trim: {
    arity: [2, 2],
    signature: 'trim(string, characters)',
    impl(a) {
      // Go's strings.Trim: every leading and trailing character that is in the set
      const chars = [...str(a, 0, 'trim')];
      const set = new Set(str(a, 1, 'trim'));
      let from = 0;
      let to = chars.length;
      while (from < to && set.has(chars[from]!)) from++;
      while (to > from && set.has(chars[to - 1]!)) to--;
      return chars.slice(from, to).join('');
    },
  },
  strrev: { arity: [1, 1], signature: 'strrev(string)', impl: (a) => graphemes(str(a, 0, 'strrev')).reverse().join('') },
  indent: {
    arity: [2, 2],
    signature: 'indent(spaces, string)',
    impl(a) {
      const n = int(a, 0, 'indent');
      if (n < 0) throw new FunctionError(`indent: argument 1 must not be negative, got ${n}`, 0);
      const lines = str(a, 1, 'indent').split('\n');
      if (n * (lines.length - 1) > MAX_LENGTH) throw new FunctionError(`indent: the result would be longer than ${MAX_LENGTH.toLocaleString('en')} characters`, 0);
      return lines.length === 1 ? lines[0]! : lines.join(`\n${' '.repeat(n)}`);
    },
  },
  substr: {
    arity: [3, 3],
    signature: 'substr(string, offset, length)',
    impl(a) {
      const chars = graphemes(str(a, 0, 'substr'));
      let offset = int(a, 1, 'substr');
      const length = int(a, 2, 'substr');
      if (offset < 0) offset += chars.length;
      else if (length === 0) return '';
      const from = Math.max(offset, 0);
      if (from >= chars.length) return '';
      // a length of 0 after a negative offset takes the rest, as Terraform does
      return chars.slice(from, length <= 0 ? undefined : from + length).join('');
    },
  },
  regex: {
    arity: [2, 2],
    signature: 'regex(pattern, string)',
    impl(a) {
      const re = compileRegex(str(a, 0, 'regex'), 'regex', 0);
      const shape = matchShape(re, 'regex');
      const s = str(a, 1, 'regex');
      const [first] = allMatches(re, s);
      if (!first) throw new FunctionError('regex: pattern did not match any part of the given string (regexall() returns [] instead)', 1);
      return shape(first);
    },
  },
  regexall: {
    arity: [2, 2],
    signature: 'regexall(pattern, string)',
    impl(a) {
      const re = compileRegex(str(a, 0, 'regexall'), 'regexall', 0);
      const shape = matchShape(re, 'regexall');
      return allMatches(re, str(a, 1, 'regexall')).map(shape);
    },
  },
};
