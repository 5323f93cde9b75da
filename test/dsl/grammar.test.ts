// grammar/ and src/dsl/cst.d.ts are generated from the parser: they must be regenerated
// (`npm run grammar`) whenever the parser or the tokens change.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { grammarFiles } from '../../src/dsl/grammar.js';

const root = new URL('../../', import.meta.url);

describe('generated grammar files', () => {
  const files = grammarFiles();

  it.each(Object.keys(files))('%s is up to date (run `npm run grammar` if not)', (path) => {
    const committed = readFileSync(new URL(path, root), 'utf8');
    expect(committed === files[path], `${path} is stale: run \`npm run grammar\``).toBe(true);
  });

  it('the EBNF names every rule of the parser', () => {
    for (const rule of ['file', 'body', 'attribute', 'block', 'expression', 'operand', 'templateExpression', 'heredocExpression', 'forIntro', 'functionCall']) {
      expect(files['grammar/xp.ebnf']).toMatch(new RegExp(`^${rule} ::= `, 'm'));
    }
  });

  it('the TextMate grammar covers template directives, strip markers and their escapes', () => {
    const grammar = JSON.parse(files['grammar/xp.tmLanguage.json']!) as { repository: Record<string, { begin?: string; end?: string; patterns?: { include?: string; match?: string }[] }> };
    const { directive, interpolation, string, heredoc } = grammar.repository;
    expect(new RegExp(directive!.begin!).exec('x %{~ for')?.[0]).toBe('%{~');
    expect(new RegExp(directive!.end!).exec(' ~}')?.[0]).toBe('~}');
    expect(new RegExp(interpolation!.begin!).exec('${~ x')?.[0]).toBe('${~');
    const keywords = new RegExp(directive!.patterns![0]!.match!, 'g');
    expect('for x in xs if else endif endfor format'.match(keywords)).toEqual(['for', 'in', 'if', 'else', 'endif', 'endfor']);
    for (const r of [string!, heredoc!]) {
      expect(r.patterns!.map((p) => p.include).filter(Boolean)).toEqual(['#interpolation', '#directive']);
      expect(new RegExp(r.patterns![0]!.match!).exec('a %%{ b')?.[0]).toBe('%%{');
    }
  });

  it('the TextMate grammar scopes validation, precondition, postcondition, their attributes and self', () => {
    type Rule = { begin?: string; match?: string; name?: string; patterns?: Rule[]; include?: string; beginCaptures?: Record<string, { name: string }>; captures?: Record<string, { name: string }> };
    const grammar = JSON.parse(files['grammar/xp.tmLanguage.json']!) as { patterns: Rule[]; repository: Record<string, Rule> };
    const { conditionBlock, conditionAttribute, block, expression } = grammar.repository;
    const begin = new RegExp(conditionBlock!.begin!);
    for (const type of ['validation', 'precondition', 'postcondition']) expect(begin.exec(`    ${type} {`)?.[1]).toBe(type);
    expect(conditionBlock!.beginCaptures!['1']!.name).toBe('keyword.other.condition.xp');
    expect(begin.exec('  validations {')).toBeNull();
    expect(begin.exec('role "validation" {')).toBeNull();
    const attribute = new RegExp(conditionAttribute!.match!);
    for (const name of ['condition', 'error_message']) expect(attribute.exec(`      ${name} = x`)?.[1]).toBe(name);
    expect(attribute.exec('      condition == x')).toBeNull();
    expect(conditionAttribute!.captures!['1']!.name).toBe('variable.other.property.condition.xp');
    // tried before the generic rules, wherever a block may start (the top level, inside a block)
    const order = (patterns: Rule[]) => patterns.map((p) => p.include);
    for (const patterns of [grammar.patterns, block!.patterns!]) expect(order(patterns).indexOf('#conditionBlock')).toBeLessThan(order(patterns).indexOf('#block'));
    expect(order(conditionBlock!.patterns!).indexOf('#conditionAttribute')).toBeLessThan(order(conditionBlock!.patterns!).indexOf('#attribute'));
    const language = expression!.patterns!.find((p) => p.name === 'variable.language.xp')!;
    expect('self.name var.x selfish.y'.match(new RegExp(language.match!, 'g'))).toEqual(['self', 'var']);
  });

  it('the TextMate grammar highlights moved blocks: the block type, from and to as attributes', () => {
    const grammar = JSON.parse(files['grammar/xp.tmLanguage.json']!) as { repository: Record<string, { begin?: string; match?: string }> };
    const { block, attribute } = grammar.repository;
    expect(new RegExp(block!.begin!).exec('moved {')?.[1]).toBe('moved');
    expect(new RegExp(attribute!.match!).exec('  from = role.tenant["a"]')?.[1]).toBe('from');
    expect(new RegExp(attribute!.match!).exec('  to   = role.tenant["b"]')?.[1]).toBe('to');
  });

  it('the TextMate grammar highlights module blocks and module references', () => {
    const grammar = JSON.parse(files['grammar/xp.tmLanguage.json']!) as { repository: Record<string, { begin?: string; match?: string; patterns?: Rule[] }> };
    const { block, attribute, expression } = grammar.repository;
    const begin = new RegExp(block!.begin!).exec('module "tenant" {');
    expect(begin?.[1]).toBe('module');
    expect(begin?.[2]).toBe(' "tenant"');
    expect(new RegExp(attribute!.match!).exec('  source   = "./modules/tenant"')?.[1]).toBe('source');
    const language = expression!.patterns!.find((p) => p.name === 'variable.language.xp')!;
    expect('module.tenant["acme"].app_user modules.x'.match(new RegExp(language.match!, 'g'))).toEqual(['module']);
    expect('"${path.module}/x.sql" paths.x path'.match(new RegExp(language.match!, 'g'))).toEqual(['path']);
  });

  it('the TextMate grammar is JSON whose patterns compile', () => {
    const grammar = JSON.parse(files['grammar/xp.tmLanguage.json']!) as { scopeName: string; repository: object };
    expect(grammar.scopeName).toBe('source.xp');
    const patterns: string[] = [];
    JSON.stringify(grammar.repository, (key, value) => {
      if ((key === 'match' || key === 'begin' || key === 'end') && typeof value === 'string') patterns.push(value);
      return value;
    });
    expect(patterns.length).toBeGreaterThan(10);
    // `\1` in an end pattern refers to the begin pattern's capture: valid in TextMate, and in JS
    for (const p of patterns) expect(() => new RegExp(p.replace(/\\1/g, 'EOT'))).not.toThrow();
  });
});
