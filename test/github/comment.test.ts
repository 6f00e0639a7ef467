import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commentMarker, MAX_COMMENT_CHARS, stickyBody, tokenAuthorLogin, upsertStickyComment, CommentWriteDenied } from '../../src/github/comment.js';
import { postComment } from '../../src/github/publish.js';
import { seedComments, startFakeGitHub, type FakeGitHub } from './fake-github.js';

let fake: FakeGitHub;
const BOT = 'ghs_installationtoken00000000000000000';
const PAT = 'ghp_personaltoken0000000000000000000000';
const READONLY = 'ghs_forkreadonly00000000000000000000000';
/** A GitHub App's installation token (actions/create-github-app-token): also 403 on GET /user. */
const APP = 'ghs_appinstallation0000000000000000000000';
const ACTIONS_BOT = 'github-actions[bot]';
const PR = 7;

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.tokens.set(BOT, { login: ACTIONS_BOT, type: 'Bot', canWrite: true, installation: true });
  fake.tokens.set(PAT, { login: 'perf-robot', type: 'User', canWrite: true, installation: false });
  fake.tokens.set(READONLY, { login: ACTIONS_BOT, type: 'Bot', canWrite: false, installation: true });
  fake.tokens.set(APP, { login: 'perf-app[bot]', type: 'Bot', canWrite: true, installation: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.comments.clear());

const octo = (token: string) => getOctokit(token, { baseUrl: fake.url });
/** The target as publish.ts builds it: the author is what tokenAuthorLogin says for the token. */
const target = async (token: string, marker: string) => ({ owner: fake.owner, repo: fake.repo, issueNumber: PR, marker, authorLogin: await tokenAuthorLogin(octo(token)) });
const comment = (id: number, body: string, login: string, type: 'User' | 'Bot') => ({ id, body, user: { login, type }, created_at: '', updated_at: '' });

describe('commentMarker', () => {
  it('is a hidden HTML comment naming workflow, job and name', () => {
    expect(commentMarker('perf', 'bench', 'default')).toBe('<!-- llm-perf-gate:perf:bench:default -->');
  });
  it('cannot be closed early by a name holding -- or >', () => {
    const m = commentMarker('a-->b', 'job', 'x>y');
    expect(m).toBe('<!-- llm-perf-gate:a- b:job:x y -->');
    expect(m.indexOf('-->')).toBe(m.length - 3);
  });
});

describe('tokenAuthorLogin', () => {
  it('is the user of a personal access token', async () => {
    expect(await tokenAuthorLogin(octo(PAT))).toBe('perf-robot');
  });
  it('is unknown for an installation token (the GITHUB_TOKEN, an App token), whose GET /user is 403', async () => {
    expect(await tokenAuthorLogin(octo(BOT))).toBeUndefined();
    expect(await tokenAuthorLogin(octo(APP))).toBeUndefined();
  });
});

describe('upsertStickyComment', () => {
  const marker = commentMarker('perf', 'bench', 'default');

  it('creates the comment on the first run and updates the same one on the second', async () => {
    const first = await upsertStickyComment(octo(BOT), await target(BOT, marker), 'report 1');
    expect(first.action).toBe('created');
    const second = await upsertStickyComment(octo(BOT), await target(BOT, marker), 'report 2');
    expect(second).toEqual({ action: 'updated', id: first.id, url: first.url });
    const list = fake.comments.get(PR)!;
    expect(list).toHaveLength(1);
    expect(list[0].body).toBe(`${marker}\nreport 2`);
  });

  it('finds its comment among 150 earlier comments spread over pages', async () => {
    seedComments(fake, PR, 60);
    const first = await upsertStickyComment(octo(BOT), await target(BOT, marker), 'report 1');
    seedComments(fake, PR, 90, 'reviewer');
    expect(fake.comments.get(PR)).toHaveLength(151);
    const before = fake.requests.length;
    const second = await upsertStickyComment(octo(BOT), await target(BOT, marker), 'report 2');
    expect(second.action).toBe('updated');
    expect(second.id).toBe(first.id);
    expect(fake.comments.get(PR)).toHaveLength(151);
    // It paged: two GETs of 100 comments (page 2 via the Link header).
    const pages = fake.requests.slice(before).filter((r) => r.method === 'GET' && r.path.includes(`/issues/${PR}/comments`));
    expect(pages.map((p) => new URL(p.path, 'http://x').searchParams.get('page') ?? '1')).toEqual(['1', '2']);
  });

  it('keeps two comments for two names', async () => {
    const a = commentMarker('perf', 'bench', 'gpu-a');
    const b = commentMarker('perf', 'bench', 'gpu-b');
    await upsertStickyComment(octo(BOT), await target(BOT, a), 'A1');
    await upsertStickyComment(octo(BOT), await target(BOT, b), 'B1');
    await upsertStickyComment(octo(BOT), await target(BOT, a), 'A2');
    await upsertStickyComment(octo(BOT), await target(BOT, b), 'B2');
    expect(fake.comments.get(PR)!.map((c) => c.body)).toEqual([`${a}\nA2`, `${b}\nB2`]);
  });

  it('never takes over a comment with the marker written by someone else', async () => {
    const list = [{ id: 5, body: `${marker}\nquoted by a human`, user: { login: 'someone', type: 'User' }, created_at: '', updated_at: '' }];
    fake.comments.set(PR, list);
    const r = await upsertStickyComment(octo(BOT), await target(BOT, marker), 'ours');
    expect(r.action).toBe('created');
    expect(fake.comments.get(PR)!.map((c) => c.body)).toEqual([`${marker}\nquoted by a human`, `${marker}\nours`]);
  });

  it('with a GitHub App token (403 on GET /user) updates its own comment instead of posting a new one each run', async () => {
    seedComments(fake, PR, 3);
    const first = await upsertStickyComment(octo(APP), await target(APP, marker), 'report 1');
    expect(first.action).toBe('created');
    const second = await upsertStickyComment(octo(APP), await target(APP, marker), 'report 2');
    expect(second).toEqual({ action: 'updated', id: first.id, url: first.url });
    const ours = fake.comments.get(PR)!.filter((c) => c.body.includes(marker));
    expect(ours.map((c) => [c.user.login, c.body])).toEqual([['perf-app[bot]', `${marker}\nreport 2`]]);
    // Through publish.ts too, also when only refreshing (create=false).
    const args = { octokit: octo(APP), owner: fake.owner, repo: fake.repo, issueNumber: PR, marker, body: 'report 3', create: false };
    expect(await postComment(args)).toEqual({ kind: 'posted', url: first.url, action: 'updated' });
    expect(await postComment({ ...args, body: 'report 4', create: true })).toEqual({ kind: 'posted', url: first.url, action: 'updated' });
    expect(fake.comments.get(PR)!.filter((c) => c.body.includes(marker)).map((c) => c.body)).toEqual([`${marker}\nreport 4`]);
  });

  it('with the author unknown never edits a person\'s comment, even one carrying the marker', async () => {
    fake.comments.set(PR, [comment(5, `${marker}\nquoted by a human`, 'someone', 'User')]);
    const r = await upsertStickyComment(octo(APP), await target(APP, marker), 'ours');
    expect(r.action).toBe('created');
    expect(fake.comments.get(PR)!.map((c) => [c.user.login, c.body])).toEqual([
      ['someone', `${marker}\nquoted by a human`],
      ['perf-app[bot]', `${marker}\nours`],
    ]);
  });

  it('with the author unknown and another bot\'s marked comment it may not edit, posts its own and keeps that one', async () => {
    // github-actions[bot]'s comment from before the workflow switched to an App token.
    fake.comments.set(PR, [comment(5, `${marker}\nold`, ACTIONS_BOT, 'Bot')]);
    const first = await upsertStickyComment(octo(APP), await target(APP, marker), 'report 1');
    expect(first.action).toBe('created');
    const second = await upsertStickyComment(octo(APP), await target(APP, marker), 'report 2');
    expect(second).toEqual({ action: 'updated', id: first.id, url: first.url });
    expect(fake.comments.get(PR)!.map((c) => [c.user.login, c.body])).toEqual([
      [ACTIONS_BOT, `${marker}\nold`],
      ['perf-app[bot]', `${marker}\nreport 2`],
    ]);
  });

  it('with a known author (a PAT) takes only that author\'s comment, not a bot\'s', async () => {
    fake.comments.set(PR, [comment(5, `${marker}\nbot`, ACTIONS_BOT, 'Bot')]);
    expect((await target(PAT, marker)).authorLogin).toBe('perf-robot');
    const first = await upsertStickyComment(octo(PAT), await target(PAT, marker), 'pat 1');
    expect(first.action).toBe('created');
    const second = await upsertStickyComment(octo(PAT), await target(PAT, marker), 'pat 2');
    expect(second.id).toBe(first.id);
    expect(fake.comments.get(PR)!.map((c) => c.body)).toEqual([`${marker}\nbot`, `${marker}\npat 2`]);
  });

  it('reports a read-only token (fork PR) as CommentWriteDenied, not a crash', async () => {
    await expect(upsertStickyComment(octo(READONLY), await target(READONLY, marker), 'x')).rejects.toBeInstanceOf(CommentWriteDenied);
    const out = await postComment({ octokit: octo(READONLY), owner: fake.owner, repo: fake.repo, issueNumber: PR, marker, body: 'x', create: true });
    expect(out.kind).toBe('denied');
  });

  it('reports a read-only token as denied also when a marked bot comment exists (the update and the new comment are both refused)', async () => {
    fake.comments.set(PR, [comment(5, `${marker}\nold`, ACTIONS_BOT, 'Bot')]);
    const before = fake.requests.length;
    await expect(upsertStickyComment(octo(READONLY), await target(READONLY, marker), 'x')).rejects.toBeInstanceOf(CommentWriteDenied);
    expect(fake.requests.slice(before).filter((r) => r.method !== 'GET').map((r) => r.method)).toEqual(['PATCH', 'POST']);
    expect(fake.comments.get(PR)!.map((c) => c.body)).toEqual([`${marker}\nold`]);
  });

  it('with create=false only refreshes an existing comment', async () => {
    const args = { octokit: octo(BOT), owner: fake.owner, repo: fake.repo, issueNumber: PR, marker, body: 'all unchanged', create: false };
    expect(await postComment(args)).toEqual({ kind: 'skipped' });
    expect(fake.comments.get(PR) ?? []).toHaveLength(0);
    await postComment({ ...args, body: 'regression', create: true });
    const out = await postComment(args);
    expect(out.kind === 'posted' && out.action).toBe('updated');
    expect(fake.comments.get(PR)![0].body).toBe(`${marker}\nall unchanged`);
  });

  it('keeps a long body under GitHub limit, marker first', () => {
    const body = stickyBody(marker, 'x'.repeat(100_000));
    expect(body.length).toBe(MAX_COMMENT_CHARS);
    expect(body.startsWith(marker)).toBe(true);
    expect(body.endsWith('results artifact)')).toBe(true);
  });
});
