// Small raw-HTTP helpers for the simulator's tests (node:http, no client library in between).

import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Each body 'data' event with its arrival time (performance.timeOrigin + performance.now()). */
  pieces: { at: number; text: string }[];
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return send(url, 'POST', text, { 'content-type': 'application/json', ...headers });
}

export function get(url: string): Promise<RawResponse> {
  return send(url, 'GET', null, {});
}

function send(url: string, method: string, body: string | null, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const pieces: { at: number; text: string }[] = [];
      res.setEncoding('utf8');
      res.on('data', (text: string) => pieces.push({ at: performance.timeOrigin + performance.now(), text }));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: pieces.map((p) => p.text).join(''), pieces }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

/** The `data:` payloads of an SSE body, in order ("[DONE]" kept as the string). */
export function sseData(body: string): unknown[] {
  return body
    .split('\n\n')
    .filter((e) => e.trim() !== '')
    .map((e) => {
      if (!e.startsWith('data: ')) throw new Error(`not an SSE data event: ${JSON.stringify(e)}`);
      const data = e.slice('data: '.length);
      return data === '[DONE]' ? data : JSON.parse(data);
    });
}

/** Every SSE event of a body in any flavor's framing: comments (":") kept as {comment}, data parsed (trimmed), "[DONE]" as the string. */
export function sseAny(body: string): ({ comment: string } | unknown)[] {
  return body
    .split('\n\n')
    .filter((e) => e !== '')
    .map((e) => {
      if (e.startsWith(':')) return { comment: e.slice(1) };
      if (!e.startsWith('data:')) throw new Error(`not an SSE data event: ${JSON.stringify(e.slice(0, 200))}`);
      const data = e.slice('data:'.length).trim();
      return data === '[DONE]' ? data : JSON.parse(data);
    });
}

/** Sends a request with a raw socket error captured instead of thrown: for resets and refusals. */
export function postCatching(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse | { error: string; partial: string }> {
  return new Promise((resolve) => {
    let partial = '';
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const pieces: { at: number; text: string }[] = [];
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        partial += text;
        pieces.push({ at: performance.timeOrigin + performance.now(), text });
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: partial, pieces }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, partial }));
      res.on('aborted', () => resolve({ error: 'aborted', partial }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, partial }));
    req.end(JSON.stringify(body));
  });
}
