// The AST of the xp language: plain data, built from chevrotain's CST by the visitor in
// src/dsl (the only code that knows the grammar's shape), or by the fast path (fast-parser.ts).
// Every node carries its range. Beside the types: the binary operators' precedence, both parsers'.
import type { SourceRange } from './diagnostics.js';

export interface File {
  kind: 'File';
  path: string;
  body: Body;
  range: SourceRange;
}

export interface Body {
  attributes: Attribute[];
  blocks: Block[];
  /** Attributes and blocks in source order (fmt keeps the layout). */
  items: (Attribute | Block)[];
}

export interface Block {
  kind: 'Block';
  /** `database`, `variable`, `locals`, `grant`, `lifecycle`, … */
  type: string;
  labels: string[];
  body: Body;
  range: SourceRange;
  typeRange: SourceRange;
}

export interface Attribute {
  kind: 'Attribute';
  name: string;
  value: Expression;
  range: SourceRange;
  nameRange: SourceRange;
}

export type Expression =
  | Literal
  | TemplateExpr
  | ListExpr
  | ObjectExpr
  | VariableExpr
  | GetAttrExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ConditionalExpr
  | ForExpr
  | ParenExpr
  | SplatExpr
  | SplatItemExpr
  | TemplateInterpExpr
  | TemplateIfExpr
  | TemplateForExpr;

export interface Literal {
  kind: 'Literal';
  value: string | number | boolean | null;
  range: SourceRange;
}

/** A quoted string or heredoc with `${…}` and `%{…}` parts. A string without interpolation is
 * still a TemplateExpr with one string part, so that fmt can print it back as written. String
 * parts are the text as written (strip markers are applied when the template is evaluated). */
export interface TemplateExpr {
  kind: 'Template';
  parts: (string | Expression)[];
  heredoc?: { marker: string; indent: boolean };
  range: SourceRange;
}

export interface ListExpr {
  kind: 'List';
  items: Expression[];
  range: SourceRange;
}

export interface ObjectItem {
  /** A bare identifier key or an expression key (`"k" = v`, `(var.k) = v`). */
  key: string | Expression;
  value: Expression;
  range: SourceRange;
}

export interface ObjectExpr {
  kind: 'Object';
  items: ObjectItem[];
  range: SourceRange;
}

/** A bare name at the root of a traversal: `var`, `local`, `role`, `each`, `count`, `x` in a for. */
export interface VariableExpr {
  kind: 'Variable';
  name: string;
  range: SourceRange;
}

/** `object.name` */
export interface GetAttrExpr {
  kind: 'GetAttr';
  object: Expression;
  name: string;
  range: SourceRange;
}

/** `object[index]` */
export interface IndexExpr {
  kind: 'Index';
  object: Expression;
  index: Expression;
  range: SourceRange;
}

export interface CallExpr {
  kind: 'Call';
  name: string;
  args: Expression[];
  /** `f(list...)` expands the last argument. */
  expandFinal: boolean;
  range: SourceRange;
}

export interface UnaryExpr {
  kind: 'Unary';
  op: '!' | '-';
  operand: Expression;
  range: SourceRange;
}

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export interface BinaryExpr {
  kind: 'Binary';
  op: BinaryOp;
  left: Expression;
  right: Expression;
  range: SourceRange;
}

export interface ConditionalExpr {
  kind: 'Conditional';
  condition: Expression;
  then: Expression;
  else: Expression;
  range: SourceRange;
}

/** `[for k, v in coll : expr if cond]` (list) or `{ for k, v in coll : key => value if cond }` (object). */
export interface ForExpr {
  kind: 'For';
  result: 'list' | 'object';
  keyVar?: string;
  valueVar: string;
  collection: Expression;
  /** Object form only. */
  keyExpr?: Expression;
  valueExpr: Expression;
  /** Object form: `...` after the value groups values by key. */
  grouping: boolean;
  condition?: Expression;
  range: SourceRange;
}

export interface ParenExpr {
  kind: 'Paren';
  inner: Expression;
  range: SourceRange;
}

/** `object[*].steps` (or the legacy `object.*.steps`): `each` is evaluated for every element
 * of the object (a SplatItem stands for the element); a single value is a list of one, null an
 * empty list. */
export interface SplatExpr {
  kind: 'Splat';
  object: Expression;
  each: Expression;
  /** `.*`: only attribute steps apply to each element, an index ends the splat. */
  legacy: boolean;
  range: SourceRange;
}

/** The element a splat's steps apply to. */
export interface SplatItemExpr {
  kind: 'SplatItem';
  range: SourceRange;
}

/** Strip markers of a template tag: `~` after its opening (`${~`, `%{~`) strips the whitespace
 * before the tag, `~` before its `}` the whitespace after it. */
export interface Strip {
  before: boolean;
  after: boolean;
}

/** `${~ expr ~}`: an interpolation with a strip marker (without one, the part is `expr` itself). */
export interface TemplateInterpExpr {
  kind: 'TemplateInterp';
  expr: Expression;
  strip: Strip;
  range: SourceRange;
}

/** `%{ if condition }then%{ else }else%{ endif }` inside a template. */
export interface TemplateIfExpr {
  kind: 'TemplateIf';
  condition: Expression;
  then: (string | Expression)[];
  else?: (string | Expression)[];
  /** The tags: `%{ if }`, `%{ else }` (when there is one), `%{ endif }`. */
  ifTag: Strip;
  elseTag?: Strip;
  endTag: Strip;
  range: SourceRange;
}

/** `%{ for k, v in collection }body%{ endfor }` inside a template. */
export interface TemplateForExpr {
  kind: 'TemplateFor';
  keyVar?: string;
  valueVar: string;
  collection: Expression;
  body: (string | Expression)[];
  forTag: Strip;
  endTag: Strip;
  range: SourceRange;
}

/** Binding power of each binary operator: higher binds tighter. */
export const binaryPrecedence: Record<BinaryOp, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};
