// The public entry of the language front end: text → { ast, diagnostics }, in stages
// (lex, parse, build the AST). Never throws for user input: every problem is a Diagnostic.
import type { IRecognitionException, IToken } from 'chevrotain';
import type { File, TemplateExpr } from './ast.js';
import type { Diagnostic, SourceRange } from './diagnostics.js';
import {
  DirectiveOpen,
  HeredocEnd,
  HeredocStart,
  LBracket,
  LCurly,
  LParen,
  getLexer,
  Newline,
  RBracket,
  RCurly,
  RParen,
  significantNewlines,
  StripRCurly,
  TemplateOpen,
  UnclosedBlockComment,
} from './tokens.js';
import { getParser } from './parser.js';
import { getAstBuilder, isRealToken } from './ast-builder.js';
import { fastParse } from './fast-parser.js';
import type { FileCstNode, TemplateFileCstNode } from './cst.js';

export type { Diagnostic } from './diagnostics.js';
export { formatDiagnostic, formatDiagnostics } from './diagnostic-format.js';

export interface ParseResult {
  ast: File;
  diagnostics: Diagnostic[];
}

/** What the formatter needs beside the AST: the comments, in source order. */
export interface ParseResultWithTrivia extends ParseResult {
  comments: IToken[];
}

export function parse(path: string, text: string): ParseResult {
  // the common forms without a single error: the fast path (src/dsl/fast-parser.ts)
  const fast = fastParse(path, text);
  if (fast) return { ast: fast, diagnostics: [] };
  const { ast, diagnostics } = parseWithTrivia(path, text);
  return { ast, diagnostics };
}

/** `segmentChars`: for tests, the size of the pieces a large file is lexed in. */
export function parseWithTrivia(path: string, text: string, { segmentChars = SEGMENT_CHARS } = {}): ParseResultWithTrivia {
  const diagnostics: Diagnostic[] = [];
  const syntaxErrors: Diagnostic[] = [];
  const comments: IToken[] = [];
  const body: File['body'] = { attributes: [], blocks: [], items: [] };
  // A large file is lexed and parsed in segments of whole top-level items, each turned into
  // AST at once: its tokens and CST never live all at once (they would cost more in garbage
  // collection than the parsing itself).
  let start = 0;
  let linesBefore = 0;
  do {
    let end = segmentEnd(text, start + segmentChars);
    let segment = lexSegment(text, start, end, linesBefore);
    while (end < text.length && !segment.clean) {
      // the cut fell inside something (a heredoc, an unclosed bracket): try twice as far
      end = segmentEnd(text, end + Math.max(end - start, segmentChars));
      segment = lexSegment(text, start, end, linesBefore);
    }
    for (const e of segment.errors) {
      if (e.message === '') continue; // a stray `}`: the parser reports it
      diagnostics.push({ severity: 'error', message: e.message, range: lineRange(path, e.line!, e.column!, e.offset, e.length) });
    }
    for (const c of segment.comments) {
      comments.push(c);
      if (c.tokenType === UnclosedBlockComment) {
        diagnostics.push({
          severity: 'error',
          message: "unterminated comment, expected '*/'",
          range: lineRange(path, c.startLine!, c.startColumn!, c.startOffset, 2),
        });
      }
    }
    parseTokens(path, segment.tokens, segment.topLevelNewlines, body, syntaxErrors, diagnostics);
    linesBefore = segment.lastLine;
    start = end;
  } while (start < text.length);
  // a lexing error explains the syntax errors that follow it on its line
  diagnostics.push(...firstPerLine(syntaxErrors, diagnostics));
  const ast: File = { kind: 'File', path, body, range: fileRange(path, body) };
  diagnostics.sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
  return { ast, diagnostics, comments };
}

/**
 * A template file (templatefile()): its whole text is a template, as the inside of a heredoc
 * (`${…}`, `%{…}`; `$${` and `%%{` are literal).
 */
export function parseTemplate(path: string, text: string): { template: TemplateExpr; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lexed = getLexer().tokenize(text, 'template');
  for (const e of lexed.errors) {
    diagnostics.push({ severity: 'error', message: e.message || "unexpected '}'", range: lineRange(path, e.line!, e.column!, e.offset, e.length) });
  }
  const { tokens } = significantNewlines(lexed.tokens);
  const parser = getParser();
  parser.input = tokens;
  let template: TemplateExpr = { kind: 'Template', parts: [''], range: lineRange(path, 1, 1, 0, 0) };
  try {
    const cst = parser.templateFile() as TemplateFileCstNode;
    const syntaxErrors = parser.errors.map((e) => parsingDiagnostic(path, e));
    diagnostics.push(...firstPerLine(syntaxErrors, diagnostics));
    if (syntaxErrors.length === 0) template = getAstBuilder().buildTemplate(path, cst, diagnostics);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    diagnostics.push(tooDeep(path, tokens, 0));
  }
  diagnostics.sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
  return { template, diagnostics };
}

/** Characters per segment (rounded up to the start of a top-level item). */
const SEGMENT_CHARS = 16 * 1024;

/** The first offset ≥ `from` where a line starts with a letter (a top-level item, in a
 * formatted file), or the end of the text. */
function segmentEnd(text: string, from: number): number {
  if (from >= text.length) return text.length;
  for (let nl = text.indexOf('\n', from); nl >= 0 && nl + 1 < text.length; nl = text.indexOf('\n', nl + 1)) {
    const c = text.charCodeAt(nl + 1);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) return nl + 1;
  }
  return text.length;
}

/** Lex text[start, end) as if it stood at its place in the file (offsets and lines shifted). */
function lexSegment(text: string, start: number, end: number, linesBefore: number) {
  const lexed = getLexer().tokenize(start === 0 && end === text.length ? text : text.slice(start, end));
  const comments = lexed.groups['comments'] ?? [];
  if (start > 0 || linesBefore > 0) {
    for (const list of [lexed.tokens, comments]) {
      for (const tok of list) {
        tok.startOffset += start;
        tok.endOffset! += start;
        tok.startLine! += linesBefore;
        tok.endLine! += linesBefore;
      }
    }
    for (const e of lexed.errors) {
      e.offset += start;
      e.line! += linesBefore;
    }
  }
  const { tokens, topLevelNewlines, depth } = significantNewlines(lexed.tokens);
  let heredocs = 0;
  for (const tok of tokens) {
    if (tok.tokenType === HeredocStart) heredocs++;
    else if (tok.tokenType === HeredocEnd) heredocs--;
  }
  const clean = depth === 0 && heredocs === 0 && !comments.some((c) => c.tokenType === UnclosedBlockComment);
  let lastLine = linesBefore;
  for (let i = text.indexOf('\n', start); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) lastLine++;
  return { tokens, topLevelNewlines, comments, errors: lexed.errors, clean, lastLine };
}

function lineRange(path: string, line: number, column: number, offset: number, length: number): SourceRange {
  return { file: path, start: { line, column, offset }, end: { line, column: column + length, offset: offset + length } };
}

/** Parse a segment's tokens in chunks of whole top-level items. */
function parseTokens(
  path: string,
  tokens: IToken[],
  topLevelNewlines: number[],
  body: File['body'],
  syntaxErrors: Diagnostic[],
  diagnostics: Diagnostic[],
) {
  let chunkStart = 0;
  let k = 0;
  while (chunkStart < tokens.length) {
    while (k < topLevelNewlines.length && topLevelNewlines[k]! < chunkStart + CHUNK_TOKENS) k++;
    const chunkEnd = k < topLevelNewlines.length ? topLevelNewlines[k]! + 1 : tokens.length;
    if (!parseChunk(path, tokens.slice(chunkStart, chunkEnd), body, syntaxErrors, diagnostics)) {
      // too deep somewhere: again item by item, so that only the deep one is lost
      let itemStart = chunkStart;
      for (let j = 0; j < topLevelNewlines.length && itemStart < chunkEnd; j++) {
        const nl = topLevelNewlines[j]!;
        if (nl < itemStart || nl >= chunkEnd) continue;
        const item = tokens.slice(itemStart, nl + 1);
        if (!parseChunk(path, item, body, syntaxErrors, diagnostics)) syntaxErrors.push(tooDeep(path, item, 0));
        itemStart = nl + 1;
      }
      if (itemStart < chunkEnd) {
        const item = tokens.slice(itemStart, chunkEnd);
        if (!parseChunk(path, item, body, syntaxErrors, diagnostics)) syntaxErrors.push(tooDeep(path, item, 0));
      }
    }
    chunkStart = chunkEnd;
  }
}

/** Tokens per chunk (rounded up to the end of a top-level item). */
const CHUNK_TOKENS = 4096;

/**
 * Parse a run of whole top-level items and append their AST to `body`. A line that starts
 * neither an attribute nor a block ends the `file` rule: it is reported and parsing resumes
 * on the next line, so that one bad line does not hide the rest of the file.
 */
function parseChunk(path: string, tokens: IToken[], body: File['body'], syntaxErrors: Diagnostic[], diagnostics: Diagnostic[]): boolean {
  // nothing is added before the whole chunk is known not to be too deep
  const parts: File[] = [];
  const errorsFound: Diagnostic[] = [];
  const visitorDiagnostics: Diagnostic[] = [];
  let from = 0;
  const parser = getParser();
  while (from < tokens.length) {
    parser.input = from === 0 ? tokens : tokens.slice(from);
    let cst: FileCstNode;
    try {
      cst = parser.file() as FileCstNode;
    } catch (err) {
      if (err instanceof RangeError) return false;
      throw err;
    }
    const errors = parser.errors;
    errorsFound.push(...errors.map((e) => parsingDiagnostic(path, e)));
    try {
      parts.push(getAstBuilder().build(path, cst, visitorDiagnostics));
    } catch (err) {
      if (err instanceof RangeError) return false;
      // After recovery the CST can be partial; with a syntax error already reported, leaving
      // these items out is a fine result. Without one this is a bug in the visitor.
      if (errors.length === 0) throw err;
    }
    const rest = errors.find((e) => e.name === 'NotAllInputParsedException');
    if (!rest) break;
    let next = tokens.indexOf(rest.token, from);
    if (next < 0) break;
    while (next < tokens.length && tokens[next]!.tokenType !== Newline) next++;
    from = next + 1;
  }
  for (const part of parts) {
    body.attributes.push(...part.body.attributes);
    body.blocks.push(...part.body.blocks);
    body.items.push(...part.body.items);
  }
  syntaxErrors.push(...errorsFound);
  diagnostics.push(...visitorDiagnostics);
  return true;
}

/** Brackets nested thousands deep exhaust the stack: an error, at the deepest bracket. */
function tooDeep(path: string, tokens: IToken[], from: number): Diagnostic {
  let depth = 0;
  let deepest = tokens[from];
  let max = 0;
  for (let i = from; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (type === LBracket || type === LParen || type === LCurly || type === TemplateOpen || type === DirectiveOpen) {
      if (++depth > max) {
        max = depth;
        deepest = tokens[i];
      }
    } else if (type === RBracket || type === RParen || type === RCurly || type === StripRCurly) depth--;
  }
  const at = deepest ? { line: deepest.startLine!, column: deepest.startColumn!, offset: deepest.startOffset } : { line: 1, column: 1, offset: 0 };
  return {
    severity: 'error',
    message: `expression nested too deeply (${max} levels of brackets)`,
    range: { file: path, start: at, end: at },
    hint: 'split it into locals',
  };
}

function fileRange(path: string, body: File['body']): SourceRange {
  const first = body.items[0];
  const last = body.items[body.items.length - 1];
  if (!first || !last) return { file: path, start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  return { file: path, start: first.range.start, end: last.range.end };
}

/**
 * A syntax error at its token. A token that recovery inserted, or the end of the file, has no
 * position of its own: the error is placed just after the previous real token.
 */
function parsingDiagnostic(path: string, e: IRecognitionException): Diagnostic {
  const tok = e.token;
  let range: SourceRange;
  if (isRealToken(tok) && tok.tokenType === Newline) {
    // "found end of line": an empty range where the line ends
    const at = { line: tok.startLine!, column: tok.startColumn!, offset: tok.startOffset };
    range = { file: path, start: at, end: at };
  } else if (isRealToken(tok)) {
    range = {
      file: path,
      start: { line: tok.startLine!, column: tok.startColumn!, offset: tok.startOffset },
      end: { line: tok.endLine!, column: tok.endColumn! + 1, offset: tok.endOffset! + 1 },
    };
  } else {
    const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
    // just after the previous token, or at its newline when it ends the line
    const after = !isRealToken(prev)
      ? { line: 1, column: 1, offset: 0 }
      : prev.image.endsWith('\n')
        ? lineEnd(prev)
        : { line: prev.endLine!, column: prev.endColumn! + 1, offset: prev.endOffset! + 1 };
    range = { file: path, start: after, end: after };
  }
  return { severity: 'error', message: e.message, range };
}

/** Where the line break that ends `tok` starts (before a CRLF's \r). */
function lineEnd(tok: IToken) {
  const back = tok.image.endsWith('\r\n') ? 1 : 0;
  return { line: tok.endLine!, column: tok.endColumn! - back, offset: tok.endOffset! - back };
}

/** After a syntax error, recovery often trips again on the same line: keep the first per line. */
function firstPerLine(diags: Diagnostic[], earlier: Diagnostic[]): Diagnostic[] {
  const seen = new Set<number>(earlier.map((d) => d.range?.start.line ?? 0));
  return diags.filter((d) => {
    const line = d.range?.start.line ?? 0;
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}
