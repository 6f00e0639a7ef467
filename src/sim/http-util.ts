// Small node:http helpers of the simulator: reading a JSON body with a size limit, the
// request id header, and fixed answers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './fault-answers.js';
import type { StaticAnswer } from './readiness.js';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export function sendStatic(res: ServerResponse, answer: StaticAnswer): void {
  if (typeof answer.body === 'string') {
    const type = answer.body === '' ? {} : { 'content-type': 'text/plain; charset=utf-8' };
    res.writeHead(answer.status, { ...type, 'content-length': Buffer.byteLength(answer.body) });
    return void res.end(answer.body);
  }
  sendJson(res, answer.status, answer.body);
}

export function headerRequestId(req: IncomingMessage): string | null {
  const raw = req.headers['x-request-id'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value : null;
}

interface BodyError {
  status: number;
  message: string;
}

export function readJsonBody(req: IncomingMessage, done: (err: BodyError | null, body?: unknown) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('error', () => undefined); // the response's 'close' handles a client that left
  req.on('end', () => {
    if (tooLarge) return done({ status: 413, message: `The request body is larger than ${MAX_BODY_BYTES} bytes.` });
    try {
      done(null, JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (e) {
      done({ status: 400, message: `The request body is not valid JSON: ${(e as Error).message}` });
    }
  });
}
