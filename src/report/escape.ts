// Untrusted strings (scenario names, model names, error messages, fingerprints) go into the
// PR comment as text: they must not close a <details>, open an <img>, break a table row,
// start a code fence or math, or mention (@) someone. Characters that only format (_ ~ #
// mid-line) are left alone so the raw text stays readable in a terminal.

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  '[': '&#91;',
  ']': '&#93;',
  '@': '&#64;',
  '$': '&#36;',
};

/** Text safe in Markdown and HTML, on one line (controls and newlines become spaces), at most `max` characters. */
export function escapeText(value: unknown, max = 200): string {
  let s = String(value ?? '');
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
  if (s.length > max) s = s.slice(0, max - 1) + '…';
  return s.replace(/[&<>"'|\\`*[\]@$]/g, (c) => ENTITIES[c]);
}

/** Text for a terminal: control characters (escape sequences, newlines) become spaces. */
export function plainText(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String(value ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
