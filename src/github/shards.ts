// Matrix shards in the action: a `shard: i/N` job uploads its partial results as an artifact
// of this workflow run; the `mode: report` job collects them — from a folder the workflow
// downloaded (`shards-path`, e.g. actions/download-artifact), or from this run's artifacts
// through the artifact client — merges them, and gates once.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactClientLike } from '../baseline/artifact-store.js';
import { InputError } from '../errors.js';
import { parseShard } from '../load/shard.js';
import { mergeResults } from '../report/merge.js';
import { readResultsFiles } from '../report/merge-inputs.js';
import type { RunResult } from '../types.js';

export const PART_ARTIFACT_PREFIX = 'llm-perf-gate-part-';

/** A name as it appears in an artifact name (the characters artifact names allow). */
function safeName(name: string): string {
  return name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'default';
}

/** The artifact a run-mode job with `shard` uploads: one per (name, shard). "1 / 2" and "1/2" are one shard. */
export function partArtifactName(name: string, shard: string): string {
  const { index, count } = parseShard(shard, 'input shard');
  return `${PART_ARTIFACT_PREFIX}${safeName(name)}-${index}-of-${count}`;
}

/** The artifact client with listing (DefaultArtifactClient has it; the baseline stores do not need it). */
export interface PartArtifactClient extends ArtifactClientLike {
  listArtifacts(options?: { latest?: boolean }): Promise<{ artifacts: { name: string; id: number }[] }>;
}

function canList(client: ArtifactClientLike): client is PartArtifactClient {
  return typeof (client as Partial<PartArtifactClient>).listArtifacts === 'function';
}

/** The artifact service's answer when the name is taken in this workflow run: 409 Conflict. */
function isNameConflict(err: unknown): boolean {
  if ((err as { status?: unknown; statusCode?: unknown }).status === 409 || (err as { statusCode?: unknown }).statusCode === 409) return true;
  return /\(409\)|\bconflict\b|already exists/i.test(err instanceof Error ? err.message : String(err));
}

/** A client that can delete an artifact of this run by name (DefaultArtifactClient can). */
interface DeletingClient extends ArtifactClientLike {
  deleteArtifact(name: string): Promise<unknown>;
}

function canDelete(client: ArtifactClientLike): client is DeletingClient {
  return typeof (client as Partial<DeletingClient>).deleteArtifact === 'function';
}

/**
 * Uploads a shard's results file; returns a line for the log. A name already taken is an
 * InputError in the run's first attempt: another job uploaded the same (name, shard) — a
 * matrix of models or scenarios whose jobs share `name` — and the report would silently
 * merge only one of them. In a later attempt (`attempt` > 1, a re-run) the artifact is this
 * job's own from an earlier attempt (a collision would have failed attempt 1, which runs
 * every job): it is replaced, as upload-artifact's `overwrite` does. Any other failure (no
 * artifact service) is thrown as is, for the caller to warn about.
 */
export async function uploadPart(client: ArtifactClientLike, name: string, shard: string, resultsPath: string, dir: string, attempt = 1): Promise<string> {
  const artifact = partArtifactName(name, shard);
  const upload = async () => (await client.uploadArtifact(artifact, [resultsPath], dir, { retentionDays: 1 })).id ?? '?';
  try {
    return `shard results uploaded as artifact ${artifact} (id ${await upload()})`;
  } catch (err) {
    if (!isNameConflict(err)) throw err;
    if (attempt > 1 && canDelete(client)) {
      await client.deleteArtifact(artifact);
      return `shard results uploaded as artifact ${artifact} (id ${await upload()}), replacing the one of an earlier attempt of this workflow run`;
    }
    throw new InputError(`shard ${shard}: the artifact ${artifact} already exists in this workflow run: another job uploaded the same name and shard; give each matrix job a distinct name (e.g. name: \${{ matrix.model }})`);
  }
}

/** This name's parts among the run's artifacts, by shard index; one clear line for a duplicate or a mixed split. */
function partsOf(artifacts: readonly { name: string; id: number }[], name: string): { name: string; id: number }[] {
  const own = `${PART_ARTIFACT_PREFIX}${safeName(name)}-`;
  const found: { name: string; id: number; index: number; count: number }[] = [];
  for (const a of artifacts) {
    if (!a.name.startsWith(own)) continue;
    // Exactly <i>-of-<N> after the name: `perf` must not collect `perf-llama`'s parts.
    const m = /^(\d+)-of-(\d+)$/.exec(a.name.slice(own.length));
    if (m) found.push({ ...a, index: Number(m[1]), count: Number(m[2]) });
  }
  found.sort((a, b) => a.index - b.index || a.count - b.count);
  const counts = [...new Set(found.map((p) => p.count))];
  if (counts.length > 1) {
    throw new InputError(`mode report: the parts of name '${name}' come from different splits (${found.map((p) => p.name).join(', ')}); every shard job of one name must use the same N`);
  }
  const twice = found.filter((p, i) => i > 0 && found[i - 1].index === p.index);
  if (twice.length > 0) {
    throw new InputError(`mode report: shard ${twice[0].index}/${twice[0].count} of name '${name}' was uploaded twice (${twice[0].name}); give each matrix job a distinct name`);
  }
  return found.map(({ name: n, id }) => ({ name: n, id }));
}

/**
 * Downloads this name's part artifacts of this workflow run into a fresh folder; returns it
 * and the artifacts' names. Only `name`'s: two sharded gates in one workflow stay apart.
 */
export async function downloadParts(client: ArtifactClientLike, workDir: string | undefined, name: string): Promise<{ dir: string; names: string[] }> {
  if (!canList(client)) throw new InputError('mode report: this artifact client cannot list artifacts; download them with actions/download-artifact and set shards-path');
  const { artifacts } = await client.listArtifacts({ latest: true });
  const parts = partsOf(artifacts, name);
  if (parts.length === 0) {
    throw new InputError(`mode report: this workflow run has no ${PART_ARTIFACT_PREFIX}${safeName(name)}-<i>-of-<N> artifacts; run the shard jobs (shard: i/N) with name: ${name} first and make this job need them`);
  }
  const base = workDir ?? tmpdir();
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'llm-perf-gate-parts-'));
  for (const a of parts) {
    const into = join(dir, a.name);
    await mkdir(into, { recursive: true });
    await client.downloadArtifact(a.id, { path: into });
  }
  return { dir, names: parts.map((a) => a.name) };
}

/** The merged run of the parts under `paths` (each file validated: it comes from another job). */
export async function mergeParts(paths: string[]): Promise<{ merged: RunResult; files: number }> {
  const parts = await readResultsFiles(paths);
  return { merged: mergeResults(parts), files: parts.length };
}
