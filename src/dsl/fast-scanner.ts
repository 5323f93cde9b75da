// The scanner of the fast path of parse() (fast-parser.ts): tokens read from the text on demand,
// one at a time, without token objects; the parser reads the current token's type and offsets.
// Newlines are tokens where they separate items (block bodies, objects, the top level) and
// layout inside `(…)`, `[…]`, `${…}` and `{ for … }`, as significantNewlines() decides for the
// chevrotain lexer's tokens. Anything the lexer would not take, or the fast path does not
// handle (a heredoc, `=>`…), throws BAIL.

/** Thrown (and caught in fastParse) where the fast path gives up: one instance, made once. */
export const BAIL = new Error('left to the chevrotain parser');

// token types
export const EOF = 0;
export const NL = 1;
export const IDENT = 2;
export const NUMBER = 3;
export const QUOTE = 4;
export const LCURLY = 5;
export const RCURLY = 6;
export const LBRACK = 7;
export const RBRACK = 8;
export const LPAREN = 9;
export const RPAREN = 10;
export const COMMA = 11;
export const ELLIPSIS = 12;
export const DOT = 13;
export const EQUALS = 14;
export const BINOP = 15;
export const BANG = 16;
export const QUESTION = 17;
export const COLON = 18;
export const FATARROW = 19;

export const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if']);

/** The scanner's state: the text, the position, and the current token. */
export class FastScanner {
  protected pos = 0;
  /** Newlines are layout (inside `(…)`, `[…]`, `${…}`), not tokens. */
  protected layout = false;
  // the current token: scanned lazily (`scanned`), [ts, te) (positions come from offsets: Span)
  protected scanned = false;
  protected tt = EOF;
  protected ts = 0;
  protected te = 0;
  private readonly names = new Map<string, string>();

  constructor(protected readonly text: string) {}

  // ── scanner ─────────────────────────────────────────────────────────────────────────
  /** Skip whitespace and comments (and newlines when they are layout). */
  private skipTrivia(): void {
    const text = this.text;
    const n = text.length;
    let i = this.pos;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 12 || c === 0xfeff) i++;
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10 && !this.layout) break;
        i++;
      } else if (c === 10) {
        if (!this.layout) break;
        i++;
      } else if (c === 35 /* # */ || (c === 47 /* / */ && text.charCodeAt(i + 1) === 47)) {
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 10 || d === 13) break;
          i++;
        }
      } else if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) throw BAIL;
        i = end + 2;
      } else break;
    }
    this.pos = i;
  }

  /** The type of the current token (scanning it if needed). */
  protected peek(): number {
    if (this.scanned) return this.tt;
    this.skipTrivia();
    const text = this.text;
    const i = this.pos;
    this.ts = i;
    this.scanned = true;
    if (i >= text.length) {
      this.te = i;
      return (this.tt = EOF);
    }
    const c = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    let type: number;
    let len = 1;
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      let j = i + 1;
      for (;;) {
        const d = text.charCodeAt(j);
        if ((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || (d >= 48 && d <= 57) || d === 95 || d === 45) j++;
        else break;
      }
      type = IDENT;
      len = j - i;
    } else if (c >= 48 && c <= 57) {
      // /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/
      let j = i + 1;
      while (isDigit(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) {
        j += 2;
        while (isDigit(text.charCodeAt(j))) j++;
      }
      const e = text.charCodeAt(j);
      if (e === 101 || e === 69) {
        let k = j + 1;
        const s = text.charCodeAt(k);
        if (s === 43 || s === 45) k++;
        if (isDigit(text.charCodeAt(k))) {
          k++;
          while (isDigit(text.charCodeAt(k))) k++;
          j = k;
        }
      }
      type = NUMBER;
      len = j - i;
    } else {
      switch (c) {
        case 10:
          type = NL;
          break;
        case 13: // \r\n (skipTrivia stops at a \r only before a \n)
          type = NL;
          len = 2;
          break;
        case 34:
          type = QUOTE;
          break;
        case 123:
          type = LCURLY;
          break;
        case 125:
          type = RCURLY;
          break;
        case 91:
          type = LBRACK;
          break;
        case 93:
          type = RBRACK;
          break;
        case 40:
          type = LPAREN;
          break;
        case 41:
          type = RPAREN;
          break;
        case 44:
          type = COMMA;
          break;
        case 46:
          if (c1 === 46 && text.charCodeAt(i + 2) === 46) {
            type = ELLIPSIS;
            len = 3;
          } else type = DOT;
          break;
        case 61: // = == =>
          if (c1 === 62) {
            type = FATARROW;
            len = 2;
          } else if (c1 === 61) {
            type = BINOP;
            len = 2;
          } else type = EQUALS;
          break;
        case 33: // ! !=
          if (c1 === 61) {
            type = BINOP;
            len = 2;
          } else type = BANG;
          break;
        case 38: // &&
          if (c1 !== 38) throw BAIL;
          type = BINOP;
          len = 2;
          break;
        case 124: // ||
          if (c1 !== 124) throw BAIL;
          type = BINOP;
          len = 2;
          break;
        case 60: // < <= (<< is a heredoc)
          if (c1 === 60) throw BAIL;
          type = BINOP;
          if (c1 === 61) len = 2;
          break;
        case 62: // > >=
          type = BINOP;
          if (c1 === 61) len = 2;
          break;
        case 43:
        case 45:
        case 42:
        case 37:
          type = BINOP;
          break;
        case 47: // `/` (comments were skipped)
          type = BINOP;
          break;
        case 63:
          type = QUESTION;
          break;
        case 58:
          type = COLON;
          break;
        default:
          throw BAIL;
      }
    }
    this.te = i + len;
    return (this.tt = type);
  }

  /** Consume the current token. */
  protected advance(): void {
    if (!this.scanned) this.peek();
    this.pos = this.te;
    this.scanned = false;
  }

  protected expect(type: number): void {
    if (this.peek() !== type) throw BAIL;
    this.advance();
  }

  /** The type of the token after the current one. */
  protected peek2(): number {
    const tt = this.peek();
    const { pos, ts, te } = this;
    this.advance();
    const type = this.peek();
    this.pos = pos;
    this.tt = tt;
    this.ts = ts;
    this.te = te;
    this.scanned = true;
    return type;
  }

  protected image(): string {
    return this.text.slice(this.ts, this.te);
  }

  /** The current token's text, one string per distinct name: the same attribute and block
   * names recur on every resource, and the AST keeps them all. */
  protected name(): string {
    const image = this.text.slice(this.ts, this.te);
    const known = this.names.get(image);
    if (known !== undefined) return known;
    this.names.set(image, image);
    return image;
  }

  /** Run `f` with newlines as layout (or not), then restore the mode. */
  protected withLayout<T>(layout: boolean, f: () => T): T {
    const saved = this.layout;
    this.layout = layout;
    try {
      return f();
    } finally {
      this.layout = saved;
    }
  }

  /** Whether the current (IDENT) token is `word`. */
  protected isWord(word: string): boolean {
    return this.te - this.ts === word.length && this.text.startsWith(word, this.ts);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
