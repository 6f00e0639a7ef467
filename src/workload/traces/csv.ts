// The small part of CSV the trace files use: comma-separated fields, optionally quoted
// ("" inside quotes is one quote), and a header row naming the columns.
import { RowError } from '../data-issues.js';

export function splitCsvLine(text: string): string[] {
  if (!text.includes('"')) return text.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) throw new RowError('a quoted field is not closed');
  fields.push(field);
  return fields;
}

/** Column positions by name; an error lists the missing columns and the ones found. */
export function headerColumns<K extends string>(text: string, wanted: Record<K, string>): Record<K, number> & { count: number } {
  const names = splitCsvLine(text.replace(/^\uFEFF/, '')).map((n) => n.trim());
  const out = { count: names.length } as Record<K, number> & { count: number };
  const missing: string[] = [];
  for (const [key, name] of Object.entries(wanted) as [K, string][]) {
    const at = names.indexOf(name);
    if (at === -1) missing.push(name);
    (out as Record<K, number>)[key] = at;
  }
  if (missing.length > 0) throw new RowError(`the header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (found: ${names.join(', ')})`);
  return out;
}

/** The row's fields, checked to match the header's column count. */
export function csvFields(text: string, columns: number, unterminated: boolean): string[] {
  const fields = splitCsvLine(text);
  if (fields.length !== columns) {
    const cut = unterminated && fields.length < columns ? 'the last line is truncated (no line break): ' : '';
    throw new RowError(`${cut}${fields.length} fields where the header has ${columns}`);
  }
  return fields;
}
