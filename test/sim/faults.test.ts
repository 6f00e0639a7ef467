// Every injected fault against the running simulator: selected by request index (so each case
// is exact), its wire behaviour, and its mark in the send log. Time-based faults use windows
// of a few hundred ms; the whole file runs in a few seconds.
import { afterAll, describe, expect, it } from 'vitest';
import { FaultPlan } from '../../src/sim/fault-plan.js';
import { parseFaultSpec } from '../../src/sim/fault-spec.js';
import { startSim, type SimOptions, type SimServer } from '../../src/sim/server.js';
import { get, post, postCatching, sseAny, type RawResponse } from './helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FAST = { noise: 0, prefillBaseMs: 2, prefillMsPerToken: 0.01, decodeBaseMs: 2, decodePerSeqMs: 0.1 };
const messages = [{ role: 'user', content: 'hello' }];
const servers: SimServer[] = [];
const started = performance.now();

async function sim(opts: SimOptions): Promise<SimServer> {
  const s = await startSim({ ...FAST, keepSendLog: true, ...opts });
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  // The suite states its wall time (issue 9): visible in the test output.
  console.log(`sim fault suite: ${((performance.now() - started) / 1000).toFixed(2)} s`);
});

const chatBody = (extra: Json = {}): Json => ({ messages, max_tokens: 5, stream: true, stream_options: { include_usage: true }, ...extra });
const ok = (r: RawResponse | { error: string }): RawResponse => {
  if ('error' in r) throw new Error(`request failed: ${r.error}`);
  return r;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The one fault rule of request 0, as the compact spec `KIND:#0@ARG` would give. */
async function faulted(kind: string, opts: SimOptions = {}, body: Json = chatBody()): Promise<{ s: SimServer; res: RawResponse | { error: string; partial: string } }> {
  const s = await sim({ faults: kind.includes(':') ? kind : `${kind}:#0`, ...opts });
  const res = await postCatching(`${s.url}/v1/chat/completions`, body, { 'x-request-id': 'f0' });
  return { s, res };
}
const logged = (s: SimServer, id = 'f0') => s.sendLog.find((e) => e.requestId === id);

describe('faults answered before generation', () => {
  it('429 with Retry-After and the flavor error body', async () => {
    const { s, res } = await faulted('429:#0@2');
    const r = ok(res);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('2');
    expect((JSON.parse(r.body) as Json).error).toMatchObject({ type: 'TooManyRequestsError', code: 429 });
    expect(logged(s)).toMatchObject({ fault: '429', contentChunks: 0, firstContentAt: null });
    // Only request 0: the next one is served.
    expect((await post(`${s.url}/v1/chat/completions`, { messages, max_tokens: 1 })).status).toBe(200);
  });

  it('500 and 503 as JSON; 502 as an HTML page', async () => {
    const s = await sim({ faults: '500:#0,503:#1,502:#2', flavor: 'sglang' });
    const r500 = await post(`${s.url}/v1/chat/completions`, chatBody());
    expect(r500.status).toBe(500);
    expect(JSON.parse(r500.body)).toMatchObject({ object: 'error', code: 500 });
    const r503 = await post(`${s.url}/v1/chat/completions`, chatBody());
    expect(r503.status).toBe(503);
    const r502 = await post(`${s.url}/v1/chat/completions`, chatBody());
    expect(r502.status).toBe(502);
    expect(r502.headers['content-type']).toBe('text/html');
    expect(r502.body).toContain('<title>502 Bad Gateway</title>');
    expect(s.sendLog.map((e) => e.fault)).toEqual(['500', '503', '502']);
  });

  it('404 (model not found), a 200 with an empty body, a 200 in text/plain', async () => {
    const s = await sim({ faults: '404:#0,empty:#1,text-plain:#2' });
    const nf = await post(`${s.url}/v1/chat/completions`, chatBody({ model: 'other' }));
    expect(nf.status).toBe(404);
    expect((JSON.parse(nf.body) as Json).error.message).toBe('The model `other` does not exist.');
    const empty = await post(`${s.url}/v1/chat/completions`, chatBody());
    expect([empty.status, empty.body, empty.headers['content-type']]).toEqual([200, '', 'text/event-stream; charset=utf-8']);
    const plain = await post(`${s.url}/v1/chat/completions`, chatBody());
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(plain.body).not.toContain('data:');
  });

  it('slow readiness: /health and generation answer 503 "Loading model" during the window', async () => {
    const s = await sim({ faults: 'loading:0s-0.4s', flavor: 'llamacpp' });
    const health = await get(`${s.url}/health`);
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toEqual({ error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
    expect((await post(`${s.url}/v1/chat/completions`, chatBody())).status).toBe(503);
    expect((await get(`${s.url}/v1/models`)).status).toBe(200); // llama.cpp lists models while loading
    await sleep(450);
    expect((await get(`${s.url}/health`)).status).toBe(200);
    expect((await post(`${s.url}/v1/chat/completions`, chatBody())).status).toBe(200);
  });

  it('headers delayed: nothing arrives until the delay has passed, then a normal stream', async () => {
    const t0 = performance.timeOrigin + performance.now();
    const { s, res } = await faulted('headers-delay:#0@300ms');
    const r = ok(res);
    expect(r.pieces[0].at - t0).toBeGreaterThanOrEqual(300);
    expect(sseAny(r.body).at(-1)).toBe('[DONE]');
    expect(logged(s)).toMatchObject({ fault: 'headers-delay', contentChunks: 5 });
  });
});

describe('faults inside a stream', () => {
  it('reset after k chunks: the connection drops with no [DONE]', async () => {
    const { s, res } = await faulted('reset:#0@2', {}, chatBody({ max_tokens: 50 }));
    expect('error' in res).toBe(true);
    const partial = 'partial' in res ? res.partial : '';
    expect(partial).not.toContain('[DONE]');
    expect(partial.match(/"content":" /g)).toHaveLength(2);
    await sleep(20);
    expect(logged(s)).toMatchObject({ fault: 'reset', contentChunks: 2, outputTokens: 2 });
  });

  it('stall: silence for S seconds after the first chunk, then the rest', async () => {
    const { s, res } = await faulted('stall:#0@300ms');
    const r = ok(res);
    const content = r.pieces.filter((p) => p.text.includes('"content":" '));
    const gaps = content.slice(1).map((p, i) => p.at - content[i].at);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(290);
    expect(sseAny(r.body).at(-1)).toBe('[DONE]');
    expect(logged(s)?.fault).toBe('stall');
  });

  it('malformed SSE: broken JSON in a well-framed event; an event without "data:"', async () => {
    const bad = ok((await faulted('bad-json:#0@1')).res);
    const events = bad.body.split('\n\n').filter((e) => e !== '');
    const broken = events.filter((e) => {
      try {
        JSON.parse(e.slice(6));
        return false;
      } catch {
        return e !== 'data: [DONE]';
      }
    });
    expect(broken).toHaveLength(1);
    expect(broken[0].startsWith('data: {')).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const nodata = ok((await faulted('no-data:#0@1')).res);
    const bare = nodata.body.split('\n\n').filter((e) => e !== '' && !e.startsWith('data:'));
    expect(bare).toHaveLength(1);
    expect(JSON.parse(bare[0])).toMatchObject({ object: 'chat.completion.chunk' });
  });

  it("an error event mid-stream, with or without [DONE] by the flavor's habit or by choice", async () => {
    const cases: [string, SimOptions, boolean][] = [
      ['stream-error:#0@2', { flavor: 'vllm' }, true],
      ['stream-error:#0@2', { flavor: 'tgi' }, true],
      ['stream-error:#0@2', { flavor: 'llamacpp' }, false],
      ['stream-error:#0@2', { flavor: 'ollama' }, false],
      ['stream-error-nodone:#0@2', { flavor: 'vllm' }, false],
      ['stream-error-done:#0@2', { flavor: 'ollama' }, true],
    ];
    for (const [spec, opts, done] of cases) {
      const { s, res } = await faulted(spec, opts, chatBody({ max_tokens: 50 }));
      const events = sseAny(ok(res).body) as (Json | string)[];
      const errorAt = events.findIndex((e) => typeof e === 'object' && 'error' in e);
      expect(errorAt, `${spec} ${opts.flavor}`).toBeGreaterThan(0);
      expect(events.slice(errorAt + 1), `${spec} ${opts.flavor}`).toEqual(done ? ['[DONE]'] : []);
      expect(logged(s)?.fault).toBe(spec.split(':')[0]);
    }
    // TRT-LLM drops the connection with no event.
    const { res } = await faulted('stream-error:#0@2', { flavor: 'trtllm' }, chatBody({ max_tokens: 50 }));
    expect('error' in res).toBe(true);
    expect('partial' in res && res.partial.includes('"error"')).toBe(false);
  });

  it('no usage chunk although include_usage asked for one', async () => {
    const r = ok((await faulted('no-usage:#0')).res);
    const events = sseAny(r.body) as (Json | string)[];
    expect(events.some((e) => typeof e === 'object' && 'usage' in e)).toBe(false);
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('one 10 MB chunk', async () => {
    const { s, res } = await faulted('huge-chunk:#0', {}, chatBody({ max_tokens: 2 }));
    const events = sseAny(ok(res).body) as (Json | string)[];
    const first = (events[1] as Json).choices[0].delta.content as string;
    expect(first.length).toBe(10_000_000);
    expect(events.at(-1)).toBe('[DONE]');
    expect(logged(s)?.fault).toBe('huge-chunk');
  });
});

describe('faults of the server as a whole', () => {
  it('refuse: the triggering request is dropped, new connections are refused, then served again', async () => {
    const { s, res } = await faulted('refuse:#0@400ms');
    expect('error' in res && res.error).toBe('ECONNRESET');
    const refused = await postCatching(`${s.url}/v1/chat/completions`, chatBody());
    expect('error' in refused && refused.error).toBe('ECONNREFUSED');
    await sleep(500);
    expect(ok(await postCatching(`${s.url}/v1/chat/completions`, chatBody())).status).toBe(200);
    expect(logged(s)?.fault).toBe('refuse');
  });

  it('restart: streams in flight are cut, the server refuses for a while, then comes back', async () => {
    const s = await sim({ faults: 'restart:#1@400ms' });
    const long = postCatching(`${s.url}/v1/chat/completions`, chatBody({ max_tokens: 5000 }), { 'x-request-id': 'long' });
    await sleep(50);
    const trigger = await postCatching(`${s.url}/v1/chat/completions`, chatBody(), { 'x-request-id': 'trigger' });
    expect('error' in trigger).toBe(true);
    const cut = await long;
    expect('error' in cut || !cut.body.includes('[DONE]')).toBe(true);
    const refused = await postCatching(`${s.url}/v1/chat/completions`, chatBody());
    expect('error' in refused && refused.error).toBe('ECONNREFUSED');
    await sleep(500);
    expect(ok(await postCatching(`${s.url}/v1/chat/completions`, chatBody())).status).toBe(200);
    expect(logged(s, 'long')!.outputTokens).toBeLessThan(5000);
    expect(logged(s, 'trigger')?.fault).toBe('restart');
  });

  it('refuse window by time: refused inside, served after', async () => {
    const s = await sim({ faults: 'refuse:0.1s-0.5s' });
    await sleep(150);
    const refused = await postCatching(`${s.url}/v1/chat/completions`, chatBody());
    expect('error' in refused && refused.error).toBe('ECONNREFUSED');
    await sleep(450);
    expect(ok(await postCatching(`${s.url}/v1/chat/completions`, chatBody())).status).toBe(200);
  });
});

describe('faults by rate', () => {
  it('hits exactly the requests the seeded plan names, and the send log says which', async () => {
    const spec = 'seed=5,429:0.1,500:0.05,no-usage:0.05';
    const s = await sim({ faults: spec });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      statuses.push((await post(`${s.url}/v1/chat/completions`, chatBody({ max_tokens: 1 }), { 'x-request-id': `q${i}` })).status);
    }
    const plan = new FaultPlan(parseFaultSpec(spec));
    const expected = Array.from({ length: 100 }, (_, i) => plan.faultFor(i, 0)?.kind);
    expect(statuses.filter((x) => x === 429)).toHaveLength(10);
    expect(statuses.filter((x) => x === 500)).toHaveLength(5);
    expect(statuses.map((x, i) => (x === 429 ? '429' : x === 500 ? '500' : expected[i] === 'no-usage' ? 'no-usage' : undefined))).toEqual(expected);
    const faults = s.sendLog.map((e) => e.fault).filter((f) => f !== undefined);
    expect(faults.filter((f) => f === 'no-usage')).toHaveLength(5);
    expect(faults).toHaveLength(20);
  });
});
