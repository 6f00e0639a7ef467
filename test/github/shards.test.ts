import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { downloadParts, partArtifactName, uploadPart } from '../../src/github/shards.js';
import { FakeRunArtifacts } from './fake-artifacts.js';

function withParts(names: string[]): FakeRunArtifacts {
  const client = new FakeRunArtifacts();
  names.forEach((name, i) => client.artifacts.set(name, { id: i + 1, files: new Map([['results.json', `{"part":"${name}"}`]]) }));
  return client;
}

const work = () => mkdtempSync(join(tmpdir(), 'lpg-shards-'));

describe('shard part artifacts', () => {
  it('names a part by name and shard, however the shard is spelled', () => {
    expect(partArtifactName('default', '2/4')).toBe('llm-perf-gate-part-default-2-of-4');
    expect(partArtifactName('models llama', ' 1 / 2 ')).toBe('llm-perf-gate-part-models-llama-1-of-2');
  });

  it("downloads only its own name's parts: another gate's, or a longer name's, are left alone", async () => {
    const client = withParts([
      'llm-perf-gate-part-default-2-of-2',
      'llm-perf-gate-part-default-1-of-2',
      'llm-perf-gate-part-default-llama-1-of-1',
      'llm-perf-gate-part-other-1-of-2',
      'llm-perf-gate-html-default',
    ]);
    const got = await downloadParts(client, work(), 'default');
    expect(got.names).toEqual(['llm-perf-gate-part-default-1-of-2', 'llm-perf-gate-part-default-2-of-2']);
    expect(readdirSync(got.dir).sort()).toEqual(got.names);
    expect((await downloadParts(client, work(), 'default-llama')).names).toEqual(['llm-perf-gate-part-default-llama-1-of-1']);
    await expect(downloadParts(client, work(), 'missing')).rejects.toThrow(
      'mode report: this workflow run has no llm-perf-gate-part-missing-<i>-of-<N> artifacts; run the shard jobs (shard: i/N) with name: missing first and make this job need them',
    );
  });

  it('parts of different splits, or a shard twice, are one clear line', async () => {
    const mixed = withParts(['llm-perf-gate-part-default-1-of-2', 'llm-perf-gate-part-default-2-of-2', 'llm-perf-gate-part-default-1-of-4']);
    await expect(downloadParts(mixed, work(), 'default')).rejects.toThrow(InputError);
    await expect(downloadParts(mixed, work(), 'default')).rejects.toThrow(
      "mode report: the parts of name 'default' come from different splits (llm-perf-gate-part-default-1-of-2, llm-perf-gate-part-default-1-of-4, llm-perf-gate-part-default-2-of-2); every shard job of one name must use the same N",
    );
    const twice = withParts(['llm-perf-gate-part-default-1-of-2', 'llm-perf-gate-part-default-2-of-2']);
    // A listing that holds one name twice (e.g. two attempts' artifacts).
    twice.listArtifacts = async () => ({ artifacts: [{ name: 'llm-perf-gate-part-default-1-of-2', id: 1, size: 1 }, { name: 'llm-perf-gate-part-default-1-of-2', id: 7, size: 1 }, { name: 'llm-perf-gate-part-default-2-of-2', id: 2, size: 1 }] });
    await expect(downloadParts(twice, work(), 'default')).rejects.toThrow(
      "mode report: shard 1/2 of name 'default' was uploaded twice (llm-perf-gate-part-default-1-of-2); give each matrix job a distinct name",
    );
  });

  it('a second upload of the same name and shard (409) is bad input telling to give each job a distinct name, unless a re-run replaces its own; other failures pass through', async () => {
    const dir = work();
    writeFileSync(join(dir, 'results.json'), '{}');
    const client = new FakeRunArtifacts();
    expect(await uploadPart(client, 'default', '1/1', join(dir, 'results.json'), dir)).toBe('shard results uploaded as artifact llm-perf-gate-part-default-1-of-1 (id 1)');
    const again = uploadPart(client, 'default', '1/1', join(dir, 'results.json'), dir);
    await expect(again).rejects.toThrow(InputError);
    await expect(again).rejects.toThrow(
      'shard 1/1: the artifact llm-perf-gate-part-default-1-of-1 already exists in this workflow run: another job uploaded the same name and shard; give each matrix job a distinct name (e.g. name: ${{ matrix.model }})',
    );
    // A re-run (attempt 2) replaces its own part of an earlier attempt, as upload-artifact's overwrite does.
    writeFileSync(join(dir, 'results.json'), '{"attempt":2}');
    expect(await uploadPart(client, 'default', '1/1', join(dir, 'results.json'), dir, 2)).toBe(
      'shard results uploaded as artifact llm-perf-gate-part-default-1-of-1 (id 2), replacing the one of an earlier attempt of this workflow run',
    );
    expect(client.artifacts.get('llm-perf-gate-part-default-1-of-1')?.files.get('results.json')).toBe('{"attempt":2}');
    client.failUploads = Object.assign(new Error('Conflict'), { status: 409 });
    await expect(uploadPart(client, 'x', '1/2', join(dir, 'results.json'), dir)).rejects.toThrow(InputError);
    const down = new Error('Unable to get the ACTIONS_RUNTIME_TOKEN env variable');
    client.failUploads = down;
    await expect(uploadPart(client, 'y', '1/2', join(dir, 'results.json'), dir)).rejects.toBe(down);
  });
});
