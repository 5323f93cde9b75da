// The CST → AST visitor: the only code that knows the shape of the grammar. It builds plain
// AST nodes (src/dsl/ast.ts) and reports what the grammar cannot say (bad escapes, a string
// cut by a newline). After error recovery parts of the CST may be missing: every child is
// read as optional and a missing expression becomes a `null` literal at the nearest position.
import type { CstNode, CstNodeLocation, IToken } from 'chevrotain';
import type * as ast from './ast.js';
import type { Diagnostic, Position, SourceRange } from './diagnostics.js';
import { parser } from './parser.js';
import * as t from './tokens.js';
import type * as cst from './cst.js';

const BaseVisitor = parser.getBaseCstVisitorConstructor();

/** Binding power of each binary operator: higher binds tighter. */
export const binaryPrecedence: Record<ast.BinaryOp, number> = {
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

const byOffset = (a: { offset: number }, b: { offset: number }) => a.offset - b.offset;

export class AstBuilder extends BaseVisitor {
  private path = '';
  private diagnostics: Diagnostic[] = [];

  constructor() {
    super();
    this.validateVisitor();
  }

  /** The AST of a file from the CSTs of its parts (one unless parse() resumed after an error);
   * diagnostics for what the grammar let through are appended. */
  build(path: string, nodes: cst.FileCstNode[], diagnostics: Diagnostic[]): ast.File {
    this.path = path;
    this.diagnostics = diagnostics;
    const files = nodes.map((n) => this.visit(n) as ast.File);
    if (files.length === 1) return files[0]!;
    const body: ast.Body = {
      attributes: files.flatMap((f) => f.body.attributes),
      blocks: files.flatMap((f) => f.body.blocks),
      items: files.flatMap((f) => f.body.items),
    };
    return { kind: 'File', path, body, range: this.fileRange(body) };
  }

  // ── positions ───────────────────────────────────────────────────────────────────────
  private pos(line: number, column: number, offset: number): Position {
    return { line, column, offset };
  }

  tokenRange(tok: IToken): SourceRange {
    if (!isRealToken(tok)) return this.emptyRange();
    return {
      file: this.path,
      start: this.pos(tok.startLine!, tok.startColumn!, tok.startOffset),
      end: this.pos(tok.endLine!, tok.endColumn! + 1, tok.endOffset! + 1),
    };
  }

  private nodeRange(node: CstNode | undefined): SourceRange {
    const loc: CstNodeLocation | undefined = node?.location;
    if (!loc || Number.isNaN(loc.startOffset) || loc.endOffset === undefined || Number.isNaN(loc.endOffset)) {
      return this.emptyRange();
    }
    return {
      file: this.path,
      start: this.pos(loc.startLine!, loc.startColumn!, loc.startOffset),
      end: this.pos(loc.endLine!, loc.endColumn! + 1, loc.endOffset + 1),
    };
  }

  private emptyRange(): SourceRange {
    return { file: this.path, start: this.pos(1, 1, 0), end: this.pos(1, 1, 0) };
  }

  private span(a: SourceRange, b: SourceRange): SourceRange {
    return { file: this.path, start: a.start, end: b.end };
  }

  private error(message: string, range: SourceRange, hint?: string): void {
    this.diagnostics.push({ severity: 'error', message, range, ...(hint ? { hint } : {}) });
  }

  /** A stand-in for an expression that recovery left out. */
  private missing(node: CstNode | undefined): ast.Literal {
    return { kind: 'Literal', value: null, range: this.nodeRange(node) };
  }

  private expr(node: CstNode | undefined): ast.Expression {
    return node ? (this.visit(node) as ast.Expression) : this.missing(node);
  }

  // ── structure ───────────────────────────────────────────────────────────────────────
  file(ctx: cst.FileCstChildren): ast.File {
    const body = ctx.body?.[0] ? (this.visit(ctx.body[0]) as ast.Body) : emptyBody();
    return { kind: 'File', path: this.path, body, range: this.fileRange(body) };
  }

  private fileRange(body: ast.Body): SourceRange {
    const first = body.items[0];
    const last = body.items[body.items.length - 1];
    return first && last ? this.span(first.range, last.range) : this.emptyRange();
  }

  body(ctx: cst.BodyCstChildren): ast.Body {
    const attributes = (ctx.attribute ?? []).map((n) => this.visit(n) as ast.Attribute);
    const blocks = (ctx.block ?? []).map((n) => this.visit(n) as ast.Block);
    const items: (ast.Attribute | ast.Block)[] =
      blocks.length === 0 ? attributes : attributes.length === 0 ? blocks : [...attributes, ...blocks];
    if (attributes.length > 0 && blocks.length > 0) items.sort((a, b) => a.range.start.offset - b.range.start.offset);
    return { attributes, blocks, items };
  }

  endOfItem(): never {
    throw new Error('endOfItem carries no value');
  }

  attribute(ctx: cst.AttributeCstChildren, node?: CstNode): ast.Attribute {
    const name = ctx.Identifier?.[0];
    return {
      kind: 'Attribute',
      name: name?.image ?? '',
      value: this.expr(ctx.expression?.[0]),
      range: this.nodeRange(node),
      nameRange: name ? this.tokenRange(name) : this.emptyRange(),
    };
  }

  block(ctx: cst.BlockCstChildren, node?: CstNode): ast.Block {
    const type = ctx.Identifier?.[0];
    return {
      kind: 'Block',
      type: type?.image ?? '',
      labels: (ctx.blockLabel ?? []).map((n) => this.visit(n) as string),
      body: ctx.body?.[0] ? (this.visit(ctx.body[0]) as ast.Body) : emptyBody(),
      range: this.nodeRange(node),
      typeRange: type ? this.tokenRange(type) : this.emptyRange(),
    };
  }

  blockLabel(ctx: cst.BlockLabelCstChildren): string {
    if (ctx.Identifier?.[0]) return ctx.Identifier[0].image;
    this.checkStringEnd(ctx.StringEnd?.[0]);
    const text = ctx.StringText?.[0];
    return text ? this.decodeString(text) : '';
  }

  // ── expressions ─────────────────────────────────────────────────────────────────────
  expression(ctx: cst.ExpressionCstChildren, node?: CstNode): ast.Expression {
    const condition = this.expr(ctx.binaryExpression?.[0]);
    if (!ctx.Question) return condition;
    return {
      kind: 'Conditional',
      condition,
      then: this.expr(ctx.expression?.[0]),
      else: this.expr(ctx.expression?.[1]),
      range: this.nodeRange(node),
    };
  }

  /** Precedence climbing over the flat chain `operand (op operand)*`; all operators are left-associative. */
  binaryExpression(ctx: cst.BinaryExpressionCstChildren): ast.Expression {
    const operandNodes = ctx.unaryExpression ?? [];
    const first = this.expr(operandNodes[0]);
    const ops = ctx.BinaryOperator;
    if (!ops) return first;
    const operands = [first, ...operandNodes.slice(1).map((n) => this.expr(n))];
    let i = 0;
    const climb = (minPrec: number): ast.Expression => {
      let left = operands[i] ?? this.missing(undefined);
      while (i < ops.length) {
        const op = ops[i]!.image as ast.BinaryOp;
        const prec = binaryPrecedence[op];
        if (prec < minPrec) break;
        i++;
        const right = climb(prec + 1);
        left = { kind: 'Binary', op, left, right, range: this.span(left.range, right.range) };
      }
      return left;
    };
    return climb(0);
  }

  unaryExpression(ctx: cst.UnaryExpressionCstChildren): ast.Expression {
    let operand = this.expr(ctx.postfixExpression?.[0]);
    if (!ctx.Bang && !ctx.Minus) return operand;
    const ops = [...(ctx.Bang ?? []), ...(ctx.Minus ?? [])]
      .map((tok) => ({ tok, offset: tok.startOffset }))
      .sort(byOffset);
    for (let k = ops.length - 1; k >= 0; k--) {
      const tok = ops[k]!.tok;
      operand = {
        kind: 'Unary',
        op: tok.image as '!' | '-',
        operand,
        range: this.span(this.tokenRange(tok), operand.range),
      };
    }
    return operand;
  }

  postfixExpression(ctx: cst.PostfixExpressionCstChildren): ast.Expression {
    let object = this.expr(ctx.primaryExpression?.[0]);
    for (const step of ctx.traversal ?? []) {
      const s = step.children;
      const range = this.span(object.range, this.nodeRange(step));
      if (s.LBracket) {
        object = { kind: 'Index', object, index: this.expr(s.expression?.[0]), range };
      } else if (s.NumberLit?.[0]) {
        // `x.0` is HCL's legacy spelling of `x[0]`
        const tok = s.NumberLit[0];
        object = { kind: 'Index', object, index: { kind: 'Literal', value: Number(tok.image), range: this.tokenRange(tok) }, range };
      } else {
        object = { kind: 'GetAttr', object, name: s.Identifier?.[0]?.image ?? '', range };
      }
    }
    return object;
  }

  traversal(): never {
    throw new Error('traversal is visited by postfixExpression');
  }

  primaryExpression(ctx: cst.PrimaryExpressionCstChildren, node?: CstNode): ast.Expression {
    const range = this.nodeRange(node);
    if (ctx.NumberLit?.[0]) return { kind: 'Literal', value: Number(ctx.NumberLit[0].image), range };
    if (ctx.True) return { kind: 'Literal', value: true, range };
    if (ctx.False) return { kind: 'Literal', value: false, range };
    if (ctx.Null) return { kind: 'Literal', value: null, range };
    if (ctx.Identifier?.[0]) return { kind: 'Variable', name: ctx.Identifier[0].image, range };
    const sub =
      ctx.templateExpression?.[0] ??
      ctx.heredocExpression?.[0] ??
      ctx.listExpression?.[0] ??
      ctx.objectExpression?.[0] ??
      ctx.functionCall?.[0] ??
      ctx.parenExpression?.[0];
    return this.expr(sub ?? node);
  }

  templateExpression(ctx: cst.TemplateExpressionCstChildren, node?: CstNode): ast.TemplateExpr {
    this.checkStringEnd(ctx.StringEnd?.[0]);
    const pieces = [
      ...(ctx.StringText ?? []).map((tok) => ({ offset: tok.startOffset, part: this.decodeString(tok) as string | ast.Expression })),
      ...(ctx.templateInterpolation ?? []).map((n) => ({ offset: n.location?.startOffset ?? 0, part: this.visit(n) as ast.Expression })),
    ].sort(byOffset);
    return { kind: 'Template', parts: joinParts(pieces.map((p) => p.part)), range: this.nodeRange(node) };
  }

  heredocExpression(ctx: cst.HeredocExpressionCstChildren, node?: CstNode): ast.TemplateExpr {
    const start = ctx.HeredocStart?.[0];
    const heredoc = start ? t.heredocMarker(start.image) : { marker: 'EOT', indent: false };
    const pieces = [
      ...(ctx.HeredocText ?? []).map((tok) => ({ offset: tok.startOffset, part: tok.image as string | ast.Expression })),
      ...(ctx.templateInterpolation ?? []).map((n) => ({ offset: n.location?.startOffset ?? 0, part: this.visit(n) as ast.Expression })),
    ].sort(byOffset);
    let parts = pieces.map((p) => p.part);
    if (heredoc.indent) parts = stripIndent(parts);
    parts = parts.map((p) => (typeof p === 'string' ? p.replaceAll('$${', '${') : p));
    return { kind: 'Template', parts: joinParts(parts), heredoc, range: this.nodeRange(node) };
  }

  templateInterpolation(ctx: cst.TemplateInterpolationCstChildren): ast.Expression {
    return this.expr(ctx.expression?.[0]);
  }

  listExpression(ctx: cst.ListExpressionCstChildren, node?: CstNode): ast.ListExpr | ast.ForExpr {
    const range = this.nodeRange(node);
    if (ctx.forListBody?.[0]) return this.forExpr('list', ctx.forListBody[0].children, range);
    return { kind: 'List', items: (ctx.expression ?? []).map((n) => this.expr(n)), range };
  }

  objectExpression(ctx: cst.ObjectExpressionCstChildren, node?: CstNode): ast.ObjectExpr | ast.ForExpr {
    const range = this.nodeRange(node);
    if (ctx.forObjectBody?.[0]) return this.forExpr('object', ctx.forObjectBody[0].children, range);
    return { kind: 'Object', items: (ctx.objectItem ?? []).map((n) => this.visit(n) as ast.ObjectItem), range };
  }

  objectItem(ctx: cst.ObjectItemCstChildren, node?: CstNode): ast.ObjectItem {
    const key = this.expr(ctx.expression?.[0]);
    return {
      key: key.kind === 'Variable' ? key.name : key,
      value: this.expr(ctx.expression?.[1]),
      range: this.nodeRange(node),
    };
  }

  private forExpr(
    result: 'list' | 'object',
    body: cst.ForListBodyCstChildren | cst.ForObjectBodyCstChildren,
    range: SourceRange,
  ): ast.ForExpr {
    const intro = body.forIntro?.[0]?.children;
    const names = (intro?.Identifier ?? []).map((tok) => tok.image);
    const condition = body.forCondition?.[0]?.children.expression?.[0];
    const exprs = body.expression ?? [];
    const out: ast.ForExpr = {
      kind: 'For',
      result,
      valueVar: names[names.length - 1] ?? '',
      collection: this.expr(intro?.expression?.[0]),
      valueExpr: this.expr(result === 'list' ? exprs[0] : exprs[1]),
      grouping: result === 'object' && Boolean((body as cst.ForObjectBodyCstChildren).Ellipsis),
      range,
    };
    if (names.length === 2) out.keyVar = names[0];
    if (result === 'object') out.keyExpr = this.expr(exprs[0]);
    if (condition) out.condition = this.expr(condition);
    return out;
  }

  forIntro(): never {
    throw new Error('forIntro is visited by listExpression/objectExpression');
  }
  forListBody(): never {
    throw new Error('forListBody is visited by listExpression');
  }
  forObjectBody(): never {
    throw new Error('forObjectBody is visited by objectExpression');
  }
  forCondition(): never {
    throw new Error('forCondition is visited by forExpr');
  }

  functionCall(ctx: cst.FunctionCallCstChildren, node?: CstNode): ast.CallExpr {
    return {
      kind: 'Call',
      name: ctx.Identifier?.[0]?.image ?? '',
      args: (ctx.expression ?? []).map((n) => this.expr(n)),
      expandFinal: Boolean(ctx.Ellipsis),
      range: this.nodeRange(node),
    };
  }

  parenExpression(ctx: cst.ParenExpressionCstChildren, node?: CstNode): ast.ParenExpr {
    return { kind: 'Paren', inner: this.expr(ctx.expression?.[0]), range: this.nodeRange(node) };
  }

  // ── strings ─────────────────────────────────────────────────────────────────────────
  private checkStringEnd(end: IToken | undefined): void {
    if (end?.tokenType === t.UnterminatedStringEnd) {
      this.error(`unterminated string, expected '"' before the end of the line`, this.tokenRange(end), 'a quoted string cannot span lines: use a heredoc (<<EOT) for several lines');
    }
  }

  /** The value of a StringText token: escapes decoded, `$${` → `${`. */
  private decodeString(tok: IToken): string {
    const raw = tok.image;
    if (!raw.includes('\\') && !raw.includes('$${')) return raw;
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === '$' && raw.startsWith('$${', i)) {
        out += '${';
        i += 2;
        continue;
      }
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = raw[i + 1];
      const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
      if (e !== undefined && e in simple) {
        out += simple[e];
        i++;
        continue;
      }
      const digits = e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const hex = raw.slice(i + 2, i + 2 + digits);
      if (digits > 0 && hex.length === digits && /^[0-9a-fA-F]+$/.test(hex) && Number.parseInt(hex, 16) <= 0x10ffff) {
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        i += 1 + digits;
        continue;
      }
      const at = tok.startOffset + i;
      const column = tok.startColumn! + i;
      const len = digits > 0 ? 2 + hex.length : 2;
      this.error(
        `invalid escape sequence ${raw.slice(i, i + len)}`,
        {
          file: this.path,
          start: this.pos(tok.startLine!, column, at),
          end: this.pos(tok.startLine!, column + len, at + len),
        },
        'valid escapes are \\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN',
      );
      out += raw.slice(i, i + len);
      i += len - 1;
    }
    return out;
  }
}

function emptyBody(): ast.Body {
  return { attributes: [], blocks: [], items: [] };
}

/** Tokens inserted by error recovery have no position. */
export function isRealToken(tok: IToken | undefined): tok is IToken {
  return tok !== undefined && !Number.isNaN(tok.startOffset) && tok.tokenType.name !== 'EOF';
}

/** Adjacent strings merged; an empty template is one empty string. */
function joinParts(parts: (string | ast.Expression)[]): (string | ast.Expression)[] {
  const out: (string | ast.Expression)[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else if (p !== '') out.push(p);
  }
  return out.length === 0 ? [''] : out;
}

/**
 * `<<-EOT`: remove from every line the smallest indentation of the non-blank lines. Lines start
 * at the beginning and after each newline; a line that starts with `${` has indentation 0.
 */
export function stripIndent(parts: (string | ast.Expression)[]): (string | ast.Expression)[] {
  let min = Infinity;
  let atLineStart = true;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    if (typeof p !== 'string') {
      if (atLineStart) min = 0;
      atLineStart = false;
      continue;
    }
    let i = 0;
    while (i < p.length) {
      if (atLineStart) {
        let j = i;
        while (p[j] === ' ' || p[j] === '\t') j++;
        const blank = j < p.length ? p[j] === '\n' || p[j] === '\r' : k === parts.length - 1;
        if (!blank) min = Math.min(min, j - i);
        atLineStart = false;
        i = j;
        continue;
      }
      const nl = p.indexOf('\n', i);
      if (nl < 0) break;
      i = nl + 1;
      atLineStart = true;
    }
  }
  if (min === Infinity || min === 0) return parts;
  atLineStart = true;
  return parts.map((p) => {
    if (typeof p !== 'string') {
      atLineStart = false;
      return p;
    }
    let out = '';
    let i = 0;
    while (i < p.length) {
      if (atLineStart) {
        let j = i;
        while (j - i < min && (p[j] === ' ' || p[j] === '\t')) j++;
        i = j;
        atLineStart = false;
        continue;
      }
      const nl = p.indexOf('\n', i);
      if (nl < 0) {
        out += p.slice(i);
        break;
      }
      out += p.slice(i, nl + 1);
      i = nl + 1;
      atLineStart = true;
    }
    return out;
  });
}

export const astBuilder = new AstBuilder();
