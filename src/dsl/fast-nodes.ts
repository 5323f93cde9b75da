// The nodes of the fast path's AST (fast-parser.ts): the same shapes as the AST interfaces
// (ast.ts), but a node keeps its range as two offsets and its file's line table, in private
// fields, and `range` (`nameRange`, `typeRange`) is a getter that makes the Span (span.ts)
// when read. A range is read only to place a diagnostic or to show where a resource is
// declared, while a Span per node was 550,000 objects (26 MB) for the 10,000-tenant benchmark,
// all of them copied by the garbage collector as the AST grows (bench/VALIDATE.md).
//
// Seen from outside, a node is the plain object the chevrotain path builds: its own enumerable
// properties are the same apart from the ranges, and JSON.stringify writes the same text, key
// order and ranges included (toJSON). test/dsl/fast-parser.test.ts compares the two parsers' ASTs
// that way. Nothing changes an AST once built (test/config/ast-readonly.test.ts), so a getter
// for the ranges loses nothing.
import type * as ast from './ast.js';
import type { SourceRange } from './diagnostics.js';
import { Span, type SourceLines } from './span.js';

/** A node with a range [start, end) of its file. */
export abstract class Ranged {
  readonly #lines: SourceLines;
  readonly #start: number;
  readonly #end: number;

  constructor(lines: SourceLines, start: number, end: number) {
    this.#lines = lines;
    this.#start = start;
    this.#end = end;
  }

  get range(): SourceRange {
    return new Span(this.#lines, this.#start, this.#end);
  }

  /** Where the node starts and ends (offsets), without making a Span. */
  static start(n: object): number {
    return (n as Ranged).#start;
  }

  static end(n: object): number {
    return (n as Ranged).#end;
  }

  static lines(n: object): SourceLines {
    return (n as Ranged).#lines;
  }

  /** The node as the chevrotain path's plain object: its own properties, then `range`. */
  toJSON(): Record<string, unknown> {
    const out = { ...(this as object) } as Record<string, unknown>;
    out['range'] = this.range;
    return out;
  }
}

export class FastFile extends Ranged implements ast.File {
  declare readonly kind: 'File';
  declare readonly path: string;
  declare readonly body: ast.Body;
  constructor(path: string, body: ast.Body, lines: SourceLines, start: number, end: number) {
    super(lines, start, end);
    this.kind = 'File';
    this.path = path;
    this.body = body;
  }
}

export class FastAttribute extends Ranged implements ast.Attribute {
  declare readonly kind: 'Attribute';
  declare readonly name: string;
  declare readonly value: ast.Expression;
  /** `name = value`: the range runs from the name to the value's end (the name's alone when the
   * value is empty). The name is an identifier as written, so it ends `name.length` after it starts. */
  constructor(name: string, value: ast.Expression, lines: SourceLines, nameStart: number) {
    const nameEnd = nameStart + name.length;
    const valueEnd = Ranged.end(value);
    super(lines, nameStart, valueEnd > nameEnd ? valueEnd : nameEnd);
    this.kind = 'Attribute';
    this.name = name;
    this.value = value;
  }

  get nameRange(): SourceRange {
    const start = Ranged.start(this);
    return new Span(Ranged.lines(this), start, start + this.name.length);
  }

  override toJSON(): Record<string, unknown> {
    return { kind: this.kind, name: this.name, value: this.value, range: this.range, nameRange: this.nameRange };
  }
}

export class FastBlock extends Ranged implements ast.Block {
  declare readonly kind: 'Block';
  declare readonly type: string;
  declare readonly labels: string[];
  declare readonly body: ast.Body;
  /** The type is an identifier as written: it ends `type.length` after it starts. */
  constructor(type: string, labels: string[], body: ast.Body, lines: SourceLines, typeStart: number, end: number) {
    super(lines, typeStart, end);
    this.kind = 'Block';
    this.type = type;
    this.labels = labels;
    this.body = body;
  }

  get typeRange(): SourceRange {
    const start = Ranged.start(this);
    return new Span(Ranged.lines(this), start, start + this.type.length);
  }

  override toJSON(): Record<string, unknown> {
    return { kind: this.kind, type: this.type, labels: this.labels, body: this.body, range: this.range, typeRange: this.typeRange };
  }
}

export class FastLiteral extends Ranged implements ast.Literal {
  declare readonly kind: 'Literal';
  declare readonly value: string | number | boolean | null;
  constructor(value: string | number | boolean | null, lines: SourceLines, start: number, end: number) {
    super(lines, start, end);
    this.kind = 'Literal';
    this.value = value;
  }
}

export class FastVariable extends Ranged implements ast.VariableExpr {
  declare readonly kind: 'Variable';
  declare readonly name: string;
  constructor(name: string, lines: SourceLines, start: number, end: number) {
    super(lines, start, end);
    this.kind = 'Variable';
    this.name = name;
  }
}

export class FastTemplate extends Ranged implements ast.TemplateExpr {
  declare readonly kind: 'Template';
  declare readonly parts: (string | ast.Expression)[];
  constructor(parts: (string | ast.Expression)[], lines: SourceLines, start: number, end: number) {
    super(lines, start, end);
    this.kind = 'Template';
    this.parts = parts;
  }
}

export class FastList extends Ranged implements ast.ListExpr {
  declare readonly kind: 'List';
  declare readonly items: ast.Expression[];
  constructor(items: ast.Expression[], lines: SourceLines, start: number, end: number) {
    super(lines, start, end);
    this.kind = 'List';
    this.items = items;
  }
}

export class FastObjectItem extends Ranged implements ast.ObjectItem {
  declare readonly key: string | ast.Expression;
  declare readonly value: ast.Expression;
  constructor(key: string | ast.Expression, value: ast.Expression, lines: SourceLines, start: number, end: number) {
    super(lines, start, end);
    this.key = key;
    this.value = value;
  }
}

export class FastObject extends Ranged implements ast.ObjectExpr {
  declare readonly kind: 'Object';
  declare readonly items: ast.ObjectItem[];
  constructor(items: ast.ObjectItem[], lines: SourceLines, start: number, end: number) {
    super(lines, start, end);
    this.kind = 'Object';
    this.items = items;
  }
}

export class FastGetAttr extends Ranged implements ast.GetAttrExpr {
  declare readonly kind: 'GetAttr';
  declare readonly object: ast.Expression;
  declare readonly name: string;
  constructor(object: ast.Expression, name: string, lines: SourceLines, end: number) {
    super(lines, Ranged.start(object), end);
    this.kind = 'GetAttr';
    this.object = object;
    this.name = name;
  }
}

export class FastIndex extends Ranged implements ast.IndexExpr {
  declare readonly kind: 'Index';
  declare readonly object: ast.Expression;
  declare readonly index: ast.Expression;
  constructor(object: ast.Expression, index: ast.Expression, lines: SourceLines, end: number) {
    super(lines, Ranged.start(object), end);
    this.kind = 'Index';
    this.object = object;
    this.index = index;
  }
}

export class FastCall extends Ranged implements ast.CallExpr {
  declare readonly kind: 'Call';
  declare readonly name: string;
  declare readonly args: ast.Expression[];
  declare readonly expandFinal: boolean;
  constructor(name: string, args: ast.Expression[], expandFinal: boolean, lines: SourceLines, start: number, end: number) {
    super(lines, start, end);
    this.kind = 'Call';
    this.name = name;
    this.args = args;
    this.expandFinal = expandFinal;
  }
}

export class FastUnary extends Ranged implements ast.UnaryExpr {
  declare readonly kind: 'Unary';
  declare readonly op: '!' | '-';
  declare readonly operand: ast.Expression;
  constructor(op: '!' | '-', operand: ast.Expression, lines: SourceLines, start: number) {
    super(lines, start, Ranged.end(operand));
    this.kind = 'Unary';
    this.op = op;
    this.operand = operand;
  }
}

export class FastBinary extends Ranged implements ast.BinaryExpr {
  declare readonly kind: 'Binary';
  declare readonly op: ast.BinaryOp;
  declare readonly left: ast.Expression;
  declare readonly right: ast.Expression;
  constructor(op: ast.BinaryOp, left: ast.Expression, right: ast.Expression, lines: SourceLines) {
    super(lines, Ranged.start(left), Ranged.end(right));
    this.kind = 'Binary';
    this.op = op;
    this.left = left;
    this.right = right;
  }
}

export class FastConditional extends Ranged implements ast.ConditionalExpr {
  declare readonly kind: 'Conditional';
  declare readonly condition: ast.Expression;
  declare readonly then: ast.Expression;
  declare readonly else: ast.Expression;
  constructor(condition: ast.Expression, then: ast.Expression, otherwise: ast.Expression, lines: SourceLines) {
    super(lines, Ranged.start(condition), Ranged.end(otherwise));
    this.kind = 'Conditional';
    this.condition = condition;
    this.then = then;
    this.else = otherwise;
  }
}

export class FastParen extends Ranged implements ast.ParenExpr {
  declare readonly kind: 'Paren';
  declare readonly inner: ast.Expression;
  constructor(inner: ast.Expression, lines: SourceLines, start: number, end: number) {
    super(lines, start, end);
    this.kind = 'Paren';
    this.inner = inner;
  }
}

export class FastFor extends Ranged implements ast.ForExpr {
  declare readonly kind: 'For';
  declare readonly result: 'list' | 'object';
  declare readonly keyVar?: string;
  declare readonly valueVar: string;
  declare readonly collection: ast.Expression;
  declare readonly keyExpr?: ast.Expression;
  declare readonly valueExpr: ast.Expression;
  declare readonly grouping: boolean;
  declare readonly condition?: ast.Expression;
  constructor(
    result: 'list' | 'object',
    valueVar: string,
    collection: ast.Expression,
    valueExpr: ast.Expression,
    grouping: boolean,
    optional: { keyVar?: string; keyExpr?: ast.Expression; condition?: ast.Expression },
    lines: SourceLines,
    start: number,
    end: number,
  ) {
    super(lines, start, end);
    this.kind = 'For';
    this.result = result;
    this.valueVar = valueVar;
    this.collection = collection;
    this.valueExpr = valueExpr;
    this.grouping = grouping;
    // present only when set, after the others (as the chevrotain path adds them)
    if (optional.keyVar !== undefined) this.keyVar = optional.keyVar;
    if (optional.keyExpr) this.keyExpr = optional.keyExpr;
    if (optional.condition) this.condition = optional.condition;
  }

  override toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      kind: this.kind,
      result: this.result,
      valueVar: this.valueVar,
      collection: this.collection,
      valueExpr: this.valueExpr,
      grouping: this.grouping,
      range: this.range,
    };
    if (this.keyVar !== undefined) out['keyVar'] = this.keyVar;
    if (this.keyExpr) out['keyExpr'] = this.keyExpr;
    if (this.condition) out['condition'] = this.condition;
    return out;
  }
}
