// Streams the elements of a top-level JSON array (a ShareGPT file is one array of hundreds
// of MB) without holding the file: the text is scanned for element boundaries (tracking
// strings, escapes and nesting) and each element is parsed on its own. Reports the line
// each element starts on.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors.js';
import { RowError } from './data-issues.js';
import { checkReadableFile } from './line-reader.js';

export interface ArrayElement {
  /** The parsed element, or the RowError that parsing it raised. */
  value: unknown;
  error?: RowError;
  /** 1-based line where the element starts. */
  line: number;
  /** 0-based position in the array. */
  index: number;
}

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const NEWLINE = 10;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;
}

export async function* readJsonArray(path: string): AsyncGenerator<ArrayElement> {
  await checkReadableFile(path);
  const decoder = new StringDecoder('utf8');
  let state: 'before' | 'between' | 'element' | 'done' = 'before';
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pieces: string[] = [];
  let elementLine = 0;
  let index = 0;
  const finish = (text: string): ArrayElement => {
    const at = { line: elementLine, index: index++ };
    try {
      return { value: JSON.parse(text), ...at };
    } catch (err) {
      return { value: undefined, error: new RowError(`element ${at.index} is not valid JSON: ${(err as Error).message}`), ...at };
    }
  };

  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const s = decoder.write(chunk);
      let start = state === 'element' ? 0 : -1;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (state === 'element') {
          if (inString) {
            if (escaped) escaped = false;
            else if (c === BACKSLASH) escaped = true;
            else if (c === QUOTE) inString = false;
          } else if (c === QUOTE) inString = true;
          else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
          else if (depth > 0 && (c === CLOSE_BRACE || c === CLOSE_BRACKET)) depth--;
          else if (depth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
            pieces.push(s.slice(start, i));
            yield finish(pieces.join(''));
            pieces = [];
            state = c === COMMA ? 'between' : 'done';
          }
        } else if (state === 'before') {
          if (c === OPEN_BRACKET) state = 'between';
          else if (!isSpace(c)) throw new InputError(`${path}:${line}: not a JSON array (a ShareGPT file is a list of conversations)`);
        } else if (state === 'between') {
          if (c === CLOSE_BRACKET && index === 0) state = 'done';
          else if (!isSpace(c) && c !== COMMA) {
            state = 'element';
            start = i;
            elementLine = line;
            depth = 0;
            inString = false;
            i--; // scan this character as part of the element
          }
        } else if (!isSpace(c)) {
          throw new InputError(`${path}:${line}: unexpected text after the end of the JSON array`);
        }
        if (c === NEWLINE) line++;
      }
      if (state === 'element') pieces.push(s.slice(start));
    }
  } finally {
    stream.destroy();
  }
  // (TypeScript cannot follow `state` through the loop above, hence the widening.)
  const ended = state as string;
  if (ended === 'before') throw new InputError(`${path}: not a JSON array (a ShareGPT file is a list of conversations)`);
  if (ended !== 'done') {
    const inElement = ended === 'element';
    const at = { value: undefined, line: inElement ? elementLine : line, index };
    yield { ...at, error: new RowError(`the file ends inside the JSON array (truncated${inElement ? ` in element ${index}` : ''}); the array is not closed`) };
  }
}
