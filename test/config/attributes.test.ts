// attributesOf: a block's attributes by name, the first of each name counting, every repeat
// reported where it stands.
import { describe, expect, it } from 'vitest';
import { attributesOf, DiagnosticSink } from '../../src/config/context.js';
import { parse } from '../../src/dsl/index.js';

function indexOf(body: string) {
  const block = parse('main.xp', `role "r" {\n${body}}\n`).ast.body.blocks[0]!;
  const sink = new DiagnosticSink();
  const attrs = attributesOf(block, sink);
  return { attrs, reported: sink.list.map((d) => `${d.range!.start.line}: ${d.message}`) };
}

describe('attributesOf', () => {
  it('finds each attribute by name, in order', () => {
    const { attrs, reported } = indexOf('  comment = "a"\n  connection_limit = 3\n');
    expect(reported).toEqual([]);
    expect(attrs.get('connection_limit')?.name).toBe('connection_limit');
    expect(attrs.has('comment')).toBe(true);
    expect(attrs.get('nope')).toBeUndefined();
    expect([...attrs].map(([name]) => name)).toEqual(['comment', 'connection_limit']);
  });

  it('keeps the first of a name set more than once, and the attributes after a repeat', () => {
    const { attrs, reported } = indexOf('  comment = "a"\n  comment = "b"\n  connection_limit = 3\n  comment = "c"\n  login = true\n');
    expect(reported).toEqual(['3: attribute "comment" is set twice', '5: attribute "comment" is set twice']);
    expect(attrs.get('comment')?.range.start.line).toBe(2);
    expect([...attrs].map(([name]) => name)).toEqual(['comment', 'connection_limit', 'login']);
  });
});
