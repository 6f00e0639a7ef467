// A flat CSV of per-request records (RFC 4180: comma-separated, CRLF rows, fields with a
// comma, quote or line break quoted and quotes doubled). Text cells that a spreadsheet
// would run as a formula (= + - @ at the start) get a leading apostrophe: error messages
// come from servers and are untrusted.
import type { RequestRecord, RunResult } from '../../types.js';

export const CSV_COLUMNS = [
  'scenario', 'id', 'status', 'error_kind', 'http_status', 'error_message', 'scheduled_at', 'sent_at',
  'ttft_ms', 'e2e_ms', 'stream_end_ms', 'output_latency_ms', 'tpot_ms', 'input_tokens', 'output_tokens',
  'token_source', 'chunks', 'finish_reason',
] as const;

type Cell = string | number | null | undefined;

/** One CSV field. Numbers are written in full (no rounding); null/undefined as empty. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

function row(r: RequestRecord): Cell[] {
  const outputLatency = r.ttftMs !== null && r.e2eMs !== null ? r.e2eMs - r.ttftMs : null;
  const tpot = outputLatency !== null && r.outputTokens !== null && r.outputTokens >= 2 ? outputLatency / (r.outputTokens - 1) : null;
  return [
    r.scenario, r.id, r.status, r.error?.kind, r.error?.httpStatus, r.error?.message, r.scheduledAt, r.sentAt,
    r.ttftMs, r.e2eMs, r.streamEndMs, outputLatency, tpot, r.inputTokens, r.outputTokens,
    r.tokenSource, r.chunkOffsetsMs.length, r.finishReason,
  ];
}

/** Every scenario's requests as one CSV text (header first). */
export function requestsCsv(run: RunResult): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const s of run.scenarios) for (const r of s.requests) lines.push(row(r).map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
