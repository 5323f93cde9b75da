// The grammar's derived files, generated from the parser and the tokens (never written by
// hand): `npm run grammar` writes them, and test/dsl/grammar.test.ts fails when the parser
// changed and they were not regenerated.
//   grammar/xp.ebnf             the grammar as EBNF (W3C notation)
//   grammar/railroad.html       railroad diagrams (chevrotain's createSyntaxDiagramsCode)
//   grammar/xp.tmLanguage.json  a TextMate grammar for editors (VS Code, Sublime, GitHub)
//   src/dsl/cst.d.ts            the CST types the visitor is written against (generateCstDts)
import type { IProduction, Rule, TokenType } from 'chevrotain';
import {
  Alternation,
  Alternative,
  createSyntaxDiagramsCode,
  generateCstDts,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionMandatoryWithSeparator,
  RepetitionWithSeparator,
  Terminal,
} from './chevrotain.js';
import { conditionAttributes, conditionBlockTypes, SELF } from './condition-blocks.js';
import { getParser } from './parser.js';
import * as t from './tokens.js';

export function grammarFiles(): Record<string, string> {
  const parser = getParser();
  const rules = parser.getGAstProductions();
  return {
    'grammar/xp.ebnf': ebnf(Object.values(rules)),
    'grammar/railroad.html': createSyntaxDiagramsCode(parser.getSerializedGastProductions()),
    'grammar/xp.tmLanguage.json': JSON.stringify(textMateGrammar(), null, 2) + '\n',
    'src/dsl/cst.d.ts': generateCstDts(rules),
  };
}

// ── EBNF ──────────────────────────────────────────────────────────────────────────────
function tokenPattern(type: TokenType): string | undefined {
  const p = type.PATTERN;
  if (typeof p === 'string') return `'${p}'`;
  if (p instanceof RegExp) return `/${p.source}/`;
  return undefined;
}

/** A terminal in a rule: its literal spelling when it has one, else its name. */
function terminalText(type: TokenType): string {
  const p = type.PATTERN;
  if (typeof p === 'string') return `'${p}'`;
  if (p instanceof RegExp && /^[a-z]+$/.test(p.source)) return `'${p.source}'`; // a keyword
  return type.name;
}

function production(p: IProduction): string {
  const seq = (items: IProduction[]) => (items.length === 0 ? 'ε' : items.map(production).join(' '));
  const group = (items: IProduction[]) => (items.length === 1 ? seq(items) : `( ${seq(items)} )`);
  if (p instanceof Terminal) return terminalText(p.terminalType);
  if (p instanceof NonTerminal) return p.nonTerminalName;
  if (p instanceof Option) return `${group(p.definition)}?`;
  if (p instanceof Repetition) return `${group(p.definition)}*`;
  if (p instanceof RepetitionMandatory) return `${group(p.definition)}+`;
  if (p instanceof RepetitionWithSeparator) return `( ${seq(p.definition)} ( ${terminalText(p.separator)} ${seq(p.definition)} )* )?`;
  if (p instanceof RepetitionMandatoryWithSeparator) return `${seq(p.definition)} ( ${terminalText(p.separator)} ${seq(p.definition)} )*`;
  if (p instanceof Alternation) return `( ${(p.definition as InstanceType<typeof Alternative>[]).map((alt) => seq(alt.definition)).join(' | ')} )`;
  if (p instanceof Alternative) return seq(p.definition);
  throw new Error(`unknown production ${p.constructor.name}`);
}

function ebnf(rules: Rule[]): string {
  const lines = [
    '/* The xp language, generated from src/dsl/parser.ts by `npm run grammar`: do not edit.',
    ' * Notation: W3C EBNF. ε is the empty sequence; in `attribute` and `block` it is allowed only',
    " * before '}' or at the end of the file. Binary operators form flat chains; their precedence",
    ' * (loosest first): || ; && ; == != ; < <= > >= ; + - ; * / %. All are left-associative. */',
    '',
  ];
  for (const rule of rules) {
    const body = rule.definition.length === 1 && rule.definition[0] instanceof Alternation
      ? (rule.definition[0]).definition.map((alt) => production(alt)).join('\n    | ')
      : production(new Alternative({ definition: rule.definition }));
    lines.push(`${rule.name} ::= ${body}`, '');
  }
  lines.push('/* Tokens (first match wins, in this order; keywords are not identifiers). */', '');
  for (const type of t.allTokens) {
    const pattern = tokenPattern(type);
    const categories = t.allTokens.filter((c) => type.CATEGORIES?.includes(c) && c !== type).map((c) => c.name);
    if (type.PATTERN === undefined || (pattern === undefined && type.name !== 'BinaryOperator')) {
      lines.push(`/* ${type.name}: matched by code in src/dsl/tokens.ts */`);
      continue;
    }
    if (type === t.BinaryOperator) {
      const members = t.allTokens.filter((o) => o.CATEGORIES?.includes(t.BinaryOperator) && o !== t.BinaryOperator);
      lines.push(`BinaryOperator ::= ${members.map(terminalText).join(' | ')}`);
      continue;
    }
    if (terminalText(type).startsWith("'") && categories.length === 0 && type.GROUP === undefined) continue;
    const note = [type.GROUP === 'comments' ? 'comment' : type.GROUP !== undefined ? 'skipped' : '', categories.length ? `also a ${categories.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    lines.push(`${type.name} ::= ${pattern}${note ? `  /* ${note} */` : ''}`);
  }
  return lines.join('\n') + '\n';
}

// ── TextMate ──────────────────────────────────────────────────────────────────────────
function textMateGrammar() {
  const word = (type: TokenType) => (type.PATTERN as RegExp).source;
  const identifier = t.Identifier.PATTERN instanceof RegExp ? t.Identifier.PATTERN.source : '[A-Za-z_][A-Za-z0-9_-]*';
  const escapes = '\\\\(?:[nrt"\\\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})';
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'xp',
    scopeName: 'source.xp',
    fileTypes: ['xp'],
    comment: 'Generated from src/dsl/tokens.ts by `npm run grammar`: do not edit.',
    patterns: [{ include: '#comments' }, { include: '#conditionBlock' }, { include: '#block' }, { include: '#attribute' }, { include: '#expression' }],
    repository: {
      comments: {
        patterns: [
          { name: 'comment.line.number-sign.xp', match: '#.*$' },
          { name: 'comment.line.double-slash.xp', match: '//.*$' },
          { name: 'comment.block.xp', begin: '/\\*', end: '\\*/' },
        ],
      },
      block: {
        comment: 'TYPE "label" label {',
        begin: `^\\s*(${identifier})((?:\\s+(?:"[^"]*"|${identifier}))*)\\s*(\\{)`,
        beginCaptures: {
          '1': { name: 'entity.name.type.xp' },
          '2': { patterns: [{ name: 'string.quoted.double.xp', match: '"[^"]*"' }, { name: 'entity.name.label.xp', match: identifier }] },
          '3': { name: 'punctuation.section.block.begin.xp' },
        },
        end: '\\}',
        endCaptures: { '0': { name: 'punctuation.section.block.end.xp' } },
        patterns: [{ include: '#comments' }, { include: '#conditionBlock' }, { include: '#block' }, { include: '#attribute' }, { include: '#expression' }],
      },
      conditionBlock: {
        comment: `a block that states a condition (${conditionBlockTypes.join(', ')}): src/dsl/condition-blocks.ts`,
        name: 'meta.block.condition.xp',
        begin: `^\\s*(${conditionBlockTypes.join('|')})\\s*(\\{)`,
        beginCaptures: { '1': { name: 'keyword.other.condition.xp' }, '2': { name: 'punctuation.section.block.begin.xp' } },
        end: '\\}',
        endCaptures: { '0': { name: 'punctuation.section.block.end.xp' } },
        patterns: [{ include: '#comments' }, { include: '#conditionAttribute' }, { include: '#block' }, { include: '#attribute' }, { include: '#expression' }],
      },
      conditionAttribute: {
        match: `^\\s*(${conditionAttributes.join('|')})\\s*(=)(?![=>])`,
        captures: { '1': { name: 'variable.other.property.condition.xp' }, '2': { name: 'keyword.operator.assignment.xp' } },
      },
      attribute: {
        match: `^\\s*(${identifier})\\s*(=)(?![=>])`,
        captures: { '1': { name: 'variable.other.property.xp' }, '2': { name: 'keyword.operator.assignment.xp' } },
      },
      expression: {
        patterns: [
          { include: '#comments' },
          { include: '#heredoc' },
          { include: '#string' },
          { name: 'constant.numeric.xp', match: `\\b${(t.NumberLit.PATTERN as RegExp).source}\\b` },
          { name: 'constant.language.xp', match: `\\b(?:${[t.True, t.False, t.Null].map(word).join('|')})\\b(?![-\\w])` },
          { name: 'keyword.control.xp', match: `\\b(?:${[t.For, t.In, t.If].map(word).join('|')})\\b(?![-\\w])` },
          {
            match: `\\b(${identifier})\\s*(?=\\()`,
            captures: { '1': { name: 'support.function.xp' } },
          },
          { name: 'variable.language.xp', match: `\\b(?:var|local|each|count|module|path|${SELF})\\b(?=\\.)` },
          { name: 'keyword.operator.xp', match: '\\.\\.\\.|=>|==|!=|<=|>=|&&|\\|\\||[-+*/%<>!?:=]' },
          { name: 'variable.other.xp', match: identifier },
          { begin: '\\{', end: '\\}', patterns: [{ include: '#attribute' }, { include: '#expression' }] },
        ],
      },
      interpolation: {
        name: 'meta.interpolation.xp',
        begin: '\\$\\{~?',
        beginCaptures: { '0': { name: 'punctuation.section.interpolation.begin.xp' } },
        end: '~?\\}',
        endCaptures: { '0': { name: 'punctuation.section.interpolation.end.xp' } },
        patterns: [{ include: '#expression' }],
      },
      directive: {
        comment: '%{ if c }, %{ else }, %{ endif }, %{ for x in xs }, %{ endfor }, with ~ strip markers',
        name: 'meta.directive.xp',
        begin: '%\\{~?',
        beginCaptures: { '0': { name: 'punctuation.section.directive.begin.xp' } },
        end: '~?\\}',
        endCaptures: { '0': { name: 'punctuation.section.directive.end.xp' } },
        patterns: [{ name: 'keyword.control.xp', match: `\\b(?:${[t.For, t.In, t.If].map(word).join('|')}|else|endif|endfor)\\b(?![-\\w])` }, { include: '#expression' }],
      },
      string: {
        name: 'string.quoted.double.xp',
        begin: '"',
        end: '"|$',
        patterns: [
          { name: 'constant.character.escape.xp', match: `${escapes}|\\$\\$\\{|%%\\{` },
          { include: '#interpolation' },
          { include: '#directive' },
        ],
      },
      heredoc: {
        name: 'string.unquoted.heredoc.xp',
        begin: `<<-?(${identifier})\\s*$`,
        beginCaptures: { '0': { name: 'punctuation.definition.string.begin.xp' } },
        end: '^\\s*\\1\\s*$',
        endCaptures: { '0': { name: 'punctuation.definition.string.end.xp' } },
        patterns: [{ name: 'constant.character.escape.xp', match: '\\$\\$\\{|%%\\{' }, { include: '#interpolation' }, { include: '#directive' }],
      },
    },
  };
}
