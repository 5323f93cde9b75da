// Type constraints as data (`string`, `list(string)`, `map(number)`, `object({…})`, `any`):
// the kinds declare their attributes' types with these, and the evaluator converts values to
// them (src/config/type-constraints.ts reads them from the language and converts).

export type TypeSpec =
  | { t: 'string' }
  | { t: 'number' }
  | { t: 'bool' }
  | { t: 'any' }
  | { t: 'list' | 'set' | 'map'; elem: TypeSpec }
  | { t: 'object'; attrs?: Record<string, TypeSpec> };

export const STRING: TypeSpec = { t: 'string' };
export const NUMBER: TypeSpec = { t: 'number' };
export const BOOL: TypeSpec = { t: 'bool' };
export const ANY: TypeSpec = { t: 'any' };
export const listOf = (elem: TypeSpec): TypeSpec => ({ t: 'list', elem });
export const setOf = (elem: TypeSpec): TypeSpec => ({ t: 'set', elem });
export const mapOf = (elem: TypeSpec): TypeSpec => ({ t: 'map', elem });

export function typeName(t: TypeSpec): string {
  switch (t.t) {
    case 'list':
    case 'set':
    case 'map':
      return `${t.t}(${typeName(t.elem)})`;
    case 'object':
      return t.attrs ? `object({${Object.entries(t.attrs).map(([k, v]) => `${k} = ${typeName(v)}`).join(', ')}})` : 'object';
    default:
      return t.t;
  }
}
