// The public entry of the language front end: text → { ast, diagnostics }, in stages
// (lex, parse, build the AST). Never throws for user input: every problem is a Diagnostic.
import type { IRecognitionException, IToken, ILexingError } from 'chevrotain';
import type { File } from './ast.js';
import type { Diagnostic, SourceRange } from './diagnostics.js';
import { lexer, Newline, significantNewlines, UnclosedBlockComment } from './tokens.js';
import { parser } from './parser.js';
import { astBuilder, isRealToken } from './ast-builder.js';
import type { FileCstNode } from './cst.js';

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
  const { ast, diagnostics } = parseWithTrivia(path, text);
  return { ast, diagnostics };
}

export function parseWithTrivia(path: string, text: string): ParseResultWithTrivia {
  const diagnostics: Diagnostic[] = [];
  const lexed = lexer.tokenize(text);
  for (const e of lexed.errors) {
    if (e.message === '') continue; // a stray `}`: the parser reports it
    diagnostics.push(lexingDiagnostic(path, text, e));
  }
  const comments = lexed.groups['comments'] ?? [];
  for (const c of comments) {
    if (c.tokenType === UnclosedBlockComment) {
      diagnostics.push({
        severity: 'error',
        message: "unterminated comment, expected '*/'",
        range: pointRange(path, text, c.startOffset, 2),
      });
    }
  }

  const { tokens, topLevelNewlines } = significantNewlines(lexed.tokens);
  const body: File['body'] = { attributes: [], blocks: [], items: [] };
  const syntaxErrors: Diagnostic[] = [];
  // The file is parsed in chunks of whole top-level items, each turned into AST at once, so
  // that the CST of a large file never lives all at once (it would cost more in GC than parsing).
  let chunkStart = 0;
  let k = 0;
  while (chunkStart < tokens.length) {
    while (k < topLevelNewlines.length && topLevelNewlines[k]! < chunkStart + CHUNK_TOKENS) k++;
    const chunkEnd = k < topLevelNewlines.length ? topLevelNewlines[k]! + 1 : tokens.length;
    parseChunk(path, tokens.slice(chunkStart, chunkEnd), body, syntaxErrors, diagnostics);
    chunkStart = chunkEnd;
  }
  // a lexing error explains the syntax errors that follow it on its line
  diagnostics.push(...firstPerLine(syntaxErrors, diagnostics));
  const ast: File = { kind: 'File', path, body, range: fileRange(path, body) };
  diagnostics.sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
  return { ast, diagnostics, comments };
}

/** Tokens per chunk (rounded up to the end of a top-level item). */
const CHUNK_TOKENS = 4096;

/**
 * Parse a run of whole top-level items and append their AST to `body`. A line that starts
 * neither an attribute nor a block ends the `file` rule: it is reported and parsing resumes
 * on the next line, so that one bad line does not hide the rest of the file.
 */
function parseChunk(path: string, tokens: IToken[], body: File['body'], syntaxErrors: Diagnostic[], diagnostics: Diagnostic[]) {
  let from = 0;
  while (from < tokens.length) {
    parser.input = from === 0 ? tokens : tokens.slice(from);
    const cst = parser.file() as FileCstNode;
    const errors = parser.errors;
    syntaxErrors.push(...errors.map((e) => parsingDiagnostic(path, e)));
    try {
      const part = astBuilder.build(path, cst, diagnostics);
      body.attributes.push(...part.body.attributes);
      body.blocks.push(...part.body.blocks);
      body.items.push(...part.body.items);
    } catch (err) {
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
}

function fileRange(path: string, body: File['body']): SourceRange {
  const first = body.items[0];
  const last = body.items[body.items.length - 1];
  if (!first || !last) return { file: path, start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  return { file: path, start: first.range.start, end: last.range.end };
}

/** The range of `length` characters at `offset`, lines and columns counted in `text`. */
export function pointRange(path: string, text: string, offset: number, length: number): SourceRange {
  const start = positionAt(text, offset);
  const end = positionAt(text, offset + length);
  return { file: path, start, end };
}

function positionAt(text: string, offset: number) {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1, offset };
}

function lexingDiagnostic(path: string, text: string, e: ILexingError): Diagnostic {
  return { severity: 'error', message: e.message, range: pointRange(path, text, e.offset, e.length) };
}

/**
 * A syntax error at its token. A token that recovery inserted, or the end of the file, has no
 * position of its own: the error is placed just after the previous real token.
 */
function parsingDiagnostic(path: string, e: IRecognitionException): Diagnostic {
  const tok = e.token;
  let range: SourceRange;
  if (isRealToken(tok)) {
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
        ? { line: prev.endLine!, column: prev.endColumn!, offset: prev.endOffset! }
        : { line: prev.endLine!, column: prev.endColumn! + 1, offset: prev.endOffset! + 1 };
    range = { file: path, start: after, end: after };
  }
  return { severity: 'error', message: e.message, range };
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
