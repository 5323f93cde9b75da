// What a data-loss refusal says: the kinds and counts of what a drop would destroy. Used by the
// plan's refusal message and by the plan text (the provider's own message:
// xplane.data_loss_refusal, worded alike).
import type { DataLoss } from './types.js';

/** `index` → `indexes`, `policy` → `policies`, `view` → `views` (as xplane.data_loss_kinds). */
function pluralKind(n: number, kind: string): string {
  if (n === 1) return `${n} ${kind}`;
  if (/(s|x|ch|sh)$/.test(kind)) return `${n} ${kind}es`;
  if (/[^aeiou]y$/.test(kind)) return `${n} ${kind.slice(0, -1)}ies`;
  return `${n} ${kind}s`;
}

/** What a drop would destroy, as text: "1 function, 1 large object, 1 view (public.f(), …)". */
export function describeDataLoss(loss: DataLoss): string {
  if (!loss.checked) return 'contents that could not be checked';
  const counts = loss.kinds ?? {};
  const kinds = Object.keys(counts)
    .sort()
    .map((k) => pluralKind(counts[k]!, k));
  // A plan saved before the counts by kind were recorded.
  if (kinds.length === 0) kinds.push(...[loss.tables > 0 ? pluralKind(loss.tables, 'table') : '', loss.objects > 0 ? pluralKind(loss.objects, 'other object') : ''].filter(Boolean));
  const more = loss.tables + loss.objects > loss.examples.length ? ', …' : '';
  return `${kinds.join(', ')}${loss.examples.length > 0 ? ` (${loss.examples.join(', ')}${more})` : ''}`;
}
