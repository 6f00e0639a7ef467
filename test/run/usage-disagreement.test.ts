import { describe, expect, it } from 'vitest';
import { usageDisagreementNote } from '../../src/run.js';
import type { RequestRecord } from '../../src/types.js';

function rec(outputTokens: number, tokenizerOutputTokens?: number): RequestRecord {
  return {
    id: String(Math.random()),
    scenario: 's',
    status: 'ok',
    error: null,
    scheduledAt: null,
    sentAt: 0,
    ttftMs: 1,
    e2eMs: 2,
    streamEndMs: 2,
    inputTokens: 1,
    outputTokens,
    tokenSource: 'usage',
    chunkOffsetsMs: [1, 2],
    ...(tokenizerOutputTokens === undefined ? {} : { tokenizerOutputTokens }),
  };
}

describe('usage against the tokenizer', () => {
  it('warns when they disagree by more than 2 %, naming how often and how much', () => {
    expect(usageDisagreementNote([rec(100, 100), rec(100, 102), rec(100)])).toBeNull();
    expect(usageDisagreementNote([rec(100, 100), rec(100, 110), rec(200, 190), rec(100)])).toBe(
      "server usage and the tokenizer disagree by more than 2 % on 2 of 3 outputs checked (up to 10.0 %): is the tokenizer the served model's?",
    );
  });
});
