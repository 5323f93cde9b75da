// Source files are read as bytes and must be UTF-8: the first invalid sequence is an error at
// its line:col (Node's 'utf8' decoding would replace it with U+FFFD silently).
import { describe, expect, it } from 'vitest';
import { decodeSource, firstInvalidUtf8 } from '../../src/dsl/source.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('firstInvalidUtf8', () => {
  it.each([
    ['ASCII', bytes(0x61, 0x62), undefined],
    ['two, three and four bytes', bytes(0xc3, 0xa9, 0xe2, 0x98, 0x83, 0xf0, 0x9f, 0x98, 0x80), undefined],
    ['a stray continuation byte', bytes(0x61, 0x80), { offset: 1, length: 1 }],
    ['0xFF', bytes(0xff), { offset: 0, length: 1 }],
    ['an overlong encoding (C0 80)', bytes(0xc0, 0x80), { offset: 0, length: 1 }],
    ['an overlong three-byte encoding (E0 80 80)', bytes(0xe0, 0x80, 0x80), { offset: 0, length: 1 }],
    ['a UTF-16 surrogate (ED A0 80)', bytes(0x61, 0xed, 0xa0, 0x80), { offset: 1, length: 1 }],
    ['beyond U+10FFFF (F4 90 80 80)', bytes(0xf4, 0x90, 0x80, 0x80), { offset: 0, length: 1 }],
    ['F5', bytes(0xf5, 0x80, 0x80, 0x80), { offset: 0, length: 1 }],
    ['truncated at the end of the file', bytes(0x61, 0xe2, 0x98), { offset: 1, length: 2 }],
    ['a lead byte followed by ASCII', bytes(0xc3, 0x28), { offset: 0, length: 1 }],
  ])('%s', (_name, input, expected) => {
    expect(firstInvalidUtf8(input)).toEqual(expected);
    // the fast path (TextDecoder fatal) and the scan agree on validity
    expect(decodeSource('x.xp', input).ok).toBe(expected === undefined);
  });
});

describe('decodeSource', () => {
  it('locates the first invalid sequence: line, column in characters, offset', () => {
    const text = Buffer.concat([Buffer.from('role "r" {\n  comment = "é☃ '), Buffer.from([0xc3, 0x28]), Buffer.from('"\n}\n')]);
    const r = decodeSource('main.xp', text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostic).toEqual({
      severity: 'error',
      message: 'invalid UTF-8: 0xC3 is not a valid character',
      range: { file: 'main.xp', start: { line: 2, column: 17, offset: 27 }, end: { line: 2, column: 18, offset: 28 } },
      hint: 'xp files are UTF-8: save the file with that encoding',
    });
    expect(r.text.split('\n')[1]).toBe('  comment = "é☃ \uFFFD("');
  });

  it('keeps a byte order mark as the text (the lexer skips it as whitespace)', () => {
    expect(decodeSource('x.xp', bytes(0xef, 0xbb, 0xbf, 0x61))).toEqual({ ok: true, text: '\uFEFFa' });
  });
});
