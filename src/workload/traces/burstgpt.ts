// BurstGPT traces: CSV `Timestamp (s from the trace's start),Model,Request tokens,
// Response tokens,Total tokens,Log Type`. A row with 0 response tokens is a failed request:
// it is left out and counted. `model` keeps one Model value (vLLM's loader keeps GPT-4).
import { RowError } from '../data-issues.js';
import { csvFields, headerColumns } from './csv.js';
import { lengthField, secondsToMs, timeField, type TraceParser } from './row.js';

export function burstGptParser(model?: string): TraceParser {
  let columns: { count: number; time: number; model: number; input: number; output: number } | undefined;
  return {
    header(text) {
      columns = headerColumns(text, { time: 'Timestamp', model: 'Model', input: 'Request tokens', output: 'Response tokens' });
    },
    row(text, line, unterminated) {
      if (!columns) throw new RowError('no header row');
      const f = csvFields(text, columns.count, unterminated);
      const timestampMs = secondsToMs(timeField(f[columns.time], 'Timestamp'));
      const inputTokens = lengthField(f[columns.input], 'Request tokens', 1);
      const outputTokens = lengthField(f[columns.output], 'Response tokens', 0);
      if (model !== undefined && f[columns.model].trim() !== model) return { skip: 'filtered' };
      if (outputTokens === 0) return { skip: 'failed' };
      return { row: { line, timestampMs, inputTokens, outputTokens } };
    },
  };
}
