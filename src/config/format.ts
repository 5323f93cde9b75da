// `format` and `formatlist`: Terraform's verbs, which are Go's fmt verbs as cty applies them
// (flags `0 # - + space`, width, precision, explicit argument indexes `%[2]s`). Numbers are
// formatted from the exact binary value of the JS number, with Go's rounding (half to even on
// an exact tie), so `%.2f`, `%e` and `%g` print what Terraform prints for the same literal.
// Widths and string precisions count grapheme clusters, as Terraform does.
import { convert } from './type-constraints.js';
import { BOOL, NUMBER, STRING } from '../model/type-spec.js';
import { graphemes } from './functions-text.js';
import { isObject, typeOfValue, type EvalValue } from './values.js';

/** A format failure; `argument` is the 0-based index among the values (not the spec). */
export class FormatError extends Error {
  constructor(
    message: string,
    readonly argument?: number,
  ) {
    super(message);
  }
}

interface Verb {
  raw: string;
  /** Offset of the `%` in the spec, in characters (code points). */
  offset: number;
  argNum: number;
  mode: string;
  zero: boolean;
  sharp: boolean;
  plus: boolean;
  minus: boolean;
  space: boolean;
  /** -1 when not given. */
  width: number;
  prec: number;
}

/** Go's fmt refuses widths and precisions above a million too. */
const MAX_WIDTH = 1_000_000;

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);
const quoteChar = (c: string) => `'${c}'`;

/** Formats `values` by `spec`; throws FormatError. */
export function formatValues(spec: string, values: readonly EvalValue[]): string {
  const cs = Array.from(spec); // code points, so offsets count characters
  let out = '';
  let nextArg = 1;
  let highest = 0;
  let p = 0;
  while (p < cs.length) {
    const c = cs[p]!;
    if (c !== '%') {
      out += c;
      p++;
      continue;
    }
    if (cs[p + 1] === '%') {
      out += '%';
      p += 2;
      continue;
    }
    const start = p++;
    const verb: Verb = { raw: '', offset: start, argNum: nextArg, mode: '', zero: false, sharp: false, plus: false, minus: false, space: false, width: -1, prec: -1 };
    for (;;) {
      const f = cs[p];
      if (f === '0') verb.zero = true;
      else if (f === '#') verb.sharp = true;
      else if (f === '-') verb.minus = true;
      else if (f === '+') verb.plus = true;
      else if (f === ' ') verb.space = true;
      else break;
      p++;
    }
    if (isDigit(cs[p])) {
      verb.width = 0;
      while (isDigit(cs[p])) verb.width = verb.width * 10 + Number(cs[p++]);
    }
    if (cs[p] === '.') {
      p++;
      verb.prec = 0;
      while (isDigit(cs[p])) verb.prec = verb.prec * 10 + Number(cs[p++]);
    }
    if (cs[p] === '[') {
      p++;
      if (!isDigit(cs[p]) || cs[p] === '0') throw unrecognized(cs, p);
      verb.argNum = 0;
      while (isDigit(cs[p])) verb.argNum = verb.argNum * 10 + Number(cs[p++]);
      if (cs[p] !== ']') throw unrecognized(cs, p);
      p++;
    }
    if (verb.width > MAX_WIDTH || verb.prec > MAX_WIDTH) {
      throw new FormatError(`${verb.width > MAX_WIDTH ? 'width' : 'precision'} too large at offset ${start}: at most ${MAX_WIDTH.toLocaleString('en')}`);
    }
    if (!isLetter(cs[p])) throw unrecognized(cs, p);
    verb.mode = cs[p++]!;
    verb.raw = cs.slice(start, p).join('');
    highest = Math.max(highest, verb.argNum);
    out += formatOne(verb, values);
    nextArg = verb.argNum + 1;
  }
  if (highest < values.length) {
    throw new FormatError(
      highest === 0
        ? `too many arguments for "${spec}": it has no verbs (${values.length} given)`
        : `too many arguments for "${spec}" (${values.length} given, ${highest} used)`,
      highest,
    );
  }
  return out;
}

function unrecognized(cs: string[], p: number): FormatError {
  if (p >= cs.length) return new FormatError(`invalid format string: the verb at the end of "${cs.join('')}" is incomplete (write %% for a literal %)`);
  return new FormatError(`unrecognized format character ${quoteChar(cs[p]!)} at offset ${p}`);
}

const VERBS = '%v %t %s %q %d %b %o %x %X %e %E %f %g %G';

function formatOne(verb: Verb, values: readonly EvalValue[]): string {
  const i = verb.argNum - 1;
  if (i >= values.length) {
    throw new FormatError(`not enough arguments for "${verb.raw}" at offset ${verb.offset}: it needs argument ${verb.argNum}, ${values.length} given`);
  }
  const v = values[i]!;
  const bad = (why: string) => new FormatError(`unsupported value for "${verb.raw}" at offset ${verb.offset}: ${why}`, i);
  if (verb.mode !== 'v' && v === null) throw bad('null value cannot be formatted');
  switch (verb.mode) {
    case 'v':
      if (!verb.sharp && typeof v === 'string') return pad(verb, v);
      if (!verb.sharp && typeof v === 'number') return pad(verb, formatFloat(v, 'g', -1));
      return pad(verb, goJSON(v));
    case 't': {
      const b = convert(v, BOOL);
      if (!b.ok || typeof b.value !== 'boolean') throw bad(`bool required, got ${describe(v)}`);
      return String(b.value);
    }
    case 'b':
    case 'd':
    case 'o':
    case 'x':
    case 'X':
    case 'e':
    case 'E':
    case 'f':
    case 'g':
    case 'G': {
      const n = typeof v === 'boolean' ? undefined : convert(v, NUMBER);
      if (!n || !n.ok || typeof n.value !== 'number') throw bad(`number required, got ${describe(v)}`);
      if ('bdoxX'.includes(verb.mode)) {
        if (!Number.isInteger(n.value)) throw bad(`an integer is required, got ${n.value}`);
        return formatInteger(verb, n.value);
      }
      return padNumber(verb, formatFloat(Math.abs(n.value), verb.mode, verb.prec), n.value < 0 || Object.is(n.value, -0), !Number.isFinite(n.value));
    }
    case 's':
    case 'q': {
      const s = typeof v === 'object' && v !== null ? undefined : convert(v, STRING);
      if (!s || !s.ok || typeof s.value !== 'string') throw bad(`string required, got ${describe(v)}`);
      let str = s.value;
      if (verb.prec > 0) str = graphemes(str).slice(0, verb.prec).join('');
      return pad(verb, verb.mode === 'q' ? goJSONString(str) : str);
    }
    default:
      throw new FormatError(`unsupported format verb ${quoteChar(verb.mode)} in "${verb.raw}" at offset ${verb.offset} (the verbs: ${VERBS})`);
  }
}

const describe = (v: EvalValue) => (Array.isArray(v) || isObject(v) ? typeOfValue(v) : typeof v === 'boolean' || typeof v === 'number' ? `${typeOfValue(v)} ${String(v)}` : typeOfValue(v));

/** Width padding of strings and %v (cty's rule: `0` pads with zeros, `-` on the right). */
function pad(verb: Verb, s: string): string {
  if (verb.width < 0) return s;
  const n = graphemes(s).length;
  if (n >= verb.width) return s;
  const fill = (verb.zero ? '0' : ' ').repeat(verb.width - n);
  return verb.minus ? s + fill : fill + s;
}

/** Go's big.Int formatting: [left pad][sign][prefix][zero pad][digits][right pad]. */
function formatInteger(verb: Verb, x: number): string {
  const base = verb.mode === 'b' ? 2 : verb.mode === 'o' ? 8 : verb.mode === 'd' ? 10 : 16;
  const big = BigInt(x);
  const neg = big < 0n;
  let digits = (neg ? -big : big).toString(base);
  if (verb.mode === 'X') digits = digits.toUpperCase();
  const sign = neg ? '-' : verb.plus ? '+' : verb.space ? ' ' : '';
  const prefix = !verb.sharp ? '' : verb.mode === 'b' ? '0b' : verb.mode === 'o' ? '0' : verb.mode === 'x' ? '0x' : verb.mode === 'X' ? '0X' : '';
  let zeros = 0;
  if (verb.prec >= 0) {
    if (digits.length < verb.prec) zeros = verb.prec - digits.length;
    else if (digits === '0' && verb.prec === 0) return ''; // Go prints nothing for a zero with precision 0
  }
  let left = 0;
  let right = 0;
  const length = sign.length + prefix.length + zeros + digits.length;
  if (verb.width > length) {
    const d = verb.width - length;
    if (verb.minus) right = d;
    else if (verb.zero && verb.prec < 0) zeros = d;
    else left = d;
  }
  return ' '.repeat(left) + sign + prefix + '0'.repeat(zeros) + digits + ' '.repeat(right);
}

/** Go's big.Float padding: the sign first, then zeros (`0` flag) or spaces. */
function padNumber(verb: Verb, body: string, negative: boolean, infinite: boolean): string {
  const sign = negative ? '-' : infinite ? (verb.space ? ' ' : '+') : verb.plus ? '+' : verb.space ? ' ' : '';
  const padding = verb.width > sign.length + body.length ? verb.width - sign.length - body.length : 0;
  if (verb.zero && !infinite) return sign + '0'.repeat(padding) + body;
  if (verb.minus) return sign + body + ' '.repeat(padding);
  return ' '.repeat(padding) + sign + body;
}

/** Decimal digits of a non-negative number: value = 0.digits × 10^dp (no trailing zeros). */
interface Decimal {
  digits: string;
  dp: number;
}

/** The exact decimal expansion of a finite non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let s: string;
  let dp: number;
  if (exp >= 0) {
    s = (mant << BigInt(exp)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-exp)).toString();
    dp = s.length + exp;
  }
  return trim({ digits: s, dp });
}

/** The shortest decimal that reads back as the same double (what Go's precision -1 means). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const [m, e] = x.toExponential().split('e') as [string, string];
  return trim({ digits: m.replace('.', ''), dp: Number(e) + 1 });
}

function trim(d: Decimal): Decimal {
  const digits = d.digits.replace(/0+$/, '');
  return { digits, dp: digits === '' ? 0 : d.dp };
}

/** Rounds to `n` digits, half to even on an exact tie (Go's decimal rounding). */
function round(d: Decimal, n: number): Decimal {
  if (n < 0 || n >= d.digits.length) return d;
  const next = d.digits.charCodeAt(n) - 48;
  const up = next > 5 || (next === 5 && (n + 1 < d.digits.length || (n > 0 && (d.digits.charCodeAt(n - 1) - 48) % 2 === 1)));
  if (!up) return trim({ digits: d.digits.slice(0, n), dp: d.dp });
  let i = n - 1;
  while (i >= 0 && d.digits[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  return trim({ digits: d.digits.slice(0, i) + String.fromCharCode(d.digits.charCodeAt(i) + 1), dp: d.dp });
}

const digitAt = (d: Decimal, i: number) => (i >= 0 && i < d.digits.length ? d.digits[i]! : '0');

function fmtE(d: Decimal, prec: number, upper: boolean): string {
  let s = d.digits === '' ? '0' : d.digits[0]!;
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(d, i);
  }
  const exp = d.digits === '' ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return `${s}${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

function fmtF(d: Decimal, prec: number): string {
  let s = '';
  if (d.dp > 0) for (let i = 0; i < d.dp; i++) s += digitAt(d, i);
  else s = '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(d, d.dp + i - 1);
  }
  return s;
}

/** `%e %E %f %g %G` of a non-negative number (the sign is added by the caller); prec -1 = default. */
export function formatFloat(x: number, mode: string, prec: number): string {
  if (!Number.isFinite(x)) return 'Inf';
  const upper = mode === 'E' || mode === 'G';
  switch (mode) {
    case 'e':
    case 'E': {
      const p = prec < 0 ? 6 : prec;
      return fmtE(round(exactDecimal(x), p + 1), p, upper);
    }
    case 'f': {
      const p = prec < 0 ? 6 : prec;
      const d = exactDecimal(x);
      return fmtF(round(d, d.dp + p), p);
    }
    default: {
      // 'g', 'G'; precision -1 means the shortest representation
      const shortest = prec < 0;
      let p = prec === 0 ? 1 : prec;
      const d = shortest ? shortestDecimal(x) : round(exactDecimal(x), p);
      if (shortest) p = d.digits.length;
      let eprec = p;
      if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (d.digits !== '' && (exp < -4 || exp >= eprec)) return fmtE(d, Math.min(p, Math.max(d.digits.length, 1)) - 1, upper);
      if (p > d.dp) p = d.digits.length;
      return fmtF(d, Math.max(p - d.dp, 0));
    }
  }
}

/** A number as JSON writes it in Terraform: plain decimal, no exponent. */
export function plainNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const d = shortestDecimal(Math.abs(x));
  return (x < 0 ? '-' : '') + fmtF(d, Math.max(d.digits.length - d.dp, 0));
}

/** A string as Go's encoding/json writes it (HTML-sensitive characters escaped). */
export function goJSONString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value as Terraform's JSON encoding writes it: keys sorted, numbers plain, HTML escaped. */
export function goJSON(v: EvalValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goJSONString(v);
  if (typeof v === 'number') return plainNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${goJSONString(k)}:${goJSON(v[k]!)}`)
      .join(',')}}`;
  }
  const s = convert(v, STRING);
  return s.ok && typeof s.value === 'string' ? goJSONString(s.value) : 'null';
}
