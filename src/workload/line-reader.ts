// Streams a text file line by line with bounded memory: chunks of 1 MiB, split on LF (a
// CR before it is dropped, so CRLF files read the same), each line decoded as UTF-8 on its
// own. Line numbers start at 1. The last line says whether the file ended without a line
// break, which lets a parser tell a truncated last row from a finished one.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';

export interface TextLine {
  text: string;
  /** 1-based line number in the file. */
  number: number;
  /** True for a last line with no line break after it (the file may have been cut). */
  unterminated: boolean;
}

const CHUNK_BYTES = 1 << 20;
const LF = 0x0a;
const CR = 0x0d;

function decodeLine(buf: Buffer, start: number, end: number): string {
  const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
  return buf.toString('utf8', start, stop);
}

/** Fails with one line naming the file when it is missing, a folder, or empty. */
export async function checkReadableFile(path: string): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError(`${path}: not a file`);
    size = info.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the data file (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
  if (size === 0) throw new InputError(`${path}: the file is empty`);
}

export async function* readLines(path: string): AsyncGenerator<TextLine> {
  await checkReadableFile(path);
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let carry: Buffer | null = null;
  let number = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      let at = buf.indexOf(LF, start);
      while (at !== -1) {
        number++;
        yield { text: decodeLine(buf, start, at), number, unterminated: false };
        start = at + 1;
        at = buf.indexOf(LF, start);
      }
      carry = start < buf.length ? buf.subarray(start) : null;
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${path}: cannot read the data file (${(err as Error).message})`);
  } finally {
    stream.destroy();
  }
  if (carry && carry.length > 0) {
    number++;
    yield { text: decodeLine(carry, 0, carry.length), number, unterminated: true };
  }
}
