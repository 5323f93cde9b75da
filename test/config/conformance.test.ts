// Conformance corpus: snippets written from the HCL native syntax specification
// (hashicorp/hcl, hclsyntax/spec.md) and Terraform's language and function documentation
// (developer.hashicorp.com/terraform/language), each with the value those documents give,
// run through xp's evaluator. Terraform's other functions are in functions-terraform.test.ts.
import { describe, expect, it } from 'vitest';
import { evalText, tempDir, valueOf } from './fixture.js';

/** [expression, expected value]; `prelude` declares the locals the expressions use. */
type Case = [string, unknown];

function corpus(name: string, cases: Case[], prelude = '', dir?: () => string) {
  describe(name, () => {
    it.each(cases)('%s', (expr, expected) => {
      expect(valueOf(expr, prelude, dir ? { dir: dir() } : {})).toEqual(expected);
    });
  });
}

// HCL spec, "Literal Values", "Collection Values", "Operations", "Conditional Operator"
corpus('HCL native syntax: literals, collections, operators', [
  ['1.5e2', 150],
  ['"a" == "a"', true],
  ['[1, 2, 3][1]', 2],
  ['{ a = 1, "b" = 2, ("c") = 3 }', { a: 1, b: 2, c: 3 }],
  ['{ a: 1 }', { a: 1 }],
  ['1 + 2 * 3', 7],
  ['(1 + 2) * 3', 9],
  ['7 % 3', 1],
  ['!true || true && false', false],
  ['-1 < 0 ? "neg" : "pos"', 'neg'],
  // "Index Operator" and the legacy attribute-style index
  ['[10, 20].1', 20],
  ['{ a = { b = 1 } }.a.b', 1],
]);

// HCL spec, "For Expressions"
corpus('HCL native syntax: for expressions', [
  ['[for v in ["a", "b"] : upper(v)]', ['A', 'B']],
  ['[for i, v in ["a", "b"] : "${i}${v}"]', ['0a', '1b']],
  ['{for k, v in { a = 1, b = 2 } : v => k}', { '1': 'a', '2': 'b' }],
  ['[for v in [1, 2, 3, 4] : v if v % 2 == 0]', [2, 4]],
  ['{for s in ["a", "bb", "cc"] : length(s) => s...}', { '1': ['a'], '2': ['bb', 'cc'] }],
]);

// HCL spec, "Splat Operators": `tuple.*.foo.bar[0]` is `[for v in tuple: v.foo.bar][0]`,
// `tuple[*].foo.bar[0]` is `[for v in tuple: v.foo.bar[0]]`; a value that is not a sequence
// is a one-element tuple, null an empty one. Terraform docs, "Splat Expressions".
const splatPrelude = 'locals {\n  list = [{ id = "a", interfaces = [{ name = "eth0" }] }, { id = "b", interfaces = [{ name = "eth1" }] }]\n  single = { id = "s" }\n  nothing = null\n}\n';
corpus(
  'HCL native syntax: splat operators',
  [
    ['local.list[*].id', ['a', 'b']],
    ['local.list[*].interfaces[0].name', ['eth0', 'eth1']],
    // the legacy splat ends at the index: [for o in local.list : o.interfaces][0]
    ['local.list.*.interfaces[0]', [{ name: 'eth0' }]],
    ['local.list.*.interfaces[0][0].name', 'eth0'],
    ['local.list[*].id == [for o in local.list : o.id]', true],
    ['local.single[*].id', ['s']],
    ['local.nothing[*]', []],
    ['length(local.nothing[*])', 0],
  ],
  splatPrelude,
);

// HCL spec, "Template Expressions", "Template Interpolations", "Template Directives",
// "Template Literals" ($${ and %%{); Terraform docs, "Strings and Templates"
corpus('HCL native syntax: templates and directives', [
  ['"Hello, ${"Juan"}!"', 'Hello, Juan!'],
  ['"Hello, %{ if "Juan" != "" }${"Juan"}%{ else }unnamed%{ endif }!"', 'Hello, Juan!'],
  ['"Hello, %{ if "" != "" }${""}%{ else }unnamed%{ endif }!"', 'Hello, unnamed!'],
  ['"%{ for x in ["a", "b", "c"] }${x}%{ endfor }"', 'abc'],
  ['"$${literal} %%{literal}"', '${literal} %{literal}'],
  // a template of one interpolation has the type of its value
  ['"${1 + 1}"', 2],
  // strip markers: `~` removes the whitespace (newlines included) on that side
  ['"a ${~ "b" } c"', 'ab c'],
  ['"a ${ "b" ~} c"', 'a bc'],
  ['"[ %{~ if true ~} x %{~ endif ~} ]"', '[x]'],
  ['<<EOT\n%{ for ip in ["10.1.16.154", "10.1.16.1", "10.1.16.34"] ~}\nserver ${ip}\n%{ endfor ~}\nEOT\n', 'server 10.1.16.154\nserver 10.1.16.1\nserver 10.1.16.34\n'],
  ['<<EOT\nhello\n%{~ if true ~}\nworld\n%{~ endif }\nEOT\n', 'helloworld\n'],
]);

// HCL spec, "Identifiers": keywords are not reserved; they are names where a name goes
corpus('HCL native syntax: keywords as names', [
  ['{ for = 1, in = 2, if = 3 }', { for: 1, in: 2, if: 3 }],
  ['{ true = "t" }.true', 't'],
  ['{ null = 1 }', { null: 1 }],
]);

// Terraform docs, functions/try and functions/can (their examples, with the locals they show)
const tryPrelude = 'locals {\n  foo = { bar = "baz" }\n  example = "5"\n}\n';
corpus(
  'Terraform functions: try and can',
  [
    ['try(local.foo.bar, "fallback")', 'baz'],
    ['try(local.foo.boop, "fallback")', 'fallback'],
    ['can(local.foo.bar)', true],
    ['can(local.foo.boop)', false],
    ['try(tostring(local.example), tolist(local.example))', '5'],
    ['try(tolist(local.example), tostring(local.example))', '5'],
    ['can(regex("^ami-", "ami-123"))', true],
    ['can(regex("^ami-", "img-123"))', false],
  ],
  tryPrelude,
);

// Terraform docs, functions/templatefile: backends.tftpl and its rendered result
corpus(
  'Terraform functions: templatefile',
  [
    ['templatefile("backends.tftpl", { port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] })', 'backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n'],
    ['templatefile("hello.tpl", { name = "world" })', 'Hello, world!\n'],
  ],
  '',
  () => tempDir({ 'backends.tftpl': '%{ for addr in ip_addrs ~}\nbackend ${addr}:${port}\n%{ endfor ~}\n', 'hello.tpl': 'Hello, ${name}!\n' }),
);

// Terraform docs, "Input Variables", custom validation rules, and "Custom Conditions": the
// image_id examples (length and substr, then regex), with the values the documents call valid
// or invalid and the documented message for the invalid ones.
describe('Terraform: variable validation', () => {
  const imageId = (condition: string) =>
    `variable "image_id" {\n  type        = string\n  description = "The id of the machine image (AMI) to use for the server."\n\n  validation {\n    condition     = ${condition}\n    error_message = "The image_id value must be a valid AMI id, starting with \\"ami-\\"."\n  }\n}\n`;
  const errors = (text: string, value: string) =>
    evalText(text, { variables: [{ name: 'image_id', value, source: 'terraform.tfvars.json' }] }).diagnostics.map((d) => d.message);
  const message = 'invalid value for variable "image_id" (terraform.tfvars.json): The image_id value must be a valid AMI id, starting with "ami-".';
  it.each([
    ['length(var.image_id) > 4 && substr(var.image_id, 0, 4) == "ami-"', 'ami-0123456', []],
    ['length(var.image_id) > 4 && substr(var.image_id, 0, 4) == "ami-"', 'ami-', [message]],
    ['length(var.image_id) > 4 && substr(var.image_id, 0, 4) == "ami-"', 'img-0123456', [message]],
    ['can(regex("^ami-", var.image_id))', 'ami-0123456', []],
    ['can(regex("^ami-", var.image_id))', 'xami-1', [message]],
  ])('%s with "%s"', (condition, value, expected) => {
    expect(errors(imageId(condition), value)).toEqual(expected);
  });
});
