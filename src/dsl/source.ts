// Reading source files as bytes: an xp file (and a var file) must be UTF-8. Node's 'utf8'
// decoding replaces an invalid sequence with U+FFFD silently, and the replacement would reach
// PostgreSQL as part of a name or a comment; here the first invalid sequence is an error at
// its line:col instead.
import type { Diagnostic } from './diagnostics.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export type DecodedSource =
  | { ok: true; text: string }
  /** `text`: the lossy decoding, for showing the line; `diagnostic`: where the first invalid sequence starts. */
  | { ok: false; text: string; diagnostic: Diagnostic };

/** The byte offset of the first invalid UTF-8 sequence (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF) and its length, or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): { offset: number; length: number } | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return { offset: i, length: 1 };
    for (let k = 1; k <= need; k++) {
      const c = i + k < n ? bytes[i + k]! : -1;
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c < min || c > max) return { offset: i, length: k };
    }
    i += need + 1;
  }
  return undefined;
}

/** Decodes a file's bytes as UTF-8, or locates (line:col) the first invalid sequence. */
export function decodeSource(path: string, bytes: Uint8Array): DecodedSource {
  try {
    return { ok: true, text: strict.decode(bytes) };
  } catch {
    // located below
  }
  const bad = firstInvalidUtf8(bytes)!;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bad.offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // everything before the bad sequence is valid: columns and offsets count UTF-16 units, as the lexer's do
  const column = strict.decode(bytes.subarray(lineStart, bad.offset)).length + 1;
  const offset = strict.decode(bytes.subarray(0, bad.offset)).length;
  const shown = Array.from(bytes.subarray(bad.offset, bad.offset + bad.length), (b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
  return {
    ok: false,
    text: lossy.decode(bytes),
    diagnostic: {
      severity: 'error',
      message: `invalid UTF-8: ${shown} is not a valid character`,
      range: { file: path, start: { line, column, offset }, end: { line, column: column + 1, offset: offset + 1 } },
      hint: 'xp files are UTF-8: save the file with that encoding',
    },
  };
}
