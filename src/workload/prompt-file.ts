// Line-by-line prompt sources:
// - JSONL prompts: `{"prompt": "…"}` or `{"messages": [{role, content}, …]}`, with an
//   optional `max_tokens` per line.
// - Request logs: one OpenAI request body per line (chat or completions), either bare or as
//   `{"timestamp": …, "body": {…}}`; a bare body may carry a top-level `timestamp`. Times are
//   Unix seconds (or any seconds) or ISO 8601 strings; the replay keeps their spacing.
//   Sampling fields of the body (temperature, top_p, …) are sent as logged; `model`,
//   `stream` and `stream_options` are the run's own.
import type { ChatMessage } from '../types.js';
import { DataIssues, RowError } from './data-issues.js';
import { countMessages, type DatasetItem } from './dataset.js';
import { readLines } from './line-reader.js';
import type { TokenCounter } from './token-counter.js';
import { parseJsonObject, secondsToMs } from './traces/row.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
/** Body fields the run sets itself, or that this reader turns into the request's own fields. */
const RUN_OWNED = new Set(['model', 'stream', 'stream_options', 'messages', 'prompt', 'max_tokens', 'max_completion_tokens', 'timestamp']);

function contentText(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown, i) => {
        const p = part as { type?: unknown; text?: unknown } | null;
        if (p && p.type === 'text' && typeof p.text === 'string') return p.text;
        throw new RowError(`${where}.content[${i}] is not a text part (only text is supported)`);
      })
      .join('\n');
  }
  throw new RowError(`${where}: missing field 'content'`);
}

function messagesField(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw new RowError("field 'messages' is not a non-empty list");
  return value.map((m: unknown, i) => {
    const where = `messages[${i}]`;
    if (m === null || typeof m !== 'object') throw new RowError(`${where} is not an object`);
    const { role, content } = m as { role?: unknown; content?: unknown };
    const r = role === 'developer' ? 'system' : role;
    if (typeof r !== 'string' || !ROLES.has(r)) throw new RowError(`${where}: role ${JSON.stringify(role)} is not system, user, assistant or tool`);
    return { role: r as ChatMessage['role'], content: contentText(content, where) };
  });
}

function promptOf(o: Record<string, unknown>): ChatMessage[] {
  if (o.messages !== undefined) return messagesField(o.messages);
  if (typeof o.prompt === 'string') {
    if (o.prompt === '') throw new RowError("field 'prompt' is empty");
    return [{ role: 'user', content: o.prompt }];
  }
  if (o.prompt !== undefined) throw new RowError("field 'prompt' is not a string");
  throw new RowError("missing field 'prompt' or 'messages'");
}

function maxTokensOf(o: Record<string, unknown>): number | undefined {
  const v = o.max_tokens ?? o.max_completion_tokens;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RowError(`field 'max_tokens' is not a whole number (${JSON.stringify(v)})`);
  if (v < 1) throw new RowError(`field 'max_tokens' is ${v}; it must be at least 1`);
  return v;
}

/** A log timestamp in ms: seconds as a number, or an ISO 8601 string. */
export function logTimestampMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return secondsToMs(value);
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new RowError(`field 'timestamp' is not a valid timestamp (seconds, or ISO 8601) (${JSON.stringify(value)})`);
}

export interface PromptFileResult {
  items: DatasetItem[];
  notes: string[];
}

export interface PromptFileOptions {
  kind: 'jsonl' | 'request_log';
  counter: TokenCounter;
  skipInvalid: boolean;
  maxItems: number;
  /** Request logs: replay timestamps divided by this; undefined: ignore timestamps. */
  speedup?: number;
}

export async function loadPromptFile(path: string, opts: PromptFileOptions): Promise<PromptFileResult> {
  const issues = new DataIssues(path, opts.skipInvalid);
  const items: DatasetItem[] = [];
  const timestamps: (number | undefined)[] = [];
  let rows = 0;
  for await (const line of readLines(path)) {
    if (line.text.trim() === '') continue;
    rows++;
    try {
      const o = parseJsonObject(line.text, line.unterminated);
      let body = o;
      let timestamp = o.timestamp;
      if (opts.kind === 'request_log' && (o.body !== undefined || o.request !== undefined)) {
        const inner = o.body ?? o.request;
        if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) throw new RowError("field 'body' is not a request object");
        body = inner as Record<string, unknown>;
        timestamp = o.timestamp ?? body.timestamp;
      }
      const messages = promptOf(body);
      const item: DatasetItem = { line: line.number, messages, inputTokens: countMessages(messages, opts.counter.count), outputTokens: maxTokensOf(body) };
      if (opts.kind === 'request_log') {
        const extra = Object.fromEntries(Object.entries(body).filter(([k]) => !RUN_OWNED.has(k)));
        if (Object.keys(extra).length > 0) item.body = extra;
      }
      const ts = opts.kind === 'request_log' && opts.speedup !== undefined && timestamp !== undefined ? logTimestampMs(timestamp) : undefined;
      if (ts === undefined && timestamps.some((t) => t !== undefined)) throw new RowError("missing field 'timestamp' (earlier lines have one)");
      if (ts !== undefined && timestamps.length > 0 && timestamps[0] === undefined) throw new RowError("field 'timestamp' where earlier lines have none");
      timestamps.push(ts);
      items.push(item);
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      issues.report(line.number, err.message);
    }
    if (items.length >= opts.maxItems) break;
  }
  const notes: string[] = [];
  const skipped = issues.note();
  if (skipped) notes.push(skipped);
  if (rows > 0 && timestamps[0] !== undefined && opts.speedup !== undefined) {
    let first = Infinity;
    for (const t of timestamps) first = Math.min(first, t as number);
    items.forEach((item, i) => (item.offsetMs = ((timestamps[i] as number) - first) / (opts.speedup as number)));
    const order = items.map((it, i) => [it.offsetMs as number, i] as const);
    if (order.some(([t], i) => i > 0 && t < order[i - 1][0])) {
      items.sort((a, b) => (a.offsetMs as number) - (b.offsetMs as number));
      notes.push(`${path} is not in time order; its requests were sorted by timestamp`);
    }
    if (opts.speedup !== 1) notes.push(`log times divided by ${opts.speedup} (speedup)`);
  }
  return { items, notes };
}
