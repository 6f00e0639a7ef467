// The built-in token estimate shared by the synthetic workload and the simulator: one token
// per whitespace-separated word. Synthetic prompts are built from short common English words,
// which real BPE tokenizers also count as about one token each. Where a server reports
// `usage`, its count wins; the report always says which source a number came from.

/** Tokens in a text by the built-in estimate (whitespace-separated words). */
export function estimateTokens(text: string): number {
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 13 || c === 9;
    if (!space && !inWord) count++;
    inWord = !space;
  }
  return count;
}
