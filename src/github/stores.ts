// Chooses and builds the baseline store named by the `baseline:` input.
import * as core from '@actions/core';
import { ArtifactStore, baselineArtifactName, type ArtifactClientLike } from '../baseline/artifact-store.js';
import { BranchStore, historyPathFor } from '../baseline/branch-store.js';
import { actionsCacheClient, CacheStore } from '../baseline/cache-store.js';
import { FileStore } from '../baseline/file-store.js';
import type { Octokit } from '../baseline/octokit.js';
import { noBaselineStore, type BaselineSpec, type BaselineStore } from '../baseline/store.js';
import { InputError } from '../errors.js';
import { baselineBranch, type ActionContext } from './context.js';

export interface StoreDeps {
  spec: BaselineSpec;
  name: string;
  ctx: ActionContext;
  octokit?: Octokit;
  token?: string;
  artifactClient: () => Promise<ArtifactClientLike>;
  cacheStore?: (name: string) => Promise<BaselineStore>;
}

export async function createBaselineStore(d: StoreDeps): Promise<BaselineStore> {
  const { spec, ctx } = d;
  switch (spec.kind) {
    case 'none':
      return noBaselineStore;
    case 'file':
      return new FileStore({ path: spec.path, workspace: ctx.workspace });
    case 'branch':
      if (!d.octokit) throw new InputError('input baseline: branch:NAME needs github-token (contents: write to save, read to load)');
      return new BranchStore({ octokit: d.octokit, owner: ctx.owner, repo: ctx.repo, branch: spec.branch, path: historyPathFor(d.name), serverUrl: ctx.serverUrl });
    case 'artifact':
      if (!d.octokit || !d.token) throw new InputError('input baseline: artifact needs github-token (actions: read)');
      return new ArtifactStore({
        octokit: d.octokit,
        client: await d.artifactClient(),
        token: d.token,
        owner: ctx.owner,
        repo: ctx.repo,
        runId: ctx.runId,
        baseBranch: baselineBranch(ctx),
        artifactName: baselineArtifactName(d.name),
        workDir: ctx.runnerTemp || undefined,
      });
    case 'cache':
      if (d.cacheStore) return d.cacheStore(d.name);
      if (!ctx.sha) throw new InputError('input baseline: cache needs GITHUB_SHA (set by the Actions runner) for its per-commit key; use artifact or branch:NAME elsewhere');
      return new CacheStore({
        client: actionsCacheClient,
        name: d.name,
        baseBranch: baselineBranch(ctx),
        branch: ctx.refName ?? baselineBranch(ctx),
        sha: ctx.sha,
        workspace: ctx.workspace,
        warn: (line) => core.warning(line),
      });
  }
}
