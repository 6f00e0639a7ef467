// A fake of one workflow run's artifacts as @actions/artifact lists, uploads, downloads and
// deletes them — including the service's 409 on a second upload under a name the run already has,
// with the message @actions/artifact 6 throws for it.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PartArtifactClient } from '../../src/github/shards.js';

export const CONFLICT_MESSAGE = 'Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run';

export class FakeRunArtifacts implements PartArtifactClient {
  artifacts = new Map<string, { id: number; files: Map<string, string> }>();
  /** Every upload tried, in order, with the files' base names (also the failed ones). */
  uploads: { name: string; files: string[] }[] = [];
  /** Set to make every upload fail with this error (a runner without the artifact service). */
  failUploads?: Error;
  private nextId = 1;

  async listArtifacts() {
    return { artifacts: [...this.artifacts].map(([name, a]) => ({ name, id: a.id, size: 1 })) };
  }
  async getArtifact(name: string) {
    const a = this.artifacts.get(name);
    if (!a) throw Object.assign(new Error(`Artifact not found for name: ${name}`), { name: 'ArtifactNotFoundError' });
    return { artifact: { name, id: a.id, size: 1 } };
  }
  async downloadArtifact(id: number, options?: { path?: string }) {
    const a = [...this.artifacts.values()].find((x) => x.id === id);
    if (!a) throw new Error('no such artifact id');
    for (const [file, text] of a.files) await writeFile(join(options!.path!, file), text);
    return { downloadPath: options!.path };
  }
  async deleteArtifact(name: string) {
    const a = this.artifacts.get(name);
    if (!a) throw Object.assign(new Error(`Artifact not found for name: ${name}`), { name: 'ArtifactNotFoundError' });
    this.artifacts.delete(name);
    return { id: a.id };
  }
  async uploadArtifact(name: string, files: string[]) {
    this.uploads.push({ name, files: files.map((f) => basename(f)) });
    if (this.failUploads) throw this.failUploads;
    if (this.artifacts.has(name)) throw new Error(CONFLICT_MESSAGE);
    const id = this.nextId++;
    this.artifacts.set(name, { id, files: new Map(files.map((f) => [basename(f), readFileSync(f, 'utf8')])) });
    return { id, size: 1 };
  }
}
