// Matrix shards in the action: a `shard: i/N` job uploads its partial results as an artifact
// of this workflow run; the `mode: report` job collects them — from a folder the workflow
// downloaded (`shards-path`, e.g. actions/download-artifact), or from this run's artifacts
// through the artifact client — merges them, and gates once.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactClientLike } from '../baseline/artifact-store.js';
import { InputError } from '../errors.js';
import { mergeResults } from '../report/merge.js';
import { readResultsFiles } from '../report/merge-inputs.js';
import type { RunResult } from '../types.js';

export const PART_ARTIFACT_PREFIX = 'llm-perf-gate-part-';

/** The artifact a run-mode job with `shard` uploads: one per (name, shard). */
export function partArtifactName(name: string, shard: string): string {
  const safe = (s: string) => s.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'default';
  return `${PART_ARTIFACT_PREFIX}${safe(name)}-${safe(shard.replace('/', '-of-'))}`;
}

/** The artifact client with listing (DefaultArtifactClient has it; the baseline stores do not need it). */
export interface PartArtifactClient extends ArtifactClientLike {
  listArtifacts(options?: { latest?: boolean }): Promise<{ artifacts: { name: string; id: number }[] }>;
}

function canList(client: ArtifactClientLike): client is PartArtifactClient {
  return typeof (client as Partial<PartArtifactClient>).listArtifacts === 'function';
}

/** Uploads a shard's results file; returns a line for the log. */
export async function uploadPart(client: ArtifactClientLike, name: string, shard: string, resultsPath: string, dir: string): Promise<string> {
  const artifact = partArtifactName(name, shard);
  const up = await client.uploadArtifact(artifact, [resultsPath], dir, { retentionDays: 1 });
  return `shard results uploaded as artifact ${artifact} (id ${up.id ?? '?'})`;
}

/** Downloads every part artifact of this workflow run into a fresh folder; returns it and how many were found. */
export async function downloadParts(client: ArtifactClientLike, workDir: string | undefined): Promise<{ dir: string; names: string[] }> {
  if (!canList(client)) throw new InputError('mode report: this artifact client cannot list artifacts; download them with actions/download-artifact and set shards-path');
  const { artifacts } = await client.listArtifacts({ latest: true });
  const parts = artifacts.filter((a) => a.name.startsWith(PART_ARTIFACT_PREFIX)).sort((a, b) => a.name.localeCompare(b.name));
  if (parts.length === 0) {
    throw new InputError(`mode report: this workflow run has no ${PART_ARTIFACT_PREFIX}* artifacts; run the shard jobs (shard: i/N) first and make this job need them`);
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
