// The tokens of the xp language, each exported by name, and the lexer built from them.
//
// The lexer has three modes, so that `${…}` can nest anywhere:
//   expr     — expressions and block bodies (the default);
//   string   — inside "…": text, `${` (pushes expr) and the closing quote (pops);
//   heredoc  — inside <<EOT … EOT: text, `${` and the end marker (pops).
// Every `{` and `${` pushes expr and every `}` pops it, so the `}` that closes an
// interpolation returns to the string or heredoc it came from.
import type { CustomPatternMatcherFunc, IToken, Lexer as LexerType, TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

/**
 * The first characters a custom-matched token can start with, for chevrotain's first-character
 * optimisation: without a `start_chars_hint` on every custom pattern of a mode, the lexer tries
 * every pattern of the mode at every character (3× slower). buildLexer(true) (run by
 * test/dsl/definitions.test.ts) sets `ensureOptimizations`, which fails when a mode is not optimised.
 *
 * Every character but `excluded`: all codes below 256, and above that one code per block of 255,
 * which is how chevrotain 11 buckets the rest (charCodeToOptimizedIndex); listing all 65,536
 * codes costs ~3 ms per token at start-up. test/dsl/definitions.test.ts lexes every code.
 */
function everyCharExcept(...excluded: string[]): number[] {
  const skip = new Set(excluded.map((c) => c.charCodeAt(0)));
  const out: number[] = [];
  for (let code = 0; code < 256; code++) if (!skip.has(code)) out.push(code);
  for (let code = 256; code < 0x10000; code += 255) out.push(code);
  out.push(0xffff);
  return out;
}

// ── trivia ────────────────────────────────────────────────────────────────────────────
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\uFEFF]+/, group: Lexer.SKIPPED });
/** A \r that does not start a CRLF line break. */
export const CarriageReturn = createToken({ name: 'CarriageReturn', pattern: /\r/, group: Lexer.SKIPPED, line_breaks: false });
/** A newline ends an attribute or a block. Inside `(…)`, `[…]`, `${…}` and `{ for … }` newlines
 * are insignificant: significantNewlines() drops them after lexing. */
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n/, label: 'end of line', line_breaks: true });
/** `# …` and `// …` up to the end of the line. */
export const LineComment = createToken({ name: 'LineComment', pattern: /(?:#|\/\/)[^\r\n]*/, group: 'comments' });
/**
 * `/* … *\/`, up to the first `*\/`. Code, not /\/\*[^*]*\*+(?:[^/*][^*]*\*+)*\//: that expression
 * takes a stack frame per `*` and overflowed on a long comment full of them.
 */
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: {
    exec: (text, offset) => {
      if (text.charCodeAt(offset) !== 47 /* / */ || text.charCodeAt(offset + 1) !== 42 /* * */) return null;
      const end = text.indexOf('*/', offset + 2);
      return end < 0 ? null : ([text.slice(offset, end + 2)] as unknown as RegExpExecArray);
    },
  },
  start_chars_hint: ['/'],
  group: 'comments',
  line_breaks: true,
});
/** `/*` never closed: swallows the rest of the file; parse() reports it. */
export const UnclosedBlockComment = createToken({
  name: 'UnclosedBlockComment',
  pattern: /\/\*[\s\S]*/,
  group: 'comments',
  line_breaks: true,
});

// ── identifiers and keywords ──────────────────────────────────────────────────────────
/** HCL identifiers: letters, digits, `_` and `-` (`acc-owner` is one name). */
/** A name: an identifier or a keyword. HCL's keywords are names where a name is expected (an
 * attribute `in = …`, a key `{ if = 1 }`, a step `x.for`). */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'identifier' });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_-]*/, label: 'identifier', categories: [Name] });
const keyword = (word: string) =>
  createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'`, categories: [Name] });
export const True = keyword('true');
export const False = keyword('false');
export const Null = keyword('null');
export const For = keyword('for');
export const In = keyword('in');
export const If = keyword('if');

export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  label: 'number',
});

// ── punctuation and operators ─────────────────────────────────────────────────────────
/** Every binary operator is also a BinaryOperator, so that the grammar has one precedence-free
 * rule for chains (`a + b * c`) and the visitor applies precedence (faster than one rule per level). */
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA, label: 'operator' });
const op = (name: string, image: string, binary = false) =>
  createToken({
    name,
    pattern: image,
    label: `'${image}'`,
    ...(binary ? { categories: [BinaryOperator] } : {}),
  });

export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'", push_mode: 'expr' });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'", pop_mode: true });
/** `~}`: the end of an interpolation or a directive that strips the whitespace after it. */
export const StripRCurly = createToken({ name: 'StripRCurly', pattern: '~}', label: "'~}'", pop_mode: true });
export const LBracket = op('LBracket', '[');
export const RBracket = op('RBracket', ']');
export const LParen = op('LParen', '(');
export const RParen = op('RParen', ')');
export const Comma = op('Comma', ',');
export const Ellipsis = op('Ellipsis', '...');
export const Dot = op('Dot', '.');
export const FatArrow = op('FatArrow', '=>');
export const EqEq = op('EqEq', '==', true);
export const Equals = op('Equals', '=');
export const NotEq = op('NotEq', '!=', true);
export const Bang = op('Bang', '!');
export const AndAnd = op('AndAnd', '&&', true);
export const OrOr = op('OrOr', '||', true);
export const LessEq = op('LessEq', '<=', true);
export const Less = op('Less', '<', true);
export const GreaterEq = op('GreaterEq', '>=', true);
export const Greater = op('Greater', '>', true);
export const Plus = op('Plus', '+', true);
export const Minus = op('Minus', '-', true);
export const Star = op('Star', '*', true);
export const Slash = op('Slash', '/', true);
export const Percent = op('Percent', '%', true);
export const Question = op('Question', '?');
export const Colon = op('Colon', ':');

// ── strings and templates ─────────────────────────────────────────────────────────────
export const StringStart = createToken({ name: 'StringStart', pattern: '"', label: 'string', push_mode: 'string' });
export const StringEnd = createToken({ name: 'StringEnd', pattern: '"', label: "'\"'", pop_mode: true });
/** A newline before the closing quote ends the string anyway (so that the rest of the file
 * lexes normally); it counts as a StringEnd and the visitor reports it. */
export const UnterminatedStringEnd = createToken({
  name: 'UnterminatedStringEnd',
  pattern: /\r?\n/,
  categories: [StringEnd],
  line_breaks: true,
  pop_mode: true,
});
/**
 * Raw text between quotes, escapes undecoded; `$${` is a literal `${`. A loop, not a regular
 * expression: /(?:[^"\\$\r\n]|\\[^\r\n]|\$\$\{|\$(?!\{))+/ backtracks one stack frame per
 * character and overflowed the stack on a long literal (a 10 MB string was "nested too deeply").
 */
const matchStringText: CustomPatternMatcherFunc = (text, offset) => {
  let i = offset;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */ || c === 10 || c === 13) break;
    if (c === 92 /* \ */) {
      const next = text.charCodeAt(i + 1);
      if (i + 1 >= n || next === 10 || next === 13) break;
      i += 2;
      continue;
    }
    if (c === 36 /* $ */ && text.charCodeAt(i + 1) === 123 /* { */) break;
    if (c === 37 /* % */ && text.charCodeAt(i + 1) === 123 /* { */) break;
    if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === 123) {
      i += 3;
      continue;
    }
    i++;
  }
  return i > offset ? ([text.slice(offset, i)] as unknown as RegExpExecArray) : null;
};
export const StringText = createToken({
  name: 'StringText',
  pattern: { exec: matchStringText },
  start_chars_hint: everyCharExcept('"', '\n', '\r'),
  label: 'string text',
  line_breaks: false,
});
/** `${` opens an interpolation in a string or heredoc; its `}` is an RCurly (or a StripRCurly).
 * `${~` strips the whitespace before it. */
export const TemplateOpen = createToken({ name: 'TemplateOpen', pattern: /\$\{~?/, label: "'${'", push_mode: 'expr' });
/** `%{` opens a directive (`%{ if c }`, `%{ for x in xs }`, `%{ else }`, `%{ endif }`, `%{ endfor }`);
 * `%{~` strips the whitespace before it. */
export const DirectiveOpen = createToken({ name: 'DirectiveOpen', pattern: /%\{~?/, label: "'%{'", push_mode: 'expr' });

// ── heredocs ──────────────────────────────────────────────────────────────────────────
/** `<<EOT` or `<<-EOT` and the end of its line. */
export const HeredocStart = createToken({
  name: 'HeredocStart',
  pattern: /<<-?[A-Za-z_][A-Za-z0-9_-]*[ \t]*\r?\n/,
  label: 'heredoc',
  line_breaks: true,
  push_mode: 'heredoc',
});

/** The marker of a HeredocStart image: `<<-EOT\n` → { marker: 'EOT', indent: true }. */
export function heredocMarker(image: string): { marker: string; indent: boolean } {
  const indent = image[2] === '-';
  return { marker: image.slice(indent ? 3 : 2).trimEnd(), indent };
}

/** The marker of the innermost heredoc still open at the end of `tokens`. */
function openHeredoc(tokens: IToken[]): string | undefined {
  let depth = 0;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!.tokenType;
    if (t === HeredocEnd) depth++;
    else if (t === HeredocStart) {
      if (depth === 0) return heredocMarker(tokens[i]!.image).marker;
      depth--;
    }
  }
  return undefined;
}

/** Length of the end-marker line at `offset` (`  EOT`), or -1. Only at the start of a line. */
function markerLineLength(text: string, offset: number, marker: string): number {
  if (offset > 0 && text.charCodeAt(offset - 1) !== 10) return -1;
  let i = offset;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (!text.startsWith(marker, i)) return -1;
  let j = i + marker.length;
  while (text[j] === ' ' || text[j] === '\t') j++;
  if (j < text.length && text[j] !== '\n' && text[j] !== '\r') return -1;
  return i + marker.length - offset;
}

const matchHeredocText: CustomPatternMatcherFunc = (text, offset, tokens) => {
  const marker = openHeredoc(tokens);
  if (marker === undefined) return null;
  let i = offset;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if ((i === offset || text.charCodeAt(i - 1) === 10) && markerLineLength(text, i, marker) >= 0) break;
    if (c === 36 /* $ */ || c === 37 /* % */) {
      if (text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === 123 /* { */) {
        i += 3;
        continue;
      }
      if (text.charCodeAt(i + 1) === 123 /* { */) break;
    }
    i++;
  }
  return i > offset ? ([text.slice(offset, i)] as unknown as RegExpExecArray) : null;
};

const matchHeredocEnd: CustomPatternMatcherFunc = (text, offset, tokens) => {
  const marker = openHeredoc(tokens);
  if (marker === undefined) return null;
  const n = markerLineLength(text, offset, marker);
  return n >= 0 ? ([text.slice(offset, offset + n)] as unknown as RegExpExecArray) : null;
};

/** Raw heredoc text up to `${`, `%{` or the end-marker line. */
export const HeredocText = createToken({
  name: 'HeredocText',
  pattern: { exec: matchHeredocText },
  start_chars_hint: everyCharExcept(),
  label: 'heredoc text',
  line_breaks: true,
});
/** The line holding only the marker (indentation allowed). */
export const HeredocEnd = createToken({
  name: 'HeredocEnd',
  pattern: { exec: matchHeredocEnd },
  // indentation, then the marker (an identifier)
  start_chars_hint: [' ', '\t', '_', ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'],
  label: 'heredoc end marker',
  line_breaks: false,
  pop_mode: true,
});

// ── modes, ordered: the first pattern that matches wins ───────────────────────────────
const exprMode: TokenType[] = [
  WhiteSpace,
  // CRLF before a lone CR
  Newline,
  CarriageReturn,
  // comments before `/`; the closed form before the unclosed one
  LineComment,
  BlockComment,
  UnclosedBlockComment,
  // heredocs before `<=` and `<`
  HeredocStart,
  StringStart,
  LCurly,
  RCurly,
  StripRCurly,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  // `...` before `.`
  Ellipsis,
  Dot,
  // two-character operators before their one-character prefixes
  FatArrow,
  EqEq,
  Equals,
  NotEq,
  Bang,
  AndAnd,
  OrOr,
  LessEq,
  Less,
  GreaterEq,
  Greater,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Question,
  Colon,
  NumberLit,
  // keywords before Identifier (each has longer_alt: Identifier, so `format` is not `for`+`mat`)
  True,
  False,
  Null,
  For,
  In,
  If,
  Identifier,
];

const stringMode: TokenType[] = [StringText, TemplateOpen, DirectiveOpen, StringEnd, UnterminatedStringEnd];
// the end marker before text: text stops at a marker line, which HeredocEnd then takes
const heredocMode: TokenType[] = [HeredocEnd, TemplateOpen, DirectiveOpen, HeredocText];

/** Raw text of a template file (templatefile()): everything up to `${` or `%{`. */
const matchTemplateText: CustomPatternMatcherFunc = (text, offset) => {
  let i = offset;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 36 /* $ */ || c === 37 /* % */) {
      if (text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === 123 /* { */) {
        i += 3;
        continue;
      }
      if (text.charCodeAt(i + 1) === 123 /* { */) break;
    }
    i++;
  }
  return i > offset ? ([text.slice(offset, i)] as unknown as RegExpExecArray) : null;
};
/** The text of a template file: raw like a heredoc's (`$${` and `%%{` are the only escapes). */
export const TemplateFileText = createToken({
  name: 'TemplateFileText',
  pattern: { exec: matchTemplateText },
  start_chars_hint: everyCharExcept(),
  label: 'template text',
  line_breaks: true,
});
const templateMode: TokenType[] = [TemplateOpen, DirectiveOpen, TemplateFileText];

/** Every token type (the parser's vocabulary), categories included. */
export const allTokens: TokenType[] = [
  ...exprMode,
  Name,
  BinaryOperator,
  TemplateOpen,
  DirectiveOpen,
  TemplateFileText,
  StringText,
  StringEnd,
  UnterminatedStringEnd,
  HeredocText,
  HeredocEnd,
];

/**
 * The lexer. `validate` checks the token definitions (costly: a fifth of a small command's
 * parse); xp skips it at run time, test/dsl/definitions.test.ts runs it. `safeMode` (tests only)
 * turns chevrotain's first-character optimisation off: the reference the optimised lexer must match.
 */
export function buildLexer(validate: boolean, safeMode = false): LexerType {
  return new Lexer(
    { modes: { expr: exprMode, string: stringMode, heredoc: heredocMode, template: templateMode }, defaultMode: 'expr' },
    {
      positionTracking: 'full',
      // every mode gets the first-character optimisation (see everyCharExcept); checked with the definitions
      ensureOptimizations: validate && !safeMode,
      safeMode,
      skipValidations: !validate,
      // lines end at \n (a \r before it is whitespace): CRLF files count lines like LF files
      lineTerminatorsPattern: /\n/g,
      lineTerminatorCharacters: ['\n'],
      errorMessageProvider: {
        // a stray `}` at top level: the parser reports it with a better message
        buildUnableToPopLexerModeMessage: () => '',
        buildUnexpectedCharactersMessage: (text, offset, length) =>
          length === 1
            ? `unexpected character ${JSON.stringify(text.charAt(offset))}`
            : `unexpected characters ${JSON.stringify(text.slice(offset, offset + length))}`,
      },
    },
  );
}

let built: LexerType | undefined;
/** The lexer, built on first use: the fast path of parse() needs none. */
export function getLexer(): LexerType {
  return (built ??= buildLexer(false));
}

/**
 * The tokens the parser sees: newlines are kept only where they separate items, at the top
 * level and directly inside `{ … }` (block bodies and objects); elsewhere they are layout.
 */
export function significantNewlines(tokens: IToken[]): { tokens: IToken[]; topLevelNewlines: number[]; depth: number } {
  const out: IToken[] = [];
  /** Indices in `out` of the newlines outside any bracket (where top-level items end). */
  const topLevelNewlines: number[] = [];
  // one entry per open bracket: true when newlines inside it are significant
  const stack: boolean[] = [];
  let significant = true;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const type = tok.tokenType;
    if (type === Newline) {
      if (significant) {
        if (stack.length === 0) topLevelNewlines.push(out.length);
        out.push(tok);
      }
      continue;
    }
    out.push(tok);
    // the newline that cut a string short still ends the attribute
    if (type === UnterminatedStringEnd && significant) out.push({ ...tok, tokenType: Newline, tokenTypeIdx: Newline.tokenTypeIdx! });
    if (type === LCurly) {
      stack.push(significant);
      let j = i + 1;
      while (tokens[j]?.tokenType === Newline) j++;
      // `{ for x in xs : … }` is a for expression; `{ for = 1 }` an object with the key "for"
      significant = tokens[j]?.tokenType !== For || tokens[j + 1]?.tokenType === Equals || tokens[j + 1]?.tokenType === Colon;
    } else if (type === LParen || type === LBracket || type === TemplateOpen || type === DirectiveOpen) {
      stack.push(significant);
      significant = false;
    } else if (type === RCurly || type === StripRCurly || type === RParen || type === RBracket) {
      if (stack.length > 0) significant = stack.pop()!;
    }
  }
  return { tokens: out, topLevelNewlines, depth: stack.length };
}
