// ShareGPT (`ShareGPT_V3_unfiltered_cleaned_split.json`: [{id, conversations: [{from:
// "human"|"gpt", value}]}]), read as vLLM's benchmark reads it: the first human turn is the
// prompt and the reply's token length the output length, keeping pairs where both are ≥ 4
// tokens, the prompt ≤ 1024 and prompt + output ≤ 2048 (the configurable defaults). One
// difference: a conversation that starts with a gpt turn (an artefact of splitting long
// chats) is left out, where vLLM would send the gpt text as the prompt.
//
// Multi-turn: one request per assistant turn, carrying every turn before it as history
// (the recorded replies, not the server's), so later turns share their prefix with earlier
// ones; each request is filtered on its own lengths.
import type { ShareGptWorkload } from '../config/schema.js';
import { InputError } from '../errors.js';
import type { ChatMessage } from '../types.js';
import { DataIssues, RowError } from './data-issues.js';
import { countMessages, type DatasetItem } from './dataset.js';
import { readJsonArray } from './json-array.js';
import type { TokenCounter } from './token-counter.js';

const ROLES: Record<string, ChatMessage['role']> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  chatgpt: 'assistant',
  bard: 'assistant',
  bing: 'assistant',
  assistant: 'assistant',
  system: 'system',
};

function turnsOf(value: unknown): ChatMessage[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RowError('not a conversation object');
  const conversations = (value as { conversations?: unknown }).conversations;
  if (conversations === undefined) throw new RowError("missing field 'conversations'");
  if (!Array.isArray(conversations)) throw new RowError("field 'conversations' is not a list");
  return conversations.map((turn: unknown, i) => {
    const t = turn as { from?: unknown; value?: unknown } | null;
    if (t === null || typeof t !== 'object') throw new RowError(`conversations[${i}] is not an object`);
    if (typeof t.from !== 'string') throw new RowError(`conversations[${i}]: missing field 'from'`);
    if (typeof t.value !== 'string') throw new RowError(`conversations[${i}]: missing field 'value'`);
    const role = ROLES[t.from.toLowerCase()];
    if (!role) throw new RowError(`conversations[${i}]: unknown speaker '${t.from}'`);
    return { role, content: t.value };
  });
}

export interface ShareGptResult {
  items: DatasetItem[];
  conversations: number;
  filtered: number;
  notes: string[];
}

export async function loadShareGpt(path: string, workload: ShareGptWorkload, counter: TokenCounter, maxItems: number): Promise<ShareGptResult> {
  const issues = new DataIssues(path, workload.skip_invalid);
  const { min_tokens: minTokens, max_input_tokens: maxInput, max_total_tokens: maxTotal } = workload.filters;
  const fixedOutput = workload.output_tokens !== undefined;
  const items: DatasetItem[] = [];
  let conversations = 0;
  let filtered = 0;
  let notHumanFirst = 0;
  const keep = (line: number, messages: ChatMessage[], reply: string | undefined): void => {
    const inputTokens = countMessages(messages, counter.count);
    const outputTokens = reply === undefined ? undefined : counter.count(reply);
    const inputOk = inputTokens >= Math.max(1, minTokens) && inputTokens <= maxInput;
    // With output_tokens set, the reply's length does not matter (vLLM's fixed output length).
    const outputOk = fixedOutput || (outputTokens !== undefined && outputTokens >= Math.max(1, minTokens) && inputTokens + outputTokens <= maxTotal);
    const ok = inputOk && outputOk;
    if (!ok) filtered++;
    else items.push({ line, messages, inputTokens, outputTokens });
  };

  for await (const element of readJsonArray(path)) {
    if (items.length >= maxItems) break;
    conversations++;
    let turns: ChatMessage[];
    try {
      if (element.error) throw element.error;
      turns = turnsOf(element.value);
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      issues.report(element.line, err.message);
      continue;
    }
    if (turns.length === 0 || turns[0].role !== 'user') {
      notHumanFirst++;
      continue;
    }
    if (!workload.multi_turn) {
      if (turns.length < 2 && !fixedOutput) filtered++;
      else keep(element.line, [turns[0]], turns.length >= 2 ? turns[1].content : undefined);
      continue;
    }
    for (let k = 1; k < turns.length && items.length < maxItems; k++) {
      if (turns[k].role === 'assistant' && turns[k - 1].role === 'user') keep(element.line, turns.slice(0, k), turns[k].content);
    }
  }
  if (conversations === 0) throw new InputError(`${path}: the JSON array is empty`);
  const notes: string[] = [];
  const skipped = issues.note();
  if (skipped) notes.push(skipped);
  if (notHumanFirst > 0) notes.push(`left out ${notHumanFirst} conversation${notHumanFirst === 1 ? '' : 's'} of ${path} that do not start with a human turn`);
  if (filtered > 0) {
    notes.push(`filtered out ${filtered} ${workload.multi_turn ? 'turns' : 'conversations'} of ${path} (lengths outside ${minTokens}…${maxInput} input, ≤ ${maxTotal} total tokens, or no reply)`);
  }
  return { items, conversations, filtered, notes };
}
