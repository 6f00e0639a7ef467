// Bad results and baseline files (issue 9): corrupt, truncated, empty, oversized, future-
// schema, wrong-shape, BOM-prefixed. Every reader — the results file, `compare --current`,
// `compare --baseline` (file, JSONL, folder), the file: store and the stores' history
// parser — answers with one clear line naming the file (or reads the file when it is good),
// never a stack, a hang or a read of half a gigabyte.
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileStore } from '../../src/baseline/file-store.js';
import { parseHistoryText } from '../../src/baseline/history-file.js';
import { loadHistory } from '../../src/baseline/history.js';
import { main } from '../../src/cli.js';
import { InputError } from '../../src/errors.js';
import { readAnyResultsFile } from '../../src/report/import/index.js';
import { formatRunResult, readRunResultFile } from '../../src/report/results-file.js';
import type { RunResult } from '../../src/types.js';
import { makeRun } from '../baseline/make-run.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lpg-bad-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GOOD = formatRunResult(makeRun('good'));

/** Each bad file: its content (or, oversized, a sparse size) and what the one-line message must say. */
interface BadCase {
  name: string;
  content: string | Buffer;
  sparseBytes?: number;
  says: RegExp;
}

const BAD: BadCase[] = [
  { name: 'empty', content: '', says: /empty/ },
  { name: 'whitespace', content: '  \n\n\t', says: /empty/ },
  { name: 'corrupt', content: Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x89, 0x50, 0x4e, 0x47]), says: /not valid JSON|unknown results format/ },
  { name: 'truncated', content: GOOD.slice(0, Math.floor(GOOD.length / 2)), says: /not valid JSON.*truncated/ },
  { name: 'last-byte-missing', content: GOOD.trimEnd().slice(0, -1), says: /not valid JSON.*truncated/ },
  { name: 'future-schema', content: JSON.stringify({ ...makeRun('f'), schemaVersion: 2 }), says: /schemaVersion 2 is newer than this llm-perf-gate supports.*upgrade/ },
  { name: 'wrong-field', content: JSON.stringify({ ...makeRun('w'), clientHealth: 'fine' }), says: /clientHealth/ },
  { name: 'null', content: 'null', says: /expected a JSON object|unknown results format/ },
  { name: 'deeply-nested', content: '['.repeat(200_000) + ']'.repeat(200_000), says: /not valid JSON|expected a JSON object|unknown results format/ },
  { name: 'oversized', content: '', sparseBytes: 513 * 1024 * 1024, says: /513 MiB is larger than the 512 MiB/ },
];

async function write(c: BadCase, ext = '.json'): Promise<string> {
  const path = join(dir, `${c.name}${ext}`);
  await writeFile(path, c.content);
  // Sparse: the size is real to stat() but takes no disk, so a reader that reads first would show.
  if (c.sparseBytes !== undefined) await truncate(path, c.sparseBytes);
  return path;
}

/** The InputError's message; fails on a resolve or any other error. */
async function inputErrorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof InputError)) throw new Error(`expected an InputError, got ${String((err as Error)?.stack ?? err)}`);
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeLessThan(400);
    return err.message;
  }
  throw new Error('expected an InputError, but the file was accepted');
}

describe.each(BAD)('a bad file: $name', (c) => {
  it('readRunResultFile: one line naming the file', async () => {
    const path = await write(c);
    const message = await inputErrorOf(readRunResultFile(path));
    expect(message.startsWith(`${path}: `)).toBe(true);
    expect(message).toMatch(c.says);
  });

  it('compare --current (any format): one line naming the file', async () => {
    const path = await write(c);
    const message = await inputErrorOf(readAnyResultsFile(path));
    expect(message.startsWith(`${path}: `)).toBe(true);
    if (c.name !== 'corrupt' && c.name !== 'null' && c.name !== 'deeply-nested') expect(message).toMatch(c.says);
  });

  it('compare --baseline as a file, a JSONL history and a folder: one line naming the file', async () => {
    const path = await write(c);
    expect(await inputErrorOf(loadHistory([path]))).toMatch(new RegExp(`^${escapeRe(path)}: `));
    const jsonl = await write(c, '.jsonl');
    expect(await inputErrorOf(loadHistory([jsonl]))).toMatch(new RegExp(`^${escapeRe(jsonl)}(:\\d+)?: `));
  });

  it('the file: store refuses it as bad input, naming the file', async () => {
    await write(c, '.json');
    const store = new FileStore({ path: `${c.name}.json`, workspace: dir });
    const message = await inputErrorOf(store.load());
    expect(message).toContain(`${c.name}.json`);
    const history = new FileStore({ path: `${c.name}.jsonl`, workspace: dir });
    await write(c, '.jsonl');
    expect(await inputErrorOf(history.load())).toContain(`${c.name}.jsonl`);
  });

  it('the stores’ history parser skips it with a warning (the rest of a history survives)', () => {
    if (c.name === 'oversized') return; // the stores read through the size check first (above)
    const bad = c.content.toString();
    const good = JSON.stringify(makeRun('kept'));
    const parsed = parseHistoryText(`${good}\n${bad.replace(/\n/g, ' ')}\n`, 'perf.jsonl');
    expect(parsed.history.map((r) => r.environment.commit)).toEqual(['commit-kept']);
    if (bad.trim() !== '') {
      expect(parsed.warnings).toHaveLength(1);
      expect(parsed.warnings[0]).toMatch(/^perf\.jsonl:2: skipped an unreadable stored run \(/);
    }
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('good files with quirks are read', () => {
  it('a UTF-8 byte-order mark (a Windows editor saved it) is no corruption', async () => {
    const path = join(dir, 'bom.json');
    await writeFile(path, '\uFEFF' + GOOD);
    expect((await readRunResultFile(path)).environment.commit).toBe('commit-good');
    expect((await readAnyResultsFile(path)).environment.commit).toBe('commit-good');
    expect((await loadHistory([path]))[0].environment.commit).toBe('commit-good');
    expect((await new FileStore({ path: 'bom.json', workspace: dir }).load()).history[0].environment.commit).toBe('commit-good');
  });

  it('CRLF line ends in a JSONL history', async () => {
    const path = join(dir, 'crlf.jsonl');
    const runs: RunResult[] = [makeRun('a'), makeRun('b')];
    await writeFile(path, runs.map((r) => JSON.stringify(r)).join('\r\n') + '\r\n');
    expect((await loadHistory([path])).map((r) => r.environment.commit).sort()).toEqual(['commit-a', 'commit-b']);
    expect((await new FileStore({ path: 'crlf.jsonl', workspace: dir }).load()).history).toHaveLength(2);
  });
});

describe('`compare` with a bad baseline or results file', () => {
  async function compare(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
    const stderr: string[] = [];
    const stdout: string[] = [];
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
    try {
      return { code: await main(['compare', ...args]), stderr: stderr.join(''), stdout: stdout.join('') };
    } finally {
      e.mockRestore();
      o.mockRestore();
    }
  }

  it.each(BAD.map((c) => c.name))('%s: exit 2, one stderr line naming the file, no verdict', async (name) => {
    const c = BAD.find((b) => b.name === name) as BadCase;
    const good = join(dir, 'current-good.json');
    await writeFile(good, GOOD);
    const bad = await write(c);
    for (const args of [['--current', good, '--baseline', bad], ['--current', bad, '--baseline', good]]) {
      const r = await compare(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.startsWith(`llm-perf-gate compare: ${bad}`)).toBe(true);
      expect(r.stderr).not.toMatch(/internal error|\bat .+:\d+:\d+/);
    }
  });
});
