// The value domain of every attribute: the values PostgreSQL can hold for it. The evaluator
// checks each attribute's value against its domain, so that a value PostgreSQL would refuse is
// a located diagnostic at validate time, never an error half-way through an apply. The
// in-database provider refuses the same values (sql/035_spec.sql: identifier_problem,
// timestamp_problem, spec_int); test/kinds/domains.contract.test.ts checks both sides on one
// table of cases. docs/language.md ("Limits of values") lists them.
import type { ResourceType } from '../model/types.js';
import type { TypeSpec } from '../model/type-spec.js';

export type Domain =
  /** A PostgreSQL name: 1 to 63 bytes of UTF-8 (NAMEDATALEN - 1), no NUL. */
  | { d: 'identifier' }
  /** Any string without NUL (PostgreSQL text cannot hold one); `nonEmpty`: not "" either. */
  | { d: 'text'; nonEmpty?: boolean }
  /** An integer from min to max (both within the safe integer range). */
  | { d: 'integer'; min: number; max: number }
  /** A timestamp in a strict ISO 8601 form, or "infinity" / "-infinity". */
  | { d: 'timestamp' }
  /** A server encoding of PostgreSQL (CREATE DATABASE … ENCODING): SERVER_ENCODINGS or UNICODE. */
  | { d: 'encoding' }
  /** The name of a setting (a map key of `settings`): a simple name, or a custom one with dots. */
  | { d: 'setting_name' }
  | { d: 'bool' };

/** PostgreSQL's NAMEDATALEN - 1: longer names are truncated silently by the server. */
export const MAX_IDENTIFIER_BYTES = 63;
export const INT4_MIN = -2147483648;
export const INT4_MAX = 2147483647;

export const IDENTIFIER: Domain = { d: 'identifier' };
export const TEXT: Domain = { d: 'text' };
/** Text the provider needs non-empty (a locale, an extension version). */
export const NONEMPTY_TEXT: Domain = { d: 'text', nonEmpty: true };
export const INT4: Domain = { d: 'integer', min: INT4_MIN, max: INT4_MAX };
/** CONNECTION LIMIT: -1 (no limit) or more, an int4 column. */
export const CONNECTION_LIMIT: Domain = { d: 'integer', min: -1, max: INT4_MAX };
export const TIMESTAMP: Domain = { d: 'timestamp' };
export const BOOLEAN: Domain = { d: 'bool' };
export const ENCODING: Domain = { d: 'encoding' };
export const SETTING_NAME: Domain = { d: 'setting_name' };

/**
 * The shape of a setting name, as xplane.normalize_role_settings checks it: a known setting is
 * a simple name (work_mem), a custom one two or more joined by dots (myapp.tenant). Whether a
 * simple name is a setting the server knows is the provider's to say (at plan).
 */
const SETTING_NAME_RE = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*$/;

/**
 * The encodings a database can have (PostgreSQL's server encodings, pg_wchar.h up to KOI8U);
 * the client-only ones (SJIS, BIG5, GBK, …) cannot. Compared as PostgreSQL does: case, and
 * anything but letters and digits, do not matter (utf-8 is UTF8); UNICODE is an alias of UTF8.
 */
export const SERVER_ENCODINGS = [
  'SQL_ASCII', 'EUC_JP', 'EUC_CN', 'EUC_KR', 'EUC_TW', 'EUC_JIS_2004', 'UTF8', 'MULE_INTERNAL',
  'LATIN1', 'LATIN2', 'LATIN3', 'LATIN4', 'LATIN5', 'LATIN6', 'LATIN7', 'LATIN8', 'LATIN9', 'LATIN10',
  'WIN1256', 'WIN1258', 'WIN866', 'WIN874', 'KOI8R', 'WIN1251', 'WIN1252', 'ISO_8859_5', 'ISO_8859_6',
  'ISO_8859_7', 'ISO_8859_8', 'WIN1250', 'WIN1253', 'WIN1254', 'WIN1255', 'WIN1257', 'KOI8U',
] as const;
const cleanEncoding = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
const encodings = new Set([...SERVER_ENCODINGS.map(cleanEncoding), 'unicode']);

/**
 * The domain of an attribute's values (of its elements, for a list or a map): the declared
 * one, else an identifier for references, text for strings, int4 for numbers (every number of
 * the specs is an int4 column), bool for bools. Total: every attribute has one. The parameter
 * is the part of kind.ts's AttributeSchema read here (kind.ts imports this file's Domain).
 */
export function domainOf(schema: { type: TypeSpec; domain?: Domain; references?: readonly ResourceType[] }): Domain {
  if (schema.domain) return schema.domain;
  if (schema.references) return IDENTIFIER;
  let t = schema.type;
  while (t.t === 'list' || t.t === 'set' || t.t === 'map') t = t.elem;
  if (t.t === 'number') return INT4;
  if (t.t === 'bool') return BOOLEAN;
  return TEXT;
}

const utf8 = new TextEncoder();

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What no string sent to PostgreSQL may hold: NUL, or half a UTF-16 surrogate pair ("\uD800"), which has no UTF-8 form. */
export function stringProblem(s: string): string | undefined {
  if (s.includes('\0')) return 'must not contain a NUL character (\\u0000)';
  const lone = LONE_SURROGATE.exec(s);
  if (lone) return `must be valid Unicode: \\u${lone[0].charCodeAt(0).toString(16).toUpperCase()} is half of a surrogate pair`;
  return undefined;
}

/** Why a name cannot be a PostgreSQL identifier, or undefined when it can. */
export function identifierProblem(s: string): string | undefined {
  if (s === '') return 'must not be empty';
  const bad = stringProblem(s);
  if (bad) return bad;
  if (s.length <= MAX_IDENTIFIER_BYTES / 3) return undefined; // at most 3 bytes per UTF-16 unit: short enough
  const bytes = utf8.encode(s).length;
  if (bytes > MAX_IDENTIFIER_BYTES) return `is ${bytes} bytes long, more than PostgreSQL's limit of ${MAX_IDENTIFIER_BYTES} bytes (NAMEDATALEN)`;
  return undefined;
}

// YYYY-MM-DD, then optionally [T ]HH:MM[:SS[.ffffff]], then optionally Z or ±HH[[:]MM].
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?$/;
const TIMESTAMP_FORMS = 'an ISO 8601 timestamp such as 2027-01-01T00:00:00Z (or 2027-01-01, 2027-01-01 12:00:00+02:00), or "infinity"';

/** Why a string is not a timestamp xp accepts, or undefined when it is one. */
export function timestampProblem(s: string): string | undefined {
  if (s === 'infinity' || s === '-infinity') return undefined;
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return `must be ${TIMESTAMP_FORMS}`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1000) return 'the year must be between 1000 and 9999';
  if (month < 1 || month > 12) return `month ${m[2]} does not exist`;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day < 1 || day > days) return `${m[1]}-${m[2]} has no day ${m[3]}`;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return 'the time must be from 00:00:00 to 23:59:59';
  if (m[8] !== undefined && (Number(m[8]) > 15 || Number(m[9] ?? 0) > 59)) return 'the time zone offset must be from -15:59 to +15:59';
  return undefined;
}

/** Why a scalar is outside a domain, or undefined when it is inside. `sensitive`: the value is not shown. */
export function scalarProblem(domain: Domain, value: string | number | boolean, sensitive = false): string | undefined {
  const got = sensitive ? '' : `, got ${value}`;
  switch (domain.d) {
    case 'identifier':
      return typeof value === 'string' ? identifierProblem(value) : undefined;
    case 'text':
      if (typeof value !== 'string') return undefined;
      if (stringProblem(value)) return stringProblem(value);
      return domain.nonEmpty && value === '' ? 'must not be empty' : undefined;
    case 'timestamp':
      if (typeof value !== 'string') return undefined;
      return stringProblem(value) ?? timestampProblem(value);
    case 'encoding':
      if (typeof value !== 'string') return undefined;
      if (stringProblem(value)) return stringProblem(value);
      return encodings.has(cleanEncoding(value)) ? undefined : `must be a server encoding of PostgreSQL (${SERVER_ENCODINGS.join(', ')})`;
    case 'integer': {
      if (typeof value !== 'number') return undefined;
      if (!Number.isFinite(value)) return `must be a finite integer${got}`;
      if (!Number.isInteger(value)) return `must be a whole number${got}`;
      if (value < domain.min || value > domain.max) return `must be from ${domain.min} to ${domain.max}${got}`;
      return undefined;
    }
    case 'setting_name':
      if (typeof value !== 'string') return undefined;
      return stringProblem(value) ?? (SETTING_NAME_RE.test(value) ? undefined : 'is not a setting name: a name such as work_mem, or names joined by dots for a custom setting (myapp.tenant)');
    case 'bool':
      return undefined;
  }
}

/**
 * The first problem of a converted value (a scalar, or a list or map of them; map keys must be
 * text too), with the element's path (`[1]`, `["key"]`); undefined when every part is in the domain.
 */
export function valueProblem(
  domain: Domain,
  value: unknown,
  sensitive = false,
  path = '',
  keyDomain?: Domain,
): { problem: string; path: string } | undefined {
  const p = problemIn(domain, value, sensitive, keyDomain);
  return p === undefined ? undefined : { problem: p.problem, path: path + p.path };
}

/** valueProblem below `value`: the path is joined on the way out of a problem, not built for
 * every element checked (this runs for every attribute of every resource). */
function problemIn(domain: Domain, value: unknown, sensitive: boolean, keyDomain: Domain | undefined): { problem: string; path: string } | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const problem = scalarProblem(domain, value, sensitive);
    return problem === undefined ? undefined : { problem, path: '' };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = problemIn(domain, value[i], sensitive, keyDomain);
      if (p) return { problem: p.problem, path: `[${i}]${p.path}` };
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const k of Object.keys(value)) {
      const keyProblem = keyDomain ? scalarProblem(keyDomain, k) : stringProblem(k);
      if (keyProblem) return { problem: `the key ${keyProblem}`, path: `[${JSON.stringify(k)}]` };
      const p = problemIn(domain, (value as Record<string, unknown>)[k], sensitive, keyDomain);
      if (p) return { problem: p.problem, path: `[${JSON.stringify(k)}]${p.path}` };
    }
  }
  return undefined;
}
