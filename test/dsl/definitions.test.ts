// xp builds its lexer and parser without chevrotain's definition checks (they cost a third of
// a small command's parse). They run here instead: an ambiguous alternative, left recursion
// or a token pattern that can never match fails this test, not a user's command.
import type { ILexingResult } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { CstParser, createToken, Lexer } from '../../src/dsl/chevrotain.js';
import { buildLexer, getLexer, significantNewlines } from '../../src/dsl/tokens.js';
import { getParser, XpParser } from '../../src/dsl/parser.js';

const lexer = getLexer();
const parser = getParser();

describe('lexer and parser definitions', () => {
  it('the token definitions pass the lexer checks', () => {
    const checked = buildLexer(true);
    expect(checked.lexerDefinitionErrors).toEqual([]);
    const text = 'resource "role" "a" {\n  name = "x${var.y}"\n  n = 1.5\n}\n';
    expect(checked.tokenize(text).tokens.map((t) => t.image)).toEqual(lexer.tokenize(text).tokens.map((t) => t.image));
  });

  it('every lexer mode has the first-character optimisation, and lexes every character as without it', () => {
    // buildLexer(true) sets ensureOptimizations: it throws when a mode is not optimised
    expect(buildLexer(true).canModeBeOptimized).toEqual({ expr: true, string: true, heredoc: true, template: true });
    const reference = buildLexer(false, true);
    const chars = Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code));
    // each character where a token starts: in an expression, a string, a heredoc line, a template
    const texts: [string, string][] = [
      ['expr', chars.map((c) => `${c}\n`).join('')],
      ['expr', chars.map((c) => `"${c}"\n`).join('')],
      ['expr', chars.map((c) => `<<EOT\n${c}\nEOT\n`).join('')],
      ['template', chars.map((c) => `\${x}${c}`).join('')],
    ];
    const lines = (r: ILexingResult) => [
      ...r.tokens.map((t) => `${t.tokenType.name} ${t.startOffset} ${t.startLine}:${t.startColumn}-${t.endLine}:${t.endColumn} ${t.image}`),
      ...(r.groups['comments'] ?? []).map((t) => `comment ${t.startOffset} ${t.image}`),
      ...r.errors.map((e) => `error ${e.offset} ${e.line}:${e.column} ${e.length} ${e.message}`),
    ];
    for (const [mode, text] of texts) {
      const optimised = lines(lexer.tokenize(text, mode));
      const expected = lines(reference.tokenize(text, mode));
      expect(optimised.length).toBeGreaterThan(0x10000);
      // the first difference, if any (a diff of the whole lists is too slow to print)
      const at = optimised.findIndex((line, i) => line !== expected[i]);
      expect(optimised[at], `at ${at}`).toBe(expected[at]);
      expect(optimised.length).toBe(expected.length);
    }
  });

  it('the grammar passes the parser checks, and parses as the unchecked parser does', () => {
    const checked = new XpParser({ skipValidations: false });
    expect(checked.definitionErrors).toEqual([]);
    const text = 'resource "role" "a" {\n  member_of = [for r in ["x", "y"] : upper(r) if r != "y"]\n}\n';
    const cstOf = (p: XpParser) => {
      p.input = significantNewlines(lexer.tokenize(text).tokens).tokens;
      const cst = p.file();
      expect(p.errors).toEqual([]);
      return cst;
    };
    expect(cstOf(checked)).toEqual(cstOf(parser));
  });

  it('the checks do catch a broken definition (so that the tests above can fail)', () => {
    const A = createToken({ name: 'A', pattern: /a/ });
    const Never = createToken({ name: 'Never', pattern: /a/ }); // shadowed by A: can never match
    expect(new Lexer([A, Never], { deferDefinitionErrorsHandling: true, positionTracking: 'onlyOffset' }).lexerDefinitionErrors.length).toBeGreaterThan(0);
    class Ambiguous extends CstParser {
      constructor() {
        super([A], { skipValidations: false });
        this.RULE('top', () => this.OR([{ ALT: () => this.CONSUME(A) }, { ALT: () => this.CONSUME2(A) }]));
        this.performSelfAnalysis();
      }
    }
    expect(() => new Ambiguous()).toThrow(/ambigu/i);
  });
});
