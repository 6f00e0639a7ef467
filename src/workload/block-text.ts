// Prompt blocks named by hash id (Mooncake, Bailian): the same id always gives the same
// text of `blockSize` tokens (for one seed), and different ids give independent random
// text, so requests share exactly the prompt blocks their trace rows share and a server's
// prefix cache sees the trace's real reuse. Blocks are cached (bounded) because traces
// reuse them heavily.
import { Random, deriveSeed } from './random.js';
import type { PromptWords } from './prompt-words.js';

const CACHE_LIMIT = 4096;

/** The first `words` words of a text whose words are separated by single spaces. */
export function leadingWords(text: string, words: number): string {
  let at = -1;
  for (let i = 0; i < words; i++) {
    at = text.indexOf(' ', at + 1);
    if (at === -1) return text;
  }
  return text.slice(0, at);
}

export class BlockTexts {
  private readonly cache = new Map<number, string>();

  constructor(
    private readonly words: PromptWords,
    private readonly seed: number,
    readonly blockSize: number,
  ) {}

  /** The whole block of hash id `id`: `blockSize` tokens. */
  block(id: number): string {
    let text = this.cache.get(id);
    if (text === undefined) {
      text = this.words.drawFast(new Random(deriveSeed(this.seed, `block\u0000${id}`)), this.blockSize);
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as number);
      this.cache.set(id, text);
    }
    return text;
  }

  /**
   * A prompt of `tokens` tokens made of the blocks `ids` in order (the last one cut when
   * `tokens` ends inside it); tokens beyond the ids' blocks come from `tail`.
   */
  prompt(ids: readonly number[], tokens: number, tail: (count: number) => string): string {
    const parts: string[] = [];
    let left = tokens;
    for (let j = 0; j < ids.length && left > 0; j++) {
      const take = Math.min(this.blockSize, left);
      const block = this.block(ids[j]);
      parts.push(take === this.blockSize ? block : leadingWords(block, take));
      left -= take;
    }
    if (left > 0) parts.push(tail(left));
    return parts.join(' ');
  }
}
