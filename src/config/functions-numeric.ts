// Terraform's numeric functions: abs, ceil, floor, log, pow, signum, parseint. Numbers are
// 64-bit floating point (docs/language.md, "Where xp differs from Terraform"); a result that
// is not a finite number (log of a negative, 0 to a negative power) is an error at the call.
import { FunctionError, num, str, type FunctionDef } from './function-args.js';

const one = (fn: string, f: (n: number) => number): FunctionDef => ({
  arity: [1, 1],
  signature: `${fn}(number)`,
  impl: (a) => f(num(a, 0, fn)) + 0, // + 0: no -0
});

/** The value of each digit character in a base up to 62 (Go's big.Int.SetString). */
function digit(c: string, base: number): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 97 + 10;
  if (code >= 65 && code <= 90) return base <= 36 ? code - 65 + 10 : code - 65 + 36;
  return Infinity;
}

export const numericFunctions: Record<string, FunctionDef> = {
  abs: one('abs', Math.abs),
  ceil: one('ceil', Math.ceil),
  floor: one('floor', Math.floor),
  signum: one('signum', Math.sign),
  log: {
    arity: [2, 2],
    signature: 'log(number, base)',
    impl(a) {
      const n = num(a, 0, 'log');
      const base = num(a, 1, 'log');
      if (n < 0) throw new FunctionError(`log: the logarithm of ${n} is not a number`, 0);
      const r = Math.log(n) / Math.log(base);
      if (Number.isNaN(r) || !Number.isFinite(r)) throw new FunctionError(`log: the logarithm in base ${base} is not a number`, 1);
      return r + 0;
    },
  },
  pow: {
    arity: [2, 2],
    signature: 'pow(base, exponent)',
    impl(a) {
      const base = num(a, 0, 'pow');
      const exp = num(a, 1, 'pow');
      const r = Math.pow(base, exp);
      if (!Number.isFinite(r)) throw new FunctionError(`pow: ${base} to the power ${exp} is not a number`);
      return r;
    },
  },
  parseint: {
    arity: [2, 2],
    signature: 'parseint(string, base)',
    impl(a) {
      const s = str(a, 0, 'parseint');
      const base = num(a, 1, 'parseint');
      if (!Number.isInteger(base) || base < 2 || base > 62) throw new FunctionError(`parseint: base must be a whole number between 2 and 62 inclusive, got ${base}`, 1);
      const sign = s.startsWith('-') ? -1n : 1n;
      const digits = s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s;
      let n = 0n;
      for (const c of digits) {
        const d = digit(c, base);
        if (d >= base) throw new FunctionError(`parseint: cannot parse "${s}" as a base ${base} integer`, 0);
        n = n * BigInt(base) + BigInt(d);
      }
      if (digits === '') throw new FunctionError(`parseint: cannot parse "${s}" as a base ${base} integer`, 0);
      return Number(sign * n) + 0;
    },
  },
};
