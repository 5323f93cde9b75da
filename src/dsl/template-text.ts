// Template text: the directive tags of a template (`%{ if }`, `%{ for }` …) folded into nested
// parts, and the text helpers of strings, heredocs and template files (escapes, indentation).
import type * as ast from './ast.js';
import type { SourceRange } from './diagnostics.js';

/** Reports a misplaced directive (the AST builder's diagnostics). */
export type Report = (message: string, range: SourceRange, hint?: string) => void;

export interface DirectiveTag {
  kind: 'DirectiveTag';
  tag: string;
  strip: ast.Strip;
  range: SourceRange;
  /** False when error recovery made up its `}` (the syntax error says what is wrong). */
  complete: boolean;
  keyVar?: string;
  valueVar?: string;
  expr?: ast.Expression;
}

export type Piece = string | ast.Expression | DirectiveTag;

export const NO_STRIP: ast.Strip = { before: false, after: false };

/** Raw heredoc or template-file text: `$${` is a literal `${`, `%%{` a literal `%{`. */
export function unescapeRaw(text: string): string {
  return text.includes('$${') || text.includes('%%{') ? text.replaceAll('$${', '${').replaceAll('%%{', '%{') : text;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/**
 * The value of a quoted string's raw text: escapes decoded, `$${` → `${`, `%%{` → `%{`. An
 * invalid escape is passed to `invalid` (its index in `raw` and length) and kept as written.
 */
export function decodeQuoted(raw: string, invalid: (index: number, length: number) => void): string {
  if (!raw.includes('\\') && !raw.includes('$${') && !raw.includes('%%{')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if ((c === '$' || c === '%') && raw[i + 1] === c && raw[i + 2] === '{') {
      out += c + '{';
      i += 2;
      continue;
    }
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[i + 1];
    if (e !== undefined && e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
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
    const len = digits > 0 ? 2 + hex.length : 2;
    invalid(i, len);
    out += raw.slice(i, i + len);
    i += len - 1;
  }
  return out;
}

export function joinParts(parts: (string | ast.Expression)[]): (string | ast.Expression)[] {
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

/** The flat sequence of text, interpolations and directive tags → text, interpolations and
 * nested if/for parts; a tag out of place is reported. */
export function foldDirectives(pieces: Piece[], report: Report): (string | ast.Expression)[] {
  type Frame = { node: ast.TemplateIfExpr | ast.TemplateForExpr; parts: Piece[]; open: DirectiveTag };
  const stack: Frame[] = [];
  let current: Piece[] = [];
  const root = current;
  const finish = (node: ast.TemplateIfExpr | ast.TemplateForExpr) => {
    if (node.kind === 'TemplateFor') node.body = joinParts(node.body);
    else {
      node.then = joinParts(node.then);
      if (node.else) node.else = joinParts(node.else);
    }
  };
  for (const p of pieces) {
    if (typeof p === 'string' || p.kind !== 'DirectiveTag') {
      current.push(p);
      continue;
    }
    const top = stack[stack.length - 1];
    switch (p.tag) {
      case 'for': {
        const node: ast.TemplateForExpr = { kind: 'TemplateFor', valueVar: p.valueVar ?? '', collection: p.expr!, body: [], forTag: p.strip, endTag: NO_STRIP, range: p.range };
        if (p.keyVar !== undefined) node.keyVar = p.keyVar;
        current.push(node);
        stack.push({ node, parts: current, open: p });
        current = node.body;
        break;
      }
      case 'if': {
        const node: ast.TemplateIfExpr = { kind: 'TemplateIf', condition: p.expr!, then: [], ifTag: p.strip, endTag: NO_STRIP, range: p.range };
        current.push(node);
        stack.push({ node, parts: current, open: p });
        current = node.then;
        break;
      }
      case 'else':
        if (top?.node.kind !== 'TemplateIf' || top.node.else) {
          report(top?.node.kind === 'TemplateIf' ? 'a second %{ else } in one %{ if }' : '%{ else } without %{ if }', p.range);
          break;
        }
        top.node.else = [];
        top.node.elseTag = p.strip;
        current = top.node.else;
        break;
      case 'endif':
      case 'endfor': {
        const want = p.tag === 'endif' ? 'TemplateIf' : 'TemplateFor';
        if (top?.node.kind !== want) {
          const open = top ? (top.node.kind === 'TemplateIf' ? '%{ endif }' : '%{ endfor }') : undefined;
          report(`%{ ${p.tag} } without %{ ${p.tag.slice(3)} }`, p.range, open ? `the open directive at ${top!.open.range.start.line}:${top!.open.range.start.column} ends with ${open}` : undefined);
          break;
        }
        stack.pop();
        top.node.endTag = p.strip;
        top.node.range = { ...top.node.range, end: p.range.end };
        finish(top.node);
        current = top.parts;
        break;
      }
      default:
        if (p.complete) report(`unknown template directive "${p.tag}"`, p.range, 'directives: %{ if … }, %{ else }, %{ endif }, %{ for … in … }, %{ endfor }');
    }
  }
  for (let k = stack.length - 1; k >= 0; k--) {
    const f = stack[k]!;
    const end = f.node.kind === 'TemplateIf' ? 'endif' : 'endfor';
    // a tag cut short is a syntax error already: the missing end is a consequence
    if (!f.open.complete) {
      finish(f.node);
      continue;
    }
    report(`%{ ${f.open.tag} } has no %{ ${end} }`, f.open.range, `close it with %{ ${end} }`);
    finish(f.node);
  }
  return joinParts(root as (string | ast.Expression)[]);
}
