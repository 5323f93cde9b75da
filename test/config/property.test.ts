// Whatever expression a configuration holds, evaluation answers with a value or diagnostics,
// never an exception (no stack trace for a configuration mistake).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { functionNames } from '../../src/config/expressions.js';
import { evalText } from './fixture.js';

const atom = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map(String),
  fc.constantFrom('"a"', '""', '"5"', 'true', 'false', 'null', '"x-${1}"', '[]', '{}'),
  fc.constantFrom('var.list', 'var.map', 'var.secret', 'local.l', 'role.r', 'role.r.name', 'role.many', 'role.many[0]'),
  fc.constantFrom('service_account.sa.password', 'service_account.sa', 'each.key', 'count.index', 'nosuch', 'var.nosuch'),
);

const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '==', '!=', '<', '>=', '&&', '||'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(fc.constantFrom(...functionNames), fc.array(tie('e'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.array(tie('e'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    fc.tuple(tie('e'), tie('e')).map(([k, v]) => `{ k = ${k}, v = ${v} }`),
    fc.tuple(tie('e'), tie('e')).map(([o, i]) => `${o}[${i}]`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    tie('e').map((c) => `[for x in ${c} : x]`),
    tie('e').map((c) => `"\${${c}}!"`),
    tie('e').map((c) => `!${c}`),
    tie('e').map((c) => `${c}[*].k`),
    tie('e').map((c) => `${c}.*`),
    fc.tuple(tie('e'), tie('e')).map(([c, a]) => `"%{ if ${c} }\${${a}}%{ else }-%{ endif }"`),
    fc.tuple(tie('e'), tie('e')).map(([c, a]) => `"%{ for i, x in ${c} ~} \${${a}} %{~ endfor }"`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `try(${a}, ${b})`),
    tie('e').map((a) => `can(${a})`),
  ),
})).e;

const prelude = `
variable "list" { default = ["a", "b"] }
variable "map" { default = { a = 1 } }
variable "secret" {
  default   = "s"
  sensitive = true
}
locals { l = [1, 2] }
role "r" {}
role "many" {
  count = 2
  name  = "many_\${count.index}"
}
service_account "sa" { database = "d" }
`;

describe('evaluation never throws', () => {
  it('for any expression in a resource attribute, for_each, local or output', () => {
    fc.assert(
      fc.property(expr, fc.constantFrom('comment', 'for_each', 'count', 'member_of', 'name'), (e, attr) => {
        const r = evalText(`${prelude}\nrole "t" {\n  ${attr} = ${e}\n}\nlocals { z = ${e} }\noutput "o" {\n  value = ${e}\n  sensitive = true\n}\n`);
        for (const d of r.diagnostics) {
          expect(d.message).not.toBe('');
          if (d.severity === 'error') expect(d.range).toBeDefined();
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('conditions never throw, and never show a sensitive value', () => {
  const withSelf = fc.oneof(expr, fc.constantFrom('self', 'self.name', 'self.comment', 'self.nosuch', 'var.pw'));
  it('for any expression as a validation, a precondition (of a resource, of an output) or a postcondition', () => {
    fc.assert(
      fc.property(withSelf, withSelf, (c, m) => {
        const r = evalText(
          `${prelude}\nvariable "pw" {\n  default   = "hunter2-secret"\n  sensitive = true\n  validation {\n    condition     = ${c}\n    error_message = ${m}\n  }\n}\n` +
            `role "t" {\n  lifecycle {\n    precondition {\n      condition     = ${c}\n      error_message = ${m}\n    }\n    postcondition {\n      condition     = ${c}\n      error_message = ${m}\n    }\n  }\n}\n` +
            `output "c" {\n  value = 1\n  precondition {\n    condition     = ${c}\n    error_message = ${m}\n  }\n}\n`,
        );
        for (const d of r.diagnostics) {
          expect(d.message).not.toBe('');
          if (d.severity === 'error') expect(d.range).toBeDefined();
          if (/^(invalid value for variable|precondition failed|postcondition failed)/.test(d.message)) expect(d.message).not.toContain('hunter2');
        }
      }),
      { numRuns: 300 },
    );
  });
});
