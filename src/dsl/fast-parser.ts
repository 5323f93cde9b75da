// A fast path for parse(): a hand-written scanner and recursive-descent parser for the common
// forms of the language, building the AST directly from the text (no tokens, no CST). It
// accepts only input that it can parse completely and without any diagnostic; on anything
// else (a syntax error, a bad escape, a heredoc, a template directive, a strip marker, a splat,
// a `.0` step, an unclosed comment, nesting deep enough to exhaust the stack…) it returns undefined
// and parse() takes the chevrotain parser, which reports the errors and recovers. So every
// diagnostic still comes from one place.
//
// The AST it builds must be the one the chevrotain parser and the AstBuilder build, key order
// and ranges included: test/dsl/fast-parser.test.ts compares the two on hand-written forms, the
// examples, the formatter fixtures, the benchmark's files and random configurations (fast-check).
import type * as ast from './ast.js';
import { SourceLines } from './span.js';
import {
  FastAttribute,
  FastBinary,
  FastBlock,
  FastCall,
  FastConditional,
  FastFile,
  FastFor,
  FastGetAttr,
  FastIndex,
  FastList,
  FastLiteral,
  FastObject,
  FastObjectItem,
  FastParen,
  FastTemplate,
  FastUnary,
  FastVariable,
  Ranged,
} from './fast-nodes.js';
import { binaryPrecedence } from './ast.js';
import { decodeQuoted, foldDirectives } from './template-text.js';
import {
  BAIL,
  BANG,
  BINOP,
  COLON,
  COMMA,
  DOT,
  ELLIPSIS,
  EOF,
  EQUALS,
  FATARROW,
  FastScanner,
  IDENT,
  KEYWORDS,
  LBRACK,
  LCURLY,
  LPAREN,
  NL,
  NUMBER,
  QUESTION,
  QUOTE,
  RBRACK,
  RCURLY,
  RPAREN,
} from './fast-scanner.js';

class FastParser extends FastScanner {
  private readonly lines: SourceLines;
  /** The parts of short strings without interpolation, by raw text: `"SELECT"` on every grant
   * is one array (and one string) per file. Nothing changes an AST's arrays once built. */
  private readonly plainParts = new Map<string, string[]>();

  constructor(
    private readonly path: string,
    text: string,
  ) {
    super(text);
    this.lines = new SourceLines(path, text);
  }

  // ── structure ───────────────────────────────────────────────────────────────────────
  file(): ast.File {
    const body = this.body(false);
    if (this.peek() !== EOF) throw BAIL;
    const first = body.items[0];
    const last = body.items[body.items.length - 1];
    return first && last ? new FastFile(this.path, body, this.lines, so(first), eo(last)) : new FastFile(this.path, body, this.lines, 0, 0);
  }

  private body(inBlock: boolean): ast.Body {
    const attributes: ast.Attribute[] = [];
    const blocks: ast.Block[] = [];
    const items: (ast.Attribute | ast.Block)[] = [];
    for (;;) {
      const type = this.peek();
      if (type === NL) {
        this.advance();
        continue;
      }
      if (type === (inBlock ? RCURLY : EOF)) break;
      if (type !== IDENT) throw BAIL;
      if (this.peek2() === EQUALS) {
        const a = this.attribute();
        attributes.push(a);
        items.push(a);
      } else {
        const b = this.block();
        blocks.push(b);
        items.push(b);
      }
    }
    // a body of attributes only (or blocks only) lists them once: `items` is the same array
    const attrs = fit(attributes);
    const blks = fit(blocks);
    return { attributes: attrs, blocks: blks, items: blks.length === 0 ? attrs : attrs.length === 0 ? blks : fit(items) };
  }

  private endOfItem(): void {
    const type = this.peek();
    if (type === NL) this.advance();
    else if (type !== RCURLY && type !== EOF) throw BAIL;
  }

  private attribute(): ast.Attribute {
    const name = this.name();
    const nameStart = this.ts;
    this.advance();
    this.expect(EQUALS);
    const value = this.expression();
    this.endOfItem();
    return new FastAttribute(name, value, this.lines, nameStart);
  }

  private block(): ast.Block {
    const type = this.name();
    if (KEYWORDS.has(type)) throw BAIL;
    const typeStart = this.ts;
    this.advance();
    const labels: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t === IDENT) {
        const label = this.name();
        if (KEYWORDS.has(label)) throw BAIL;
        labels.push(label);
        this.advance();
      } else if (t === QUOTE) {
        labels.push(this.plainString());
      } else break;
    }
    this.expect(LCURLY);
    const body = this.withLayout(false, () => this.body(true));
    if (this.peek() !== RCURLY) throw BAIL;
    const end = this.te;
    this.advance();
    this.endOfItem();
    return new FastBlock(type, fit(labels), body, this.lines, typeStart, end);
  }

  /** A quoted string without interpolation (a block label), decoded; at its opening quote. */
  private plainString(): string {
    const text = this.text;
    let i = this.ts + 1;
    const from = i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c !== c || c === 10 || c === 13) throw BAIL;
      if (c === 92) {
        const next = text.charCodeAt(i + 1);
        if (next !== next || next === 10 || next === 13) throw BAIL;
        i += 2;
        continue;
      }
      if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === 123) throw BAIL;
      if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === 123) {
        i += 3;
        continue;
      }
      i++;
    }
    this.pos = i + 1;
    this.scanned = false;
    return decodeString(text.slice(from, i));
  }

  // ── expressions ─────────────────────────────────────────────────────────────────────
  private expression(): ast.Expression {
    const first = this.operand();
    let chain: ast.Expression;
    if (this.peek() !== BINOP) chain = first;
    else {
      const operands = [first];
      const ops: ast.BinaryOp[] = [];
      while (this.peek() === BINOP) {
        ops.push(this.image() as ast.BinaryOp);
        this.advance();
        operands.push(this.operand());
      }
      let i = 0;
      const climb = (minPrec: number): ast.Expression => {
        let left = operands[i]!;
        while (i < ops.length) {
          const op = ops[i]!;
          const prec = binaryPrecedence[op];
          if (prec < minPrec) break;
          i++;
          const right = climb(prec + 1);
          left = new FastBinary(op, left, right, this.lines);
        }
        return left;
      };
      chain = climb(0);
    }
    if (this.peek() !== QUESTION) return chain;
    this.advance();
    const then = this.expression();
    this.expect(COLON);
    const otherwise = this.expression();
    return new FastConditional(chain, then, otherwise, this.lines);
  }

  private operand(): ast.Expression {
    let prefixes: { op: '!' | '-'; start: number }[] | undefined;
    for (;;) {
      const t = this.peek();
      if (t === BANG || (t === BINOP && this.text.charCodeAt(this.ts) === 45 && this.te === this.ts + 1)) {
        (prefixes ??= []).push({ op: t === BANG ? '!' : '-', start: this.ts });
        this.advance();
      } else break;
    }
    let value = this.primary();
    // `.name` and `[index]` steps
    for (;;) {
      const t = this.peek();
      if (t === DOT) {
        this.advance();
        if (this.peek() !== IDENT) throw BAIL; // `.0`, `.*`
        value = new FastGetAttr(value, this.name(), this.lines, this.te);
        this.advance();
      } else if (t === LBRACK) {
        this.advance();
        const index = this.withLayout(true, () => {
          if (this.peek() === BINOP && this.text.charCodeAt(this.ts) === 42) throw BAIL; // `[*]`
          const e = this.expression();
          if (this.peek() !== RBRACK) throw BAIL;
          return e;
        });
        value = new FastIndex(value, index, this.lines, this.te);
        this.advance();
      } else break;
    }
    if (prefixes) {
      for (let k = prefixes.length - 1; k >= 0; k--) {
        const p = prefixes[k]!;
        value = new FastUnary(p.op, value, this.lines, p.start);
      }
    }
    return value;
  }

  private primary(): ast.Expression {
    switch (this.peek()) {
      case NUMBER: {
        const v = new FastLiteral(Number(this.image()), this.lines, this.ts, this.te);
        this.advance();
        return v;
      }
      case IDENT: {
        const name = this.name();
        if (name === 'true' || name === 'false' || name === 'null') {
          const v = new FastLiteral(name === 'null' ? null : name === 'true', this.lines, this.ts, this.te);
          this.advance();
          return v;
        }
        if (KEYWORDS.has(name)) throw BAIL;
        if (this.peek2() === LPAREN) return this.call(name);
        const v = new FastVariable(name, this.lines, this.ts, this.te);
        this.advance();
        return v;
      }
      case QUOTE:
        return this.template();
      case LBRACK:
        return this.list();
      case LCURLY:
        return this.object();
      case LPAREN: {
        const start = this.ts;
        this.advance();
        const inner = this.withLayout(true, () => {
          const e = this.expression();
          if (this.peek() !== RPAREN) throw BAIL;
          return e;
        });
        const v = new FastParen(inner, this.lines, start, this.te);
        this.advance();
        return v;
      }
      default:
        throw BAIL;
    }
  }

  private call(name: string): ast.CallExpr {
    const start = this.ts;
    this.advance(); // the name
    this.advance(); // (
    let expandFinal = false;
    const args = this.withLayout(true, () => {
      const out: ast.Expression[] = [];
      if (this.peek() === RPAREN) return out;
      out.push(this.expression());
      for (;;) {
        const t = this.peek();
        if (t === ELLIPSIS) {
          this.advance();
          expandFinal = true;
          if (this.peek() === COMMA) this.advance();
          break;
        }
        if (t !== COMMA) break;
        this.advance();
        if (this.peek() === RPAREN) break;
        out.push(this.expression());
      }
      if (this.peek() !== RPAREN) throw BAIL;
      return fit(out);
    });
    const v = new FastCall(name, args, expandFinal, this.lines, start, this.te);
    this.advance();
    return v;
  }

  private list(): ast.ListExpr | ast.ForExpr {
    const start = this.ts;
    this.advance();
    const layout = this.layout;
    this.layout = true;
    if (this.peek() === IDENT && this.isWord('for')) {
      const f = this.forExpr('list', RBRACK, start);
      this.layout = layout;
      this.advance();
      return f;
    }
    this.layout = layout;
    const items = this.withLayout(true, () => {
      const out: ast.Expression[] = [];
      const first = this.peek();
      if (first === RBRACK) return out;
      out.push(this.expression());
      while (this.peek() === COMMA) {
        this.advance();
        if (this.peek() === RBRACK) break;
        out.push(this.expression());
      }
      if (this.peek() !== RBRACK) throw BAIL;
      return fit(out);
    });
    const v = new FastList(items, this.lines, start, this.te);
    this.advance();
    return v;
  }

  private object(): ast.ObjectExpr | ast.ForExpr {
    const start = this.ts;
    this.advance();
    // `{ for k, v in coll : key => value }` (newlines are layout in it); `{ for = 1 }` is an object
    const saved = { pos: this.pos, scanned: this.scanned, tt: this.tt, ts: this.ts, te: this.te };
    const layout = this.layout;
    this.layout = true;
    if (this.peek() === IDENT && this.isWord('for')) {
      const next = this.peek2();
      if (next !== EQUALS && next !== COLON) {
        const f = this.forExpr('object', RCURLY, start);
        this.layout = layout;
        this.advance();
        return f;
      }
    }
    this.layout = layout;
    Object.assign(this, saved);
    const items = this.withLayout(false, () => {
      const out: ast.ObjectItem[] = [];
      for (;;) {
        const t = this.peek();
        if (t === NL) {
          this.advance();
          continue;
        }
        if (t === RCURLY) break;
        out.push(this.objectItem());
        const sep = this.peek();
        if (sep === COMMA || sep === NL) this.advance();
        else if (sep !== RCURLY) throw BAIL;
      }
      return fit(out);
    });
    const v = new FastObject(items, this.lines, start, this.te);
    this.advance();
    return v;
  }

  /** `for k, v in coll : value if cond` or `for k, v in coll : key => value... if cond`, up to
   * the closing bracket (the current token when it returns); newlines are layout. */
  private forExpr(result: 'list' | 'object', close: number, start: number): ast.ForExpr {
    this.advance(); // for
    const names = [this.identifier()];
    if (this.peek() === COMMA) {
      this.advance();
      names.push(this.identifier());
    }
    if (this.peek() !== IDENT || !this.isWord('in')) throw BAIL;
    this.advance();
    const collection = this.expression();
    this.expect(COLON);
    let keyExpr: ast.Expression | undefined;
    let valueExpr = this.expression();
    let grouping = false;
    if (result === 'object') {
      this.expect(FATARROW);
      keyExpr = valueExpr;
      valueExpr = this.expression();
      if (this.peek() === ELLIPSIS) {
        this.advance();
        grouping = true;
      }
    }
    let condition: ast.Expression | undefined;
    if (this.peek() === IDENT && this.isWord('if')) {
      this.advance();
      condition = this.expression();
    }
    if (this.peek() !== close) throw BAIL;
    const optional = { keyVar: names.length === 2 ? names[0] : undefined, keyExpr, condition };
    return new FastFor(result, names[names.length - 1]!, collection, valueExpr, grouping, optional, this.lines, start, this.te);
  }

  /** An identifier that is not a keyword (a for's variables). */
  private identifier(): string {
    if (this.peek() !== IDENT) throw BAIL;
    const name = this.image();
    if (KEYWORDS.has(name)) throw BAIL;
    this.advance();
    return name;
  }


  private objectItem(): ast.ObjectItem {
    let key: string | ast.Expression;
    let keyStart: number;
    let keyEnd: number;
    const next = this.peek() === IDENT ? this.peek2() : EOF;
    if (next === EQUALS || next === COLON) {
      key = this.name();
      keyStart = this.ts;
      keyEnd = this.te;
      this.advance();
    } else {
      const k = this.expression();
      key = k.kind === 'Variable' ? k.name : k;
      keyStart = so(k);
      keyEnd = eo(k);
    }
    const sep = this.peek();
    if (sep !== EQUALS && sep !== COLON) throw BAIL;
    this.advance();
    const value = this.expression();
    return new FastObjectItem(key, value, this.lines, keyStart, eo(value) > keyEnd ? eo(value) : keyEnd);
  }

  /** `"text ${expr} text"`: at its opening quote. */
  private template(): ast.TemplateExpr {
    const start = this.ts;
    const text = this.text;
    const parts: (string | ast.Expression)[] = [];
    let i = this.ts + 1;
    let from = i;
    let interpolated = false;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c !== c || c === 10 || c === 13) throw BAIL; // unterminated
      if (c === 92) {
        const next = text.charCodeAt(i + 1);
        if (next !== next || next === 10 || next === 13) throw BAIL;
        i += 2;
        continue;
      }
      if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === 123) {
        i += 3;
        continue;
      }
      if (c === 37 && text.charCodeAt(i + 1) === 123) throw BAIL; // a directive
      if (c === 36 && text.charCodeAt(i + 1) === 123) {
        if (text.charCodeAt(i + 2) === 126) throw BAIL; // `${~`
        if (i > from) parts.push(decodeString(text.slice(from, i)));
        interpolated = true;
        this.pos = i + 2;
        this.scanned = false;
        const e = this.withLayout(true, () => {
          const x = this.expression();
          if (this.peek() !== RCURLY) throw BAIL; // `~}` or a syntax error
          return x;
        });
        parts.push(e);
        i = this.te;
        from = i;
        continue;
      }
      i++;
    }
    this.pos = i + 1;
    this.scanned = false;
    if (!interpolated) return new FastTemplate(this.plainPart(text, from, i), this.lines, start, i + 1);
    if (i > from) parts.push(decodeString(text.slice(from, i)));
    return new FastTemplate(foldDirectives(parts, bail), this.lines, start, i + 1);
  }

  /** The parts of a string without interpolation: its decoded text[from, to). */
  private plainPart(text: string, from: number, to: number): string[] {
    if (to - from > MAX_SHARED_PART) return [decodeString(text.slice(from, to))];
    const raw = text.slice(from, to);
    let parts = this.plainParts.get(raw);
    if (!parts) this.plainParts.set(raw, (parts = [decodeString(raw)]));
    return parts;
  }
}

/** Strings up to this many characters share their parts array (longer ones are mostly unique). */
const MAX_SHARED_PART = 24;

/** Where a node built here starts and ends (offsets; every node of the fast path is Ranged). */
const so = (n: object): number => Ranged.start(n);
const eo = (n: object): number => Ranged.end(n);

/** An array grown by push holds room for 17 elements: the AST keeps an exact copy. */
function fit<T>(a: T[]): T[] {
  return a.length === 0 ? a : a.slice();
}

function bail(): never {
  throw BAIL;
}

/** The value of a quoted string's raw text; an invalid escape bails (the AstBuilder reports it). */
function decodeString(raw: string): string {
  return decodeQuoted(raw, bail);
}

/** The AST of a file in the common forms, or undefined: then the chevrotain parser decides. */
export function fastParse(path: string, text: string): ast.File | undefined {
  try {
    return new FastParser(path, text).file();
  } catch (err) {
    if (err === BAIL || err instanceof RangeError) return undefined;
    throw err;
  }
}
