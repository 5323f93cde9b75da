// The canonical layout of xp files (`xp fmt`): two-space indent, `=` aligned within a run of
// consecutive one-line attributes (hclwrite's runs), end-of-line comments aligned on consecutive
// lines (hclwrite's comment cells), one blank line between blocks, at most one blank line
// anywhere, comments kept where they were. Printed from the AST; comments are placed
// by position. The result is checked: it must parse to the same AST with the same comments, or
// the file is left alone and a diagnostic says why.
import type { IToken } from 'chevrotain';
import type * as ast from './ast.js';
import type { Diagnostic } from './diagnostics.js';
import { hasErrors } from './diagnostics.js';
import { parseWithTrivia } from './index.js';
import { DirectiveOpen, getLexer, LBracket, LCurly, LineComment, LParen, Newline, RBracket, RCurly, RParen, StripRCurly, TemplateOpen, UnclosedBlockComment } from './tokens.js';

export interface FormatResult {
  /** The formatted text; undefined when the file has errors (see diagnostics). */
  output?: string;
  diagnostics: Diagnostic[];
}

const INDENT = '  ';

export function formatSource(path: string, text: string): FormatResult {
  try {
    return formatChecked(path, text);
  } catch (err) {
    // a file that parses but nests deeper than the printer's stack
    if (!(err instanceof RangeError)) throw err;
    return {
      diagnostics: [
        {
          severity: 'error',
          message: 'cannot format this file: it is nested too deeply',
          range: { file: path, start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
        },
      ],
    };
  }
}

function formatChecked(path: string, text: string): FormatResult {
  const parsed = parseWithTrivia(path, text);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics };
  const printer = new Printer(text, parsed.comments);
  const output = alignComments(printer.file(parsed.ast));
  const unplaced = parsed.comments.filter((c) => !printer.placed.has(c));
  if (unplaced.length > 0) {
    const c = unplaced[0]!;
    return {
      diagnostics: [
        {
          severity: 'error',
          message: 'cannot format this file: a comment sits where xp fmt cannot keep it',
          range: {
            file: path,
            start: { line: c.startLine!, column: c.startColumn!, offset: c.startOffset },
            end: { line: c.startLine!, column: c.startColumn! + 1, offset: c.startOffset + 1 },
          },
          hint: 'move the comment to its own line, or to the end of a line',
        },
      ],
    };
  }
  // the safety net: formatting must not change the meaning or lose a comment
  const again = parseWithTrivia(path, output);
  const sameAst = JSON.stringify(stripRanges(again.ast)) === JSON.stringify(stripRanges(parsed.ast));
  const sameComments =
    JSON.stringify(again.comments.map((c) => c.image.trimEnd())) === JSON.stringify(parsed.comments.map((c) => c.image.trimEnd()));
  if (hasErrors(again.diagnostics) || !sameAst || !sameComments) {
    return {
      diagnostics: [
        {
          severity: 'error',
          message: 'cannot format this file: the formatted text would not mean the same (this is a bug in xp fmt)',
          range: { file: path, start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
          hint: 'please report it with the file; the file was left unchanged',
        },
      ],
    };
  }
  return { output, diagnostics: [] };
}

/** The AST without positions (and without the path), for comparing two parses. */
export function stripRanges(node: unknown): unknown {
  return JSON.parse(
    JSON.stringify(node, (key, value: unknown) =>
      key === 'range' || key === 'nameRange' || key === 'typeRange' || key === 'path' ? undefined : value,
    ),
  ) as unknown;
}

type Element = { kind: 'item'; item: ast.Attribute | ast.Block } | { kind: 'comment'; token: IToken };

class Printer {
  readonly placed = new Set<IToken>();

  constructor(
    private readonly text: string,
    private readonly comments: IToken[],
  ) {}

  file(file: ast.File): string {
    const lines = this.body(file.body, '', 0, this.text.length, -1);
    return lines.length === 0 ? '' : lines.join('\n') + '\n';
  }

  // ── comments ──────────────────────────────────────────────────────────────────────
  /** Comments starting in [from, to) not yet placed. */
  private commentsIn(from: number, to: number): IToken[] {
    return this.comments.filter((c) => c.startOffset >= from && c.startOffset < to && !this.placed.has(c));
  }

  private take(c: IToken): string {
    this.placed.add(c);
    return c.image.trimEnd();
  }

  /** Comments on `line` starting in [from, to), as " # a # b" (or empty). */
  private trailing(line: number, from: number, to: number): string {
    let out = '';
    for (const c of this.commentsIn(from, to)) if (c.startLine === line) out += ' ' + this.take(c);
    return out;
  }

  // ── bodies ────────────────────────────────────────────────────────────────────────
  /**
   * The lines of a body whose text lies in [from, to); `headerLine` is the line of its `{`
   * (comments there stay on it, see block()).
   */
  private body(body: ast.Body, indent: string, from: number, to: number, headerLine: number): string[] {
    const elements: Element[] = [];
    const items = body.items;
    let k = 0;
    const comments = this.commentsIn(from, to);
    for (const c of comments) {
      while (k < items.length && items[k]!.range.start.offset < c.startOffset) {
        elements.push({ kind: 'item', item: items[k]! });
        k++;
      }
      const prev = items[k - 1];
      // inside the previous item: that item places it
      if (prev && c.startOffset < prev.range.end.offset) continue;
      if (c.startLine === headerLine) continue;
      elements.push({ kind: 'comment', token: c });
    }
    while (k < items.length) elements.push({ kind: 'item', item: items[k++]! });

    // a comment on the line where the previous element ends stays at the end of that line
    const startLine = (e: Element) => (e.kind === 'item' ? e.item.range.start.line : e.token.startLine!);
    const endLine = (e: Element) => (e.kind === 'item' ? e.item.range.end.line : e.token.endLine!);
    const trailingComment = elements.map((e, i) => e.kind === 'comment' && i > 0 && endLine(elements[i - 1]!) === e.token.startLine);
    // blank lines: as in the source (at most one), and always one between two blocks
    const blankBefore = elements.map((e, i) => i > 0 && !trailingComment[i] && startLine(e) - endLine(elements[i - 1]!) > 1);
    let lastItem = -1;
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i]!;
      if (e.kind !== 'item') continue;
      if (e.item.kind === 'Block' && lastItem >= 0 && (elements[lastItem] as { item: ast.Block }).item.kind === 'Block') {
        if (!blankBefore.slice(lastItem + 1, i + 1).some(Boolean)) {
          let first = lastItem + 1;
          while (trailingComment[first]) first++;
          blankBefore[first] = true;
        }
      }
      lastItem = i;
    }

    // the attributes' values first: whether an attribute joins an alignment run depends on them
    const values = elements.map((e) => (e.kind === 'item' && e.item.kind === 'Attribute' ? endOfValue(this.valueOf(e.item.value, indent)) : ''));
    const groups = alignmentWidths(
      elements.map((e, i) => {
        if (e.kind === 'comment') return trailingComment[i] ? 'skip' : 'break';
        return e.item.kind === 'Attribute' && alignable(values[i]!) ? e.item.name.length : 'break';
      }),
      blankBefore,
    );
    // trailing comments: on the line where the previous element ends
    const lines: string[] = [];
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i]!;
      if (trailingComment[i] && e.kind === 'comment') {
        if (!this.placed.has(e.token)) lines[lines.length - 1] += ' ' + this.take(e.token);
        continue;
      }
      if (blankBefore[i] && lines.length > 0) lines.push('');
      if (e.kind === 'comment') {
        lines.push(indent + this.take(e.token));
        continue;
      }
      const next = elements[i + 1];
      const trailingTo = next && next.kind === 'item' ? next.item.range.start.offset : to;
      if (e.item.kind === 'Attribute') {
        lines.push(`${indent}${e.item.name.padEnd(groups[i] ?? 0)} = ${values[i]!}`);
      } else {
        lines.push(...this.block(e.item, indent));
      }
      lines[lines.length - 1] += this.trailing(e.item.range.end.line, e.item.range.end.offset, trailingTo);
    }
    return lines;
  }

  /** An attribute's value; printed verbatim when a comment inside it sits where the printer
   * cannot place it (between operands, say). */
  private valueOf(value: ast.Expression, indent: string): string {
    const inside = this.commentsIn(value.range.start.offset, value.range.end.offset);
    if (inside.length === 0) return this.expr(value, indent);
    const printed = this.expr(value, indent);
    if (inside.every((c) => this.placed.has(c))) return printed;
    // the source text keeps every comment inside it
    for (const c of inside) this.placed.add(c);
    return this.text.slice(value.range.start.offset, value.range.end.offset);
  }

  private block(b: ast.Block, indent: string): string[] {
    const labels = b.labels.map((l) => ' ' + quote(l)).join('');
    const open = this.openBrace(b);
    const headerLine = open.line;
    const header = `${indent}${b.type}${labels} {`;
    const headerComments = this.trailing(headerLine, b.range.start.offset, b.range.end.offset);
    const inner = this.body(b.body, indent + INDENT, open.offset, b.range.end.offset - 1, headerLine);
    if (inner.length === 0 && headerComments === '') return [`${header}}`];
    return [header + headerComments, ...inner, `${indent}}`];
  }

  /** Where the `{` of a block is: after its type and labels, before its first item. */
  private openBrace(b: ast.Block): { line: number; offset: number } {
    const limit = b.body.items[0]?.range.start.offset ?? b.range.end.offset;
    let offset = b.typeRange.end.offset;
    let line = b.typeRange.end.line;
    // skip labels and comments: the first `{` outside a string or comment
    let inString = false;
    for (let i = offset; i < limit; i++) {
      const ch = this.text[i];
      if (ch === '\n') line++;
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{' && !this.comments.some((c) => c.startOffset <= i && i <= c.endOffset!)) {
        offset = i;
        break;
      }
    }
    return { line, offset };
  }

  // ── expressions ─────────────────────────────────────────────────────────────────────
  private expr(e: ast.Expression, indent: string): string {
    switch (e.kind) {
      case 'Literal':
        if (typeof e.value === 'number') return this.text.slice(e.range.start.offset, e.range.end.offset);
        return String(e.value);
      case 'Template':
        return e.heredoc ? this.heredoc(e, indent) : this.template(e, indent);
      case 'Variable':
        return e.name;
      case 'GetAttr':
        return `${this.expr(e.object, indent)}.${e.name}`;
      case 'Index':
        return `${this.expr(e.object, indent)}[${this.expr(e.index, indent)}]`;
      case 'Call':
        return `${e.name}${this.sequence('(', ')', e.args, e.range, indent, e.expandFinal)}`;
      case 'Unary':
        return `${e.op}${this.expr(e.operand, indent)}`;
      case 'Binary':
        return `${this.expr(e.left, indent)} ${e.op} ${this.expr(e.right, indent)}`;
      case 'Conditional':
        return `${this.expr(e.condition, indent)} ? ${this.expr(e.then, indent)} : ${this.expr(e.else, indent)}`;
      case 'Paren':
        return `(${this.expr(e.inner, indent)})`;
      case 'List':
        return this.sequence('[', ']', e.items, e.range, indent, false);
      case 'Object':
        return this.object(e, indent);
      case 'For':
        return this.forExpr(e, indent);
      case 'Splat':
        return `${this.expr(e.object, indent)}${e.legacy ? '.*' : '[*]'}${this.expr(e.each, indent)}`;
      case 'SplatItem':
        // the element a splat's steps start from: printed as the `[*]` before them
        return '';
      case 'TemplateInterp':
      case 'TemplateIf':
      case 'TemplateFor':
        // only inside templates (see templateParts)
        return this.templateParts([e], (x) => x, indent);
    }
  }

  private multiline(range: ast.Expression['range']): boolean {
    return range.start.line !== range.end.line;
  }

  /**
   * `[a, b]` / `f(a, b)` on one line as written; written over several lines, one row of items
   * per line as the source grouped them (items that start on the line where the previous one
   * ends share its row), a row that holds a multi-line item or would pass MAX_WIDTH one item
   * per line, each item followed by a comma. Comments stay at the end of their line (after
   * the `[` or `(`, after a row, between two items of a row) or on their own line.
   */
  private sequence(open: string, close: string, items: ast.Expression[], range: ast.Expression['range'], indent: string, expandFinal: boolean): string {
    const expand = (k: number) => (expandFinal && k === items.length - 1 ? '...' : '');
    if (!this.multiline(range) || items.length === 0) {
      return open + items.map((it, k) => this.expr(it, indent) + expand(k)).join(', ') + close;
    }
    const inner = indent + INDENT;
    const texts = items.map((it, k) => this.expr(it, inner) + expand(k) + ',');
    const rowStart = rowStarts(items, texts, inner.length);
    const lines = [open];
    let line: string | undefined; // the row being written
    const flush = () => {
      if (line !== undefined) lines.push(line);
      line = undefined;
    };
    let prevLine = range.start.line;
    let prevEnd = range.start.offset + 1;
    const comments = (to: number) => {
      for (const c of this.commentsIn(prevEnd, to)) {
        if (c.startLine !== prevLine) {
          flush();
          lines.push(inner + this.take(c));
        } else if (line === undefined) lines[lines.length - 1] += ' ' + this.take(c); // after the bracket
        else line += ' ' + this.take(c);
      }
    };
    items.forEach((it, k) => {
      comments(it.range.start.offset);
      if (rowStart[k]) flush();
      line = line === undefined ? inner + texts[k]! : `${line} ${texts[k]!}`;
      prevLine = it.range.end.line;
      prevEnd = it.range.end.offset;
    });
    comments(range.end.offset - 1);
    flush();
    lines.push(indent + close);
    return lines.join('\n');
  }

  private objectKey(key: string | ast.Expression, indent: string): string {
    return typeof key === 'string' ? key : this.expr(key, indent);
  }

  private object(o: ast.ObjectExpr, indent: string): string {
    if (o.items.length === 0 && this.commentsIn(o.range.start.offset, o.range.end.offset).length === 0) return '{}';
    if (!this.multiline(o.range)) {
      return `{ ${o.items.map((it) => `${this.objectKey(it.key, indent)} = ${this.expr(it.value, indent)}`).join(', ')} }`;
    }
    const inner = indent + INDENT;
    const keys = o.items.map((it) => this.objectKey(it.key, inner));
    const values = o.items.map((it) => endOfValue(this.expr(it.value, inner)));
    // align `=` within runs of one-line items; a blank line or a comment on its own line (one
    // before the item on its line is printed on its own) ends a run
    const widths = alignmentWidths(
      keys.map((key, k) => (key.includes('\n') || !alignable(values[k]!) ? 'break' : key.length)),
      o.items.map((it, k) => {
        const prev = o.items[k - 1];
        if (!prev) return false;
        if (it.range.start.line - prev.range.end.line > 1) return true;
        return this.commentsIn(prev.range.end.offset, it.range.start.offset).some((c) => c.startLine !== prev.range.end.line);
      }),
    );
    const first = o.items[0];
    // a comment after the `{`, before a first item on a later line, stays on the line of the `{`
    const lines = [first && first.range.start.line > o.range.start.line ? '{' + this.trailing(o.range.start.line, o.range.start.offset + 1, first.range.start.offset) : '{'];
    let prevEnd = o.range.start.offset + 1;
    o.items.forEach((it, k) => {
      const comments = this.commentsIn(prevEnd, it.range.start.offset);
      if (k > 0 && it.range.start.line - o.items[k - 1]!.range.end.line > 1 + comments.length) lines.push('');
      for (const c of comments) lines.push(inner + this.take(c));
      const next = o.items[k + 1];
      const to = next ? next.range.start.offset : o.range.end.offset - 1;
      const key = keys[k]!.padEnd(widths[k] ?? 0);
      lines.push(`${inner}${key} = ${values[k]!}${this.trailing(it.range.end.line, it.range.end.offset, to)}`);
      prevEnd = it.range.end.offset;
    });
    for (const c of this.commentsIn(prevEnd, o.range.end.offset - 1)) lines.push(inner + this.take(c));
    lines.push(indent + '}');
    return lines.join('\n');
  }

  private forExpr(f: ast.ForExpr, indent: string): string {
    const multi = this.multiline(f.range);
    const inner = multi ? indent + INDENT : indent;
    const vars = f.keyVar !== undefined ? `${f.keyVar}, ${f.valueVar}` : f.valueVar;
    let body = `for ${vars} in ${this.expr(f.collection, inner)} : `;
    if (f.result === 'object') body += `${this.expr(f.keyExpr!, inner)} => ${this.expr(f.valueExpr, inner)}${f.grouping ? '...' : ''}`;
    else body += this.expr(f.valueExpr, inner);
    if (f.condition) body += ` if ${this.expr(f.condition, inner)}`;
    const [open, close] = f.result === 'list' ? ['[', ']'] : ['{', '}'];
    if (multi) return `${open}\n${inner}${body}\n${indent}${close}`;
    // hclwrite spaces the inside of braces, never of brackets: `{ for … }`, `[for …]`
    return f.result === 'list' ? `[${body}]` : `{ ${body} }`;
  }

  private template(t: ast.TemplateExpr, indent: string): string {
    return '"' + this.templateParts(t.parts, escapeString, indent) + '"';
  }

  /** The parts of a template: text (escaped by `escape`), `${…}` and `%{…}` directives. */
  templateParts(parts: (string | ast.Expression)[], escape: (s: string) => string, indent: string): string {
    const open = (sigil: string, s: ast.Strip) => `${sigil}{${s.before ? '~' : ''}`;
    const tag = (sigil: string, s: ast.Strip, inner: string) =>
      sigil === '%' ? `${open('%', s)} ${inner} ${s.after ? '~' : ''}}` : `${open('$', s)}${s.before ? ' ' : ''}${inner}${s.after ? ' ~' : ''}}`;
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += escape(p);
      else if (p.kind === 'TemplateInterp') out += tag('$', p.strip, this.expr(p.expr, indent));
      else if (p.kind === 'TemplateIf') {
        out += tag('%', p.ifTag, `if ${this.expr(p.condition, indent)}`) + this.templateParts(p.then, escape, indent);
        if (p.else) out += tag('%', p.elseTag!, 'else') + this.templateParts(p.else, escape, indent);
        out += tag('%', p.endTag, 'endif');
      } else if (p.kind === 'TemplateFor') {
        const vars = p.keyVar !== undefined ? `${p.keyVar}, ${p.valueVar}` : p.valueVar;
        out += tag('%', p.forTag, `for ${vars} in ${this.expr(p.collection, indent)}`) + this.templateParts(p.body, escape, indent);
        out += tag('%', p.endTag, 'endfor');
      } else out += '${' + this.expr(p, indent) + '}';
    }
    return out;
  }

  /** A heredoc: `<<-` content is re-indented one level deeper than the attribute. */
  private heredoc(t: ast.TemplateExpr, indent: string): string {
    const { marker, indent: strip } = t.heredoc!;
    let content = this.templateParts(t.parts, escapeRaw, indent);
    if (strip) {
      const pad = indent + INDENT;
      content = content.replace(/^(?=[^\n])/gm, pad);
      return `<<-${marker}\n${content}${indent}${marker}\n${indent}`;
    }
    // the end marker must be alone on its line: what follows goes on the next one
    return `<<${marker}\n${content}${marker}\n${indent}`;
  }
}

/** The widest line a row of several list items may make; a longer one is one item per line. */
export const MAX_WIDTH = 100;

/**
 * Which items of a multi-line sequence start a row: the first, one that starts on a later
 * line than the previous one ends, and every item of a row that holds a multi-line item or
 * would be wider than MAX_WIDTH (`texts`: the items as printed, with their commas).
 */
function rowStarts(items: ast.Expression[], texts: string[], indent: number): boolean[] {
  const starts = items.map((it, k) => k === 0 || it.range.start.line !== items[k - 1]!.range.end.line);
  for (let k = 0; k < items.length; ) {
    let end = k + 1;
    while (end < items.length && !starts[end]) end++;
    if (end - k > 1) {
      const row = texts.slice(k, end);
      const width = indent + row.reduce((w, t) => w + t.length, 0) + (row.length - 1);
      if (width > MAX_WIDTH || row.some((t) => t.includes('\n'))) for (let j = k; j < end; j++) starts[j] = true;
    }
    k = end;
  }
  return starts;
}

/** A value that ends with a heredoc ends at its marker. */
function endOfValue(s: string): string {
  return s.replace(/\n[ \t]*$/, '');
}

/**
 * The `=` alignment of hclwrite (terraform fmt): a run is a sequence of consecutive lines, each
 * an attribute whose value closes on its line every bracket it opens there. Anything else ends
 * the run: a blank line (`breakBefore`), a comment on its own line, a block, an attribute whose
 * value opens a list, object, call or `for` on its line and closes it on a later one (that
 * attribute keeps one space before its `=`). A heredoc's `<<EOT` opens no bracket: it stays
 * in its run. `entries`: per line, the width of the name of an attribute that may join a run,
 * 'break', or 'skip' (a comment printed at the end of the previous line). Returns index → the
 * width of the names of its run (undefined: not aligned).
 */
function alignmentWidths(entries: (number | 'break' | 'skip')[], breakBefore: boolean[]): (number | undefined)[] {
  const widths: (number | undefined)[] = [];
  let run: number[] = [];
  const flush = () => {
    const w = Math.max(0, ...run.map((i) => entries[i] as number));
    for (const i of run) widths[i] = w;
    run = [];
  };
  entries.forEach((e, i) => {
    if (breakBefore[i]) flush();
    if (typeof e === 'number') run.push(i);
    else if (e === 'break') flush();
  });
  flush();
  return widths;
}

/**
 * The end-of-line comments of hclwrite (terraform fmt), on the printed text: a line has a comment
 * cell when it ends with a `#` or `//` comment after some code; on consecutive lines that have
 * one, the comments start one column after the longest code. Any other line ends the chain (a
 * blank line, a comment alone, code without a comment or with a block comment at its end),
 * and nothing else does: block headers, `}`, attributes outside an `=` run and rows of items
 * join it alike.
 */
function alignComments(text: string): string {
  // per comment cell: its line, where its code ends, the code's width, where its comment starts
  const cells: { line: number; codeEnd: number; width: number; comment: number }[] = [];
  for (const c of getLexer().tokenize(text).groups['comments'] ?? []) {
    if (c.tokenType !== LineComment) continue;
    const lineStart = text.lastIndexOf('\n', c.startOffset - 1) + 1;
    const code = text.slice(lineStart, c.startOffset).trimEnd();
    if (code !== '') cells.push({ line: c.startLine!, codeEnd: lineStart + code.length, width: columns(code), comment: c.startOffset });
  }
  let out = '';
  let done = 0; // text[0, done) is in out
  for (let i = 0; i < cells.length; ) {
    let end = i + 1;
    while (end < cells.length && cells[end]!.line === cells[end - 1]!.line + 1) end++;
    const chain = cells.slice(i, end);
    const width = chain.reduce((w, c) => Math.max(w, c.width), 0);
    for (const c of chain) {
      out += text.slice(done, c.codeEnd) + ' '.repeat(width - c.width + 1);
      done = c.comment;
    }
    i = end;
  }
  return out + text.slice(done);
}

const graphemes = new Intl.Segmenter();

/** The columns of `s` as hclwrite counts them: grapheme clusters. */
function columns(s: string): number {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.length : [...graphemes.segment(s)].length;
}

const OPENING = new Set([LCurly, LBracket, LParen, TemplateOpen, DirectiveOpen]);
const CLOSING = new Set([RCurly, StripRCurly, RBracket, RParen]);

/**
 * Whether an attribute whose value is printed as `value` may join an alignment run: its first
 * line (up to the first end of line outside a heredoc, as hclwrite's lines) opens no more
 * brackets than it closes.
 */
function alignable(value: string): boolean {
  const nl = value.indexOf('\n');
  if (nl < 0) return true;
  // the first line is enough (the value may be long), unless a block comment on it goes on
  let lexed = getLexer().tokenize(value.slice(0, nl + 1));
  if (lexed.groups.comments?.some((c) => c.tokenType === UnclosedBlockComment)) lexed = getLexer().tokenize(value);
  let depth = 0;
  for (const t of lexed.tokens) {
    if (t.tokenType === Newline) break;
    if (OPENING.has(t.tokenType)) depth++;
    else if (CLOSING.has(t.tokenType)) depth--;
  }
  return depth === 0;
}

/** Heredoc or template-file text: `${` and `%{` doubled to stay literal. */
export function escapeRaw(s: string): string {
  return s.includes('{') ? s.replaceAll('${', '$${').replaceAll('%{', '%%{') : s;
}

/** A quoted string literal whose value is `s`. */
export function quote(s: string): string {
  return `"${escapeString(s)}"`;
}

function escapeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if ((ch === '$' || ch === '%') && s[i + 1] === '{') {
      out += ch + ch + '{';
      i++;
    } else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}
