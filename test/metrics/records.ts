// Hand-built request records for metric tests.
import type { RequestRecord } from '../../src/types.js';

export function okRecord(fields: Partial<RequestRecord> & Pick<RequestRecord, 'id' | 'sentAt' | 'ttftMs' | 'e2eMs' | 'outputTokens' | 'chunkOffsetsMs'>): RequestRecord {
  return {
    scenario: 's',
    status: 'ok',
    error: null,
    scheduledAt: null,
    streamEndMs: (fields.e2eMs ?? 0) + 1,
    inputTokens: 10,
    tokenSource: 'usage',
    ...fields,
  };
}

export function failedRecord(fields: Partial<RequestRecord> & Pick<RequestRecord, 'id' | 'sentAt' | 'status'>): RequestRecord {
  return {
    scenario: 's',
    error: null,
    scheduledAt: null,
    ttftMs: null,
    e2eMs: null,
    streamEndMs: null,
    inputTokens: null,
    outputTokens: null,
    tokenSource: 'estimate',
    chunkOffsetsMs: [],
    ...fields,
  };
}

/** Three successes and two failures over a 4 s window; the expected metrics are worked out in compute.test.ts. */
export const SAMPLE_RECORDS: RequestRecord[] = [
  okRecord({ id: 'r1', sentAt: 1000, scheduledAt: 998, ttftMs: 125, e2eMs: 625, inputTokens: 50, outputTokens: 5, chunkOffsetsMs: [125, 250, 375, 500, 625], chunkTokens: [1, 1, 1, 1, 1] }),
  okRecord({ id: 'r2', sentAt: 2000, scheduledAt: 2000, ttftMs: 250, e2eMs: 250, inputTokens: 100, outputTokens: 1, chunkOffsetsMs: [250], chunkTokens: [1] }),
  okRecord({ id: 'r3', sentAt: 3000, scheduledAt: 2990, ttftMs: 500, e2eMs: 1500, inputTokens: 10, outputTokens: 3, chunkOffsetsMs: [500, 1500], chunkTokens: [1, 2], tokenSource: 'estimate' }),
  failedRecord({ id: 'r4', sentAt: 4000, scheduledAt: 4000, status: 'error', error: { kind: 'http_status', httpStatus: 500, message: 'HTTP 500 Internal Server Error' }, streamEndMs: 3 }),
  failedRecord({ id: 'r5', sentAt: 4500, scheduledAt: 4500, status: 'timeout' }),
];

export const SAMPLE_WINDOW = { startMs: 1000, endMs: 5000 };
