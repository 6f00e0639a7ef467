// How the workload counts tokens: a Hugging Face tokenizer when the config names one, else
// the built-in word estimate (src/tokens.ts), in which case every length is approximate for
// the server's real tokenizer and the results say so.
import { estimateTokens } from '../tokens.js';

export interface TokenCounter {
  /** `tokenizer`: exact for that tokenizer; `estimate`: one token per word. */
  readonly source: 'tokenizer' | 'estimate';
  /** What counted: the tokenizer file, or the estimate's name. */
  readonly name: string;
  /** Tokens of a text, without special tokens (BOS) and without any chat template. */
  count(text: string): number;
}

export const WORD_ESTIMATE: TokenCounter = {
  source: 'estimate',
  name: 'built-in word estimate',
  count: estimateTokens,
};

/** The note a results file carries when lengths come from the estimate. */
export const APPROXIMATE_NOTE = 'lengths approximate (no tokenizer: one token per word, the built-in estimate)';

/**
 * How far a server's usage count is from ours, as a fraction of the server's (0.03 = 3 %).
 * The client warns when it is above USAGE_DISAGREEMENT_LIMIT.
 */
export function usageDisagreement(serverTokens: number, countedTokens: number): number {
  if (serverTokens === countedTokens) return 0;
  return Math.abs(countedTokens - serverTokens) / Math.max(1, serverTokens);
}

export const USAGE_DISAGREEMENT_LIMIT = 0.02;
