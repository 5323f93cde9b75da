// The CST → AST visitor: the only code that knows the shape of the grammar. It builds plain
// AST nodes (src/dsl/ast.ts) and reports what the grammar cannot say (bad escapes, a string
// cut by a newline). After error recovery parts of the CST may be missing: every child is
// read as optional and a missing expression becomes a `null` literal (at its CST node, or 1:1).
import type { CstNode, IToken } from 'chevrotain';
import { binaryPrecedence } from './ast.js';
import type * as ast from './ast.js';
import type { Diagnostic, Position, SourceRange } from './diagnostics.js';
import { getParser } from './parser.js';
import * as t from './tokens.js';
import type * as cst from './cst.js';
import { decodeQuoted, foldDirectives, stripIndent, unescapeRaw, type DirectiveTag } from './template-text.js';

/**
 * What the builder takes from chevrotain's visitor base (made from the parser, so built on first
 * use like it): the check that every rule has a handler. The builder's own `visit` dispatches.
 */
class VisitorBase {
  protected validateVisitor(): void {
    const base = getParser().getBaseCstVisitorConstructor<CstNode, unknown>().prototype as { validateVisitor(this: unknown): void };
    base.validateVisitor.call(this);
  }
}

const byOffset = (a: { offset: number }, b: { offset: number }) => a.offset - b.offset;

// Every visit passes the node itself as the visitor's parameter (some handlers read its children).
export class AstBuilder extends VisitorBase {
  private path = '';
  private diagnostics: Diagnostic[] = [];

  constructor() {
    super();
    this.validateVisitor();
  }

  /**
   * chevrotain's visit with the common rules dispatched by a switch: its `this[node.name]` is a
   * megamorphic lookup (a tenth of the AST build on large files). Same contract: an array
   * visits its first node, undefined gives undefined.
   */
  visit(cstNode: CstNode | CstNode[] | undefined, param?: unknown): unknown {
    const node = Array.isArray(cstNode) ? cstNode[0] : cstNode;
    if (node === undefined) return undefined;
    const children = node.children as never;
    switch (node.name) {
      case 'expression':
        return this.expression(children, param as CstNode);
      case 'operand':
        return this.operand(children, param as CstNode);
      case 'attribute':
        return this.attribute(children, param as CstNode);
      case 'templateExpression':
        return this.templateExpression(children, param as CstNode);
      case 'block':
        return this.block(children, param as CstNode);
      case 'blockLabel':
        return this.blockLabel(children);
      case 'body':
        return this.body(children);
      case 'listExpression':
        return this.listExpression(children);
      default:
        return (this as unknown as Record<string, (children: unknown, param: unknown) => unknown>)[node.name]!(children, param);
    }
  }

  /** The AST of a file's CST (or of a part of it); diagnostics for what the grammar let
   * through are appended. */
  build(path: string, node: cst.FileCstNode, diagnostics: Diagnostic[]): ast.File {
    this.path = path;
    this.diagnostics = diagnostics;
    return this.visit(node, node) as ast.File;
  }

  /** The AST of a template file's CST (parseTemplate). */
  buildTemplate(path: string, node: cst.TemplateFileCstNode, diagnostics: Diagnostic[]): ast.TemplateExpr {
    this.path = path;
    this.diagnostics = diagnostics;
    return this.visit(node, node) as ast.TemplateExpr;
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

  /**
   * The range from an opening token to a closing one (the parser tracks no node locations:
   * it is much faster without). Either may be missing after error recovery: then the inner
   * ranges stand in.
   */
  private between(open: IToken | undefined, close: IToken | undefined, inner: SourceRange[] = []): SourceRange {
    const first = inner[0];
    const last = inner[inner.length - 1];
    const start = isRealToken(open) ? this.pos(open.startLine!, open.startColumn!, open.startOffset) : first?.start;
    const end = isRealToken(close)
      ? this.pos(close.endLine!, close.endColumn! + 1, close.endOffset! + 1)
      : (last?.end ?? (isRealToken(open) ? this.pos(open.endLine!, open.endColumn! + 1, open.endOffset! + 1) : undefined));
    if (!start || !end) return this.emptyRange();
    return { file: this.path, start, end };
  }

  private emptyRange(): SourceRange {
    return { file: this.path, start: this.pos(1, 1, 0), end: this.pos(1, 1, 0) };
  }

  /** From the start of `a` to the end of token `tok`. */
  private spanTo(a: SourceRange, tok: IToken): SourceRange {
    return { file: this.path, start: a.start, end: this.pos(tok.endLine!, tok.endColumn! + 1, tok.endOffset! + 1) };
  }

  private span(a: SourceRange, b: SourceRange): SourceRange {
    return { file: this.path, start: a.start, end: b.end };
  }

  private readonly report = (message: string, range: SourceRange, hint?: string) => this.error(message, range, hint);

  private error(message: string, range: SourceRange, hint?: string): void {
    this.diagnostics.push({ severity: 'error', message, range, ...(hint ? { hint } : {}) });
  }

  /** A stand-in for an expression that recovery left out. */
  private missing(_node: CstNode | undefined): ast.Literal {
    return { kind: 'Literal', value: null, range: this.emptyRange() };
  }

  private expr(node: CstNode | undefined): ast.Expression {
    return node ? (this.visit(node, node) as ast.Expression) : this.missing(node);
  }

  // ── structure ───────────────────────────────────────────────────────────────────────
  file(ctx: cst.FileCstChildren): ast.File {
    const body = ctx.body?.[0] ? (this.visit(ctx.body[0], ctx.body[0]) as ast.Body) : emptyBody();
    return { kind: 'File', path: this.path, body, range: this.fileRange(body) };
  }

  private fileRange(body: ast.Body): SourceRange {
    const first = body.items[0];
    const last = body.items[body.items.length - 1];
    return first && last ? this.span(first.range, last.range) : this.emptyRange();
  }

  body(ctx: cst.BodyCstChildren): ast.Body {
    const attributes = (ctx.attribute ?? []).map((n) => this.visit(n, n) as ast.Attribute);
    const blocks = (ctx.block ?? []).map((n) => this.visit(n, n) as ast.Block);
    // merge the two runs, both in source order
    const items: (ast.Attribute | ast.Block)[] = [];
    let i = 0;
    let j = 0;
    while (i < attributes.length || j < blocks.length) {
      if (j >= blocks.length || (i < attributes.length && attributes[i]!.range.start.offset < blocks[j]!.range.start.offset)) {
        items.push(attributes[i++]!);
      } else items.push(blocks[j++]!);
    }
    return { attributes, blocks, items };
  }

  attribute(ctx: cst.AttributeCstChildren, _node?: CstNode): ast.Attribute {
    const name = ctx.Name?.[0];
    const nameRange = name ? this.tokenRange(name) : this.emptyRange();
    const value = this.expr(ctx.expression?.[0]);
    // from the name to the end of the value (the rule also holds the newline that ends it)
    const range = value.range.end.offset > nameRange.end.offset ? this.span(nameRange, value.range) : nameRange;
    return { kind: 'Attribute', name: name?.image ?? '', value, range, nameRange };
  }

  block(ctx: cst.BlockCstChildren, _node?: CstNode): ast.Block {
    const type = ctx.Identifier?.[0];
    const close = ctx.RCurly?.[0];
    const typeRange = type ? this.tokenRange(type) : this.emptyRange();
    const body = ctx.body?.[0] ? (this.visit(ctx.body[0], ctx.body[0]) as ast.Body) : emptyBody();
    const lastItem = body.items[body.items.length - 1];
    return {
      kind: 'Block',
      type: type?.image ?? '',
      labels: (ctx.blockLabel ?? []).map((n) => this.visit(n, n) as string),
      body,
      // from the type to the `}` (the rule also holds the newline that ends it)
      range: isRealToken(close) ? this.spanTo(typeRange, close) : lastItem ? this.span(typeRange, lastItem.range) : typeRange,
      typeRange,
    };
  }

  blockLabel(ctx: cst.BlockLabelCstChildren): string {
    if (ctx.Identifier?.[0]) return ctx.Identifier[0].image;
    this.checkStringEnd(ctx.StringEnd?.[0]);
    const text = ctx.StringText?.[0];
    return text ? this.decodeString(text) : '';
  }

  // ── expressions ─────────────────────────────────────────────────────────────────────
  /** Precedence climbing over the flat chain `operand (op operand)*` (all operators are
   * left-associative), then the conditional, which binds loosest. */
  expression(ctx: cst.ExpressionCstChildren, _node?: CstNode): ast.Expression {
    const operandNodes = ctx.operand ?? [];
    const ops = ctx.BinaryOperator;
    let chain: ast.Expression;
    if (!ops) {
      chain = this.expr(operandNodes[0]);
    } else {
      const operands = operandNodes.map((n) => this.expr(n));
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
      chain = climb(0);
    }
    if (!ctx.Question) return chain;
    const cond: ast.ConditionalExpr = {
      kind: 'Conditional',
      condition: chain,
      then: this.expr(ctx.expression?.[0]),
      else: this.expr(ctx.expression?.[1]),
      range: this.emptyRange(),
    };
    cond.range = this.span(chain.range, cond.else.range.end.offset > 0 ? cond.else.range : cond.then.range);
    return cond;
  }

  operand(ctx: cst.OperandCstChildren, _node?: CstNode): ast.Expression {
    const prefixCount = (ctx.Bang?.length ?? 0) + (ctx.Minus?.length ?? 0);
    // the primary expression: a variable (the operand's Identifier: step names are Names) or another primary
    let value: ast.Expression;
    const root = ctx.Identifier?.[0];
    if (root) value = { kind: 'Variable', name: root.image, range: this.tokenRange(root) };
    else value = this.primaryLiteral(ctx);
    // `.name`, `.0`, `.*`, `[index]` and `[*]` steps, in source order
    if (root && ctx.Dot && !ctx.LBracket && !ctx.NumberLit && !ctx.Star) {
      // the common case: `a.b.c`
      for (const name of ctx.Name ?? []) {
        value = { kind: 'GetAttr', object: value, name: name.image, range: this.spanTo(value.range, name) };
      }
    } else if (ctx.Dot || ctx.LBracket) {
      const rootEnd = value.range.end.offset;
      const steps = [
        ...(ctx.Dot ?? []),
        ...(ctx.LBracket ?? []),
        ...(ctx.Name ?? []),
        ...(ctx.Star ?? []),
        ...(ctx.NumberLit ?? []).filter((tok) => tok.startOffset >= rootEnd),
      ].sort((a, b) => a.startOffset - b.startOffset);
      // open splats, innermost last: the steps after one apply to each element
      const splats: { object: ast.Expression; legacy: boolean }[] = [];
      const closeSplat = () => {
        const s = splats.pop()!;
        value = { kind: 'Splat', object: s.object, each: value, legacy: s.legacy, range: this.span(s.object.range, value.range) };
      };
      const openSplat = (star: IToken, legacy: boolean) => {
        splats.push({ object: value, legacy });
        value = { kind: 'SplatItem', range: this.tokenRange(star) };
      };
      let indexExpr = 0;
      for (let k = 0; k < steps.length; k++) {
        const tok = steps[k]!;
        if (tok.tokenType === t.LBracket) {
          // a legacy splat ends at an index
          while (splats.length > 0 && splats[splats.length - 1]!.legacy) closeSplat();
          if (steps[k + 1]?.tokenType === t.Star) {
            k++;
            openSplat(steps[k]!, false);
            continue;
          }
          const index = this.expr(ctx.expression?.[indexExpr++]);
          const close = ctx.RBracket?.find((r) => r.startOffset > index.range.end.offset - 1);
          const end = close ? this.tokenRange(close) : index.range;
          value = { kind: 'Index', object: value, index, range: this.span(value.range, end) };
        } else if (tok.tokenType === t.Dot) {
          const name = steps[k + 1];
          if (name?.tokenType === t.NumberLit) {
            // `x.0` is HCL's legacy spelling of `x[0]`
            k++;
            const index: ast.Literal = { kind: 'Literal', value: Number(name.image), range: this.tokenRange(name) };
            value = { kind: 'Index', object: value, index, range: this.span(value.range, index.range) };
          } else if (name?.tokenType === t.Star) {
            k++;
            openSplat(name, true);
          } else if (name && name.tokenType !== t.Dot && name.tokenType !== t.LBracket) {
            k++;
            value = { kind: 'GetAttr', object: value, name: name.image, range: this.span(value.range, this.tokenRange(name)) };
          } else {
            value = { kind: 'GetAttr', object: value, name: '', range: this.span(value.range, this.tokenRange(tok)) };
          }
        }
      }
      while (splats.length > 0) closeSplat();
    }
    if (prefixCount === 0) return value;
    const prefixes = [...(ctx.Bang ?? []), ...(ctx.Minus ?? [])];
    if (prefixCount > 1) prefixes.sort((a, b) => a.startOffset - b.startOffset);
    for (let k = prefixes.length - 1; k >= 0; k--) {
      const tok = prefixes[k]!;
      value = { kind: 'Unary', op: tok.image as '!' | '-', operand: value, range: this.span(this.tokenRange(tok), value.range) };
    }
    return value;
  }

  /** The primary of an operand that is not a variable. */
  private primaryLiteral(ctx: cst.OperandCstChildren): ast.Expression {
    const literal = (tok: IToken, value: ast.Literal['value']): ast.Literal => ({ kind: 'Literal', value, range: this.tokenRange(tok) });
    if (ctx.True?.[0]) return literal(ctx.True[0], true);
    if (ctx.False?.[0]) return literal(ctx.False[0], false);
    if (ctx.Null?.[0]) return literal(ctx.Null[0], null);
    const sub =
      ctx.templateExpression?.[0] ??
      ctx.heredocExpression?.[0] ??
      ctx.listExpression?.[0] ??
      ctx.objectExpression?.[0] ??
      ctx.functionCall?.[0] ??
      ctx.parenExpression?.[0];
    if (sub) return this.visit(sub, sub) as ast.Expression;
    // a number, unless every number is a `.0` step (then recovery dropped the primary)
    const num = ctx.NumberLit?.[0];
    if (num && (!ctx.Dot || num.startOffset < ctx.Dot[0]!.startOffset)) return literal(num, Number(num.image));
    return this.missing(undefined);
  }

  templateExpression(ctx: cst.TemplateExpressionCstChildren, _node?: CstNode): ast.TemplateExpr {
    this.checkStringEnd(ctx.StringEnd?.[0]);
    if (!ctx.templateInterpolation && !ctx.templateDirective) {
      // the common case: plain text
      const text = ctx.StringText?.[0];
      return { kind: 'Template', parts: [text ? this.decodeString(text) : ''], range: this.between(ctx.StringStart?.[0], ctx.StringEnd?.[0], text ? [this.tokenRange(text)] : []) };
    }
    const pieces = [
      ...(ctx.StringText ?? []).map((tok) => ({ offset: tok.startOffset, part: this.decodeString(tok) })),
      ...this.templatePieces(ctx.templateInterpolation, ctx.templateDirective),
    ].sort(byOffset);
    const inner = pieces.flatMap((p) => (typeof p.part === 'string' ? [] : [p.part.range]));
    return { kind: 'Template', parts: foldDirectives(pieces.map((p) => p.part), this.report), range: this.between(ctx.StringStart?.[0], ctx.StringEnd?.[0], inner) };
  }

  heredocExpression(ctx: cst.HeredocExpressionCstChildren, _node?: CstNode): ast.TemplateExpr {
    const start = ctx.HeredocStart?.[0];
    const heredoc = start ? t.heredocMarker(start.image) : { marker: 'EOT', indent: false };
    const pieces = [
      ...(ctx.HeredocText ?? []).map((tok) => ({ offset: tok.startOffset, part: tok.image })),
      ...this.templatePieces(ctx.templateInterpolation, ctx.templateDirective),
    ].sort(byOffset);
    const texts = ctx.HeredocText ?? [];
    const lastText = texts[texts.length - 1];
    const range = this.between(start, ctx.HeredocEnd?.[0], lastText ? [this.tokenRange(lastText)] : []);
    let parts = pieces.map((p) => p.part);
    if (heredoc.indent) parts = stripIndent(parts as (string | ast.Expression)[]);
    parts = parts.map((p) => (typeof p === 'string' ? unescapeRaw(p) : p));
    return { kind: 'Template', parts: foldDirectives(parts, this.report), heredoc, range };
  }

  /** A template file (templatefile()): raw text like a heredoc's, interpolations and directives. */
  templateFile(ctx: cst.TemplateFileCstChildren, _node?: CstNode): ast.TemplateExpr {
    const pieces = [
      ...(ctx.TemplateFileText ?? []).map((tok) => ({ offset: tok.startOffset, part: unescapeRaw(tok.image), range: this.tokenRange(tok) })),
      ...this.templatePieces(ctx.templateInterpolation, ctx.templateDirective).map((p) => ({ ...p, range: p.part.range })),
    ].sort(byOffset);
    const first = pieces[0]?.range;
    const last = pieces[pieces.length - 1]?.range;
    const range = first && last ? this.span(first, last) : this.emptyRange();
    return { kind: 'Template', parts: foldDirectives(pieces.map((p) => p.part), this.report), range };
  }

  private templatePieces(
    interpolations: cst.TemplateInterpolationCstNode[] | undefined,
    directives: cst.TemplateDirectiveCstNode[] | undefined,
  ): { offset: number; part: ast.Expression | DirectiveTag }[] {
    return [
      ...(interpolations ?? []).map((n) => ({ offset: n.children.TemplateOpen?.[0]?.startOffset ?? 0, part: this.visit(n, n) as ast.Expression })),
      ...(directives ?? []).map((n) => ({ offset: n.children.DirectiveOpen?.[0]?.startOffset ?? 0, part: this.visit(n, n) as DirectiveTag })),
    ];
  }

  templateInterpolation(ctx: cst.TemplateInterpolationCstChildren): ast.Expression {
    const expr = this.expr(ctx.expression?.[0]);
    const open = ctx.TemplateOpen?.[0];
    const strip = { before: open?.image.endsWith('~') ?? false, after: Boolean(ctx.StripRCurly) };
    if (!strip.before && !strip.after) return expr;
    return { kind: 'TemplateInterp', expr, strip, range: this.between(open, ctx.RCurly?.[0] ?? ctx.StripRCurly?.[0], [expr.range]) };
  }

  templateDirective(ctx: cst.TemplateDirectiveCstChildren): DirectiveTag {
    const open = ctx.DirectiveOpen?.[0];
    const close = ctx.RCurly?.[0] ?? ctx.StripRCurly?.[0];
    const strip = { before: open?.image.endsWith('~') ?? false, after: Boolean(ctx.StripRCurly) };
    const range = this.between(open, close);
    const complete = isRealToken(close);
    if (ctx.For) {
      const names = (ctx.Identifier ?? []).map((tok) => tok.image);
      const tag: DirectiveTag = { kind: 'DirectiveTag', tag: 'for', strip, range, complete, valueVar: names[names.length - 1] ?? '', expr: this.expr(ctx.expression?.[0]) };
      if (names.length === 2) tag.keyVar = names[0];
      return tag;
    }
    if (ctx.If) return { kind: 'DirectiveTag', tag: 'if', strip, range, complete, expr: this.expr(ctx.expression?.[0]) };
    return { kind: 'DirectiveTag', tag: ctx.Identifier?.[0]?.image ?? '', strip, range, complete };
  }

  listExpression(ctx: cst.ListExpressionCstChildren): ast.ListExpr | ast.ForExpr {
    if (ctx.forListBody?.[0]) {
      const f = this.forExpr('list', ctx.forListBody[0].children, this.emptyRange());
      f.range = this.between(ctx.LBracket?.[0], ctx.RBracket?.[0], [f.valueExpr.range]);
      return f;
    }
    const list = ctx.listItems?.[0]?.children;
    const items = (list?.expression ?? []).map((n) => this.expr(n));
    return { kind: 'List', items, range: this.between(ctx.LBracket?.[0], list?.RBracket?.[0], items.map((i) => i.range)) };
  }

  objectExpression(ctx: cst.ObjectExpressionCstChildren): ast.ObjectExpr | ast.ForExpr {
    if (ctx.forObjectBody?.[0]) {
      const f = this.forExpr('object', ctx.forObjectBody[0].children, this.emptyRange());
      f.range = this.between(ctx.LCurly?.[0], ctx.RCurly?.[0], [f.valueExpr.range]);
      return f;
    }
    const items = (ctx.objectItem ?? []).map((n) => this.visit(n, n) as ast.ObjectItem);
    return { kind: 'Object', items, range: this.between(ctx.LCurly?.[0], ctx.RCurly?.[0], items.map((i) => i.range)) };
  }

  objectItem(ctx: cst.ObjectItemCstChildren): ast.ObjectItem {
    const name = ctx.Name?.[0];
    if (name) {
      // a bare name key: `a = 1`, `if = 1`
      const keyRange = this.tokenRange(name);
      const value = this.expr(ctx.expression?.[0]);
      return { key: name.image, value, range: value.range.end.offset > keyRange.end.offset ? this.span(keyRange, value.range) : keyRange };
    }
    const key = this.expr(ctx.expression?.[0]);
    const value = this.expr(ctx.expression?.[1]);
    return {
      key: key.kind === 'Variable' ? key.name : key,
      value,
      range: value.range.end.offset > key.range.end.offset ? this.span(key.range, value.range) : key.range,
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

  listItems(): never {
    throw new Error('listItems is visited by listExpression');
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

  functionCall(ctx: cst.FunctionCallCstChildren): ast.CallExpr {
    const args = (ctx.expression ?? []).map((n) => this.expr(n));
    return {
      kind: 'Call',
      name: ctx.Identifier?.[0]?.image ?? '',
      args,
      expandFinal: Boolean(ctx.Ellipsis),
      range: this.between(ctx.Identifier?.[0], ctx.RParen?.[0], args.map((a) => a.range)),
    };
  }

  parenExpression(ctx: cst.ParenExpressionCstChildren): ast.ParenExpr {
    const inner = this.expr(ctx.expression?.[0]);
    return { kind: 'Paren', inner, range: this.between(ctx.LParen?.[0], ctx.RParen?.[0], [inner.range]) };
  }

  // ── strings ─────────────────────────────────────────────────────────────────────────
  private checkStringEnd(end: IToken | undefined): void {
    if (end?.tokenType === t.UnterminatedStringEnd) {
      this.error(`unterminated string, expected '"' before the end of the line`, this.tokenRange(end), 'a quoted string cannot span lines: use a heredoc (<<EOT) for several lines');
    }
  }

  /** The value of a StringText token: escapes decoded, `$${` → `${`. */
  private decodeString(tok: IToken): string {
    return decodeQuoted(tok.image, (i, len) => {
      const at = tok.startOffset + i;
      const column = tok.startColumn! + i;
      this.error(
        `invalid escape sequence ${tok.image.slice(i, i + len)}`,
        {
          file: this.path,
          start: this.pos(tok.startLine!, column, at),
          end: this.pos(tok.startLine!, column + len, at + len),
        },
        'valid escapes are \\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN',
      );
    });
  }
}

/** One tag of a directive, before foldDirectives pairs the tags. */
function emptyBody(): ast.Body {
  return { attributes: [], blocks: [], items: [] };
}

/** Tokens inserted by error recovery have no position. */
export function isRealToken(tok: IToken | undefined): tok is IToken {
  return tok !== undefined && !Number.isNaN(tok.startOffset) && tok.tokenType.name !== 'EOF';
}

let builder: AstBuilder | undefined;
/** The one builder, made on first use (with the parser). */
export function getAstBuilder(): AstBuilder {
  return (builder ??= new AstBuilder());
}
