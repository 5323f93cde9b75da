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
  const syntaxErrors: Diagnostic[] = [];
  const lexed = lexer.tokenize(text);
  for (const e of lexed.errors) {
    if (e.message === '') continue; // a stray `}`: the parser reports it
    syntaxErrors.push(lexingDiagnostic(path, text, e));
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

  const tokens = significantNewlines(lexed.tokens);
  const csts: FileCstNode[] = [];
  // A line that starts neither an attribute nor a block ends the `file` rule: report it and
  // parse again from the next line, so that one bad line does not hide the rest of the file.
  let from = 0;
  while (from < tokens.length || csts.length === 0) {
    parser.input = from === 0 ? tokens : tokens.slice(from);
    csts.push(parser.file() as FileCstNode);
    syntaxErrors.push(...parser.errors.map((e) => parsingDiagnostic(path, e)));
    const rest = parser.errors.find((e) => e.name === 'NotAllInputParsedException');
    if (!rest) break;
    let next = tokens.indexOf(rest.token, from);
    if (next < 0) break;
    while (next < tokens.length && tokens[next]!.tokenType !== Newline) next++;
    from = next + 1;
  }
  syntaxErrors.sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
  diagnostics.push(...firstPerLine(syntaxErrors));

  let ast: File;
  try {
    ast = astBuilder.build(path, csts, diagnostics);
  } catch (err) {
    // After recovery the CST can be partial; with syntax errors already reported an empty file
    // is a fine result. Without them this is a bug in the visitor.
    if (syntaxErrors.length === 0) throw err;
    ast = { kind: 'File', path, body: { attributes: [], blocks: [], items: [] }, range: pointRange(path, text, 0, 0) };
  }
  diagnostics.sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
  return { ast, diagnostics, comments };
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
    const after = isRealToken(prev)
      ? { line: prev.endLine!, column: prev.endColumn! + 1, offset: prev.endOffset! + 1 }
      : { line: 1, column: 1, offset: 0 };
    range = { file: path, start: after, end: after };
  }
  return { severity: 'error', message: e.message, range };
}

/** After a syntax error, recovery often trips again on the same line: keep the first per line. */
function firstPerLine(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<number>();
  return diags.filter((d) => {
    const line = d.range?.start.line ?? 0;
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}
