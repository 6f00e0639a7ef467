// Prompt text of a given token length. Text is made of words that are each exactly one
// token for the counter in use (for the built-in estimate: any word; for a tokenizer: the
// common words it keeps whole, else words found in its vocabulary), joined by single spaces.
// Tokenizers split on whitespace before merging, so N such words are N tokens; `exact`
// checks the total with the tokenizer anyway and corrects it (as vLLM's random dataset
// re-encodes), so a tokenizer with unusual merges still gets exact lengths.
import { InputError } from '../errors.js';
import { Random } from './random.js';
import type { TokenCounter } from './token-counter.js';
import type { LoadedTokenizer } from './tokenizer.js';
import { COMMON_WORDS } from './words.js';

const MIN_WORDS = 64;
const WANTED_WORDS = 400;
const MAX_VOCAB_SCAN = 60_000;
const MAX_CORRECTIONS = 10;

function isLoadedTokenizer(counter: TokenCounter): counter is LoadedTokenizer {
  return counter.source === 'tokenizer' && 'vocabulary' in counter;
}

/** A word is usable when it is one token alone and stays one token between others. */
function isSingleToken(counter: TokenCounter, word: string): boolean {
  return counter.count(word) === 1 && counter.count(`${word} ${word} ${word}`) === 3;
}

function singleTokenWords(counter: TokenCounter): string[] {
  if (counter.source === 'estimate') return [...COMMON_WORDS];
  const found = COMMON_WORDS.filter((w) => isSingleToken(counter, w));
  if (found.length >= MIN_WORDS || !isLoadedTokenizer(counter)) return found;
  // Few common words are whole tokens (a small or non-English vocabulary): look for
  // alphabetic tokens in the vocabulary itself.
  const seen = new Set(found);
  const vocab = counter.vocabulary();
  for (let id = 0; id < vocab.length && id < MAX_VOCAB_SCAN && found.length < WANTED_WORDS; id++) {
    const word = counter.decode([id]).trim();
    if (!/^[a-z]{2,12}$/.test(word) || seen.has(word)) continue;
    seen.add(word);
    if (isSingleToken(counter, word)) found.push(word);
  }
  return found;
}

/** Words per phrase of the phrase pool, and how many phrases it holds. */
const PHRASE_WORDS = 8;
const PHRASES = 4096;
const PHRASE_POOL_SEED = 0x5eed;

export class PromptWords {
  readonly words: readonly string[];
  private phrases: string[] | undefined;

  constructor(readonly counter: TokenCounter) {
    this.words = singleTokenWords(counter);
    if (this.words.length < 2) {
      throw new InputError(`tokenizer ${counter.name}: found no words that are one token each, so prompts of exact lengths cannot be built; use another tokenizer.json or none`);
    }
  }

  /** `count` words drawn with `rng`, single spaces between: `count` tokens for this counter. */
  draw(rng: Random, count: number): string {
    const out = new Array<string>(count);
    const n = this.words.length;
    for (let i = 0; i < count; i++) out[i] = this.words[Math.floor(rng.float() * n)];
    return out.join(' ');
  }

  /**
   * Like `draw`, about eight times faster for long texts (trace prompts of 100k tokens are
   * built while the replay runs): whole phrases of eight words from a fixed pool of 4,096,
   * then single words for the rest. Two texts drawn independently share their first 16
   * tokens with probability 1/4096², so a prefix cache still cannot match them by chance.
   */
  drawFast(rng: Random, count: number): string {
    const pool = (this.phrases ??= this.phrasePool());
    const whole = Math.floor(count / PHRASE_WORDS);
    const parts = new Array<string>(whole + 1);
    for (let i = 0; i < whole; i++) parts[i] = pool[Math.floor(rng.float() * PHRASES)];
    const rest = count - whole * PHRASE_WORDS;
    if (rest === 0) parts.length = whole;
    else parts[whole] = this.draw(rng, rest);
    return parts.join(' ');
  }

  private phrasePool(): string[] {
    const rng = new Random(PHRASE_POOL_SEED);
    return Array.from({ length: PHRASES }, () => this.draw(rng, PHRASE_WORDS));
  }

  /**
   * Text of exactly `tokens` tokens as the counter counts them (`tokens` ≥ 1): drawn, then
   * recounted and corrected up to ten times. `tokens` in the answer is the final count,
   * which differs from the target only for a tokenizer that merges across spaces.
   */
  exact(rng: Random, tokens: number): { text: string; tokens: number } {
    let text = this.draw(rng, tokens);
    if (this.counter.source === 'estimate') return { text, tokens };
    let counted = this.counter.count(text);
    for (let i = 0; i < MAX_CORRECTIONS && counted !== tokens; i++) {
      if (counted > tokens) {
        const words = text.split(' ');
        text = words.slice(0, Math.max(1, words.length - (counted - tokens))).join(' ');
      } else {
        text = `${text} ${this.draw(rng, tokens - counted)}`;
      }
      counted = this.counter.count(text);
    }
    return { text, tokens: counted };
  }
}
