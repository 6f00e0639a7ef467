// Azure LLM inference traces (2023 Splitwise, 2024): CSV `TIMESTAMP,ContextTokens,
// GeneratedTokens` with CRLF line ends and timestamps like `2023-11-16 18:15:46.6805900`
// (7 fractional digits, no time zone: read as UTC; an explicit offset is applied).
//
// The time axis starts at the first row's whole second, and each timestamp is split into
// whole seconds (exact integers) and the fraction, so offsets keep their 0.1 µs digits
// instead of losing them in a 1.7e12 ms epoch value.
import { RowError } from '../data-issues.js';
import { csvFields, headerColumns } from './csv.js';
import { lengthField, type TraceParser } from './row.js';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Whole-second epoch ms and the fraction in ms, or a RowError naming the value. */
export function parseAzureTimestamp(text: string): { secondMs: number; fractionMs: number } {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) throw new RowError(`field 'TIMESTAMP' is not a timestamp like 2023-11-16 18:15:46.6805900 (${JSON.stringify(text)})`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  let secondMs = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(secondMs);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new RowError(`field 'TIMESTAMP' is not a real date and time (${JSON.stringify(text)})`);
  }
  const digits = m[7] ?? '';
  const fractionMs = digits === '' ? 0 : Number(digits) / 10 ** (digits.length - 3);
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const hhmm = zone.slice(1).replace(':', '');
    secondMs -= sign * (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(2))) * 60_000;
  }
  return { secondMs, fractionMs };
}

export function azureParser(): TraceParser {
  let columns: { count: number; time: number; input: number; output: number } | undefined;
  let originSecondMs: number | undefined;
  let firstText: string | undefined;
  return {
    firstTimestamp: () => firstText,
    header(text) {
      columns = headerColumns(text, { time: 'TIMESTAMP', input: 'ContextTokens', output: 'GeneratedTokens' });
    },
    row(text, line, unterminated) {
      if (!columns) throw new RowError('no header row');
      const f = csvFields(text, columns.count, unterminated);
      const { secondMs, fractionMs } = parseAzureTimestamp(f[columns.time]);
      if (originSecondMs === undefined) {
        originSecondMs = secondMs;
        firstText = f[columns.time].trim();
      }
      return {
        row: {
          line,
          timestampMs: secondMs - originSecondMs + fractionMs,
          inputTokens: lengthField(f[columns.input], 'ContextTokens', 1),
          outputTokens: lengthField(f[columns.output], 'GeneratedTokens', 1),
        },
      };
    },
  };
}
