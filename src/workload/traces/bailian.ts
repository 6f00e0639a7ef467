// Aliyun Bailian (qwen-bailian-usagetraces-anon) traces: JSON Lines `{chat_id,
// parent_chat_id (-1 for a root), timestamp (s, relative), input_length, output_length,
// type, turn, hash_ids (16-token blocks)}`. A turn's input includes its parent's history.
import { RowError } from '../data-issues.js';
import { hashIdsField, lengthField, parseJsonObject, secondsToMs, timeField, type TraceParser } from './row.js';

function idField(value: unknown, field: string): number {
  if (value === undefined || value === null) throw new RowError(`missing field '${field}'`);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new RowError(`field '${field}' is not an integer id (${JSON.stringify(value)})`);
  return value;
}

export function bailianParser(): TraceParser {
  return {
    row(text, line, unterminated) {
      const o = parseJsonObject(text, unterminated);
      const chatId = idField(o.chat_id, 'chat_id');
      const parentChatId = idField(o.parent_chat_id, 'parent_chat_id');
      if (parentChatId === chatId) throw new RowError(`parent_chat_id equals chat_id (${chatId})`);
      return {
        row: {
          line,
          timestampMs: secondsToMs(timeField(o.timestamp, 'timestamp')),
          inputTokens: lengthField(o.input_length, 'input_length', 1),
          outputTokens: lengthField(o.output_length, 'output_length', 1),
          hashIds: hashIdsField(o.hash_ids, 'hash_ids'),
          chatId,
          parentChatId,
        },
      };
    },
  };
}
