// Every string from a results file (scenario names, models, error messages, notes) is
// untrusted: it is escaped before it goes into HTML text, an attribute or SVG.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A number for display: integers as they are, else 3–4 decimals below 100 and 1 above; '—' when absent. */
export function formatNumber(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return String(value);
  const a = Math.abs(value);
  if (a !== 0 && a < 0.001) return value.toExponential(2);
  return a >= 100 ? value.toFixed(1) : a >= 1 ? value.toFixed(3) : value.toFixed(4);
}
