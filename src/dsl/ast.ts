// The AST of the xp language: plain data, built from chevrotain's CST by the visitor in
// src/dsl (the only code that knows the grammar's shape). Every node carries its range.
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
  | ParenExpr;

export interface Literal {
  kind: 'Literal';
  value: string | number | boolean | null;
  range: SourceRange;
}

/** A quoted string or heredoc with `${…}` parts. A string without interpolation is still a
 * TemplateExpr with one string part, so that fmt can print it back as written. */
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

/** `[for k, v in coll : expr if cond]` (list) or `{for k, v in coll : key => value if cond}` (object). */
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
