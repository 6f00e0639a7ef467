// Mooncake (FAST'25) traces: JSON Lines `{timestamp (ms from the trace's start),
// input_length, output_length, hash_ids}`. Each hash id names one block of `block_size`
// (512) prompt tokens; requests that share leading ids share that prefix in the KV cache.
import { hashIdsField, lengthField, parseJsonObject, timeField, type TraceParser } from './row.js';

export function mooncakeParser(): TraceParser {
  return {
    row(text, line, unterminated) {
      const o = parseJsonObject(text, unterminated);
      return {
        row: {
          line,
          timestampMs: timeField(o.timestamp, 'timestamp'),
          inputTokens: lengthField(o.input_length, 'input_length', 1),
          outputTokens: lengthField(o.output_length, 'output_length', 1),
          hashIds: hashIdsField(o.hash_ids, 'hash_ids'),
        },
      };
    },
  };
}
