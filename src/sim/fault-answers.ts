// Injected faults that answer a request before any generation: error statuses, a 200 with an
// empty body, a 200 that is not an event stream. (Faults inside an answer are in generation.ts;
// refused connections and restarts in listener.ts.)

import type { ServerResponse } from 'node:http';
import { httpErrorBody } from './error-shapes.js';
import type { FaultRule } from './fault-spec.js';
import type { FlavorName } from './flavors.js';

/** nginx's 502 page: what a proxy in front of a dead server answers. */
export const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export const PLAIN_TEXT_BODY = 'OK: this answer is plain text, not an event stream (injected by the simulator).\n';

const ANSWERED_BEFORE_GENERATION = new Set(['429', '500', '502', '503', '404', 'empty', 'text-plain']);

export function answersBeforeGeneration(rule: FaultRule | null): boolean {
  return rule !== null && ANSWERED_BEFORE_GENERATION.has(rule.kind);
}

/** Writes the fault's answer. `stream` says whether the request asked for a stream (the content type of an empty 200). */
export function sendFaultAnswer(res: ServerResponse, flavor: FlavorName, rule: FaultRule, stream: boolean, model: string | null): void {
  switch (rule.kind) {
    case '429': {
      const headers: Record<string, string> = { 'retry-after': String(rule.retryAfterS) };
      if (flavor === 'openai') {
        headers['x-ratelimit-limit-requests'] = '60';
        headers['x-ratelimit-remaining-requests'] = '0';
        headers['x-ratelimit-reset-requests'] = `${rule.retryAfterS}s`;
      }
      return sendJson(res, 429, httpErrorBody(flavor, 429, `Too many requests; retry after ${rule.retryAfterS} s (injected by the simulator).`), headers);
    }
    case '500':
      return sendJson(res, 500, httpErrorBody(flavor, 500, 'Internal server error (injected by the simulator).'));
    case '503':
      return sendJson(res, 503, httpErrorBody(flavor, 503, 'Server busy, please try again later (injected by the simulator).'));
    case '404':
      return sendJson(res, 404, modelNotFound(flavor, model ?? 'unknown'));
    case '502':
      res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(BAD_GATEWAY_HTML) });
      return void res.end(BAD_GATEWAY_HTML);
    case 'empty':
      res.writeHead(200, { 'content-type': stream ? 'text/event-stream; charset=utf-8' : 'application/json', 'content-length': 0 });
      return void res.end();
    case 'text-plain':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(PLAIN_TEXT_BODY) });
      return void res.end(PLAIN_TEXT_BODY);
    default:
      throw new Error(`fault ${rule.kind} is not answered before generation`);
  }
}

/** The 404 a server gives for a model it does not serve (vLLM: "The model `x` does not exist."). */
export function modelNotFound(flavor: FlavorName, model: string): unknown {
  return httpErrorBody(flavor, 404, `The model \`${model}\` does not exist.`, 'model');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
