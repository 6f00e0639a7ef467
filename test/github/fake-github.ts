// A local fake of the GitHub REST API, answering on 127.0.0.1 in the shapes of the real one
// (docs.github.com/rest: issue comments with Link pagination, contents with sha and 409 on a
// stale sha, git refs/trees/commits/blobs, /user, workflow runs, issue labels). Identities come
// from the token, like the real API: a PAT is a user; the GITHUB_TOKEN is github-actions[bot],
// whose GET /user answers 403; a read-only token answers 403 to every write.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeIdentity {
  login: string;
  type: 'User' | 'Bot';
  /** false: a read-only token (fork PRs): 403 on writes. */
  canWrite: boolean;
  /** An installation token (GITHUB_TOKEN): GET /user answers 403. */
  installation: boolean;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

export interface FakeWorkflowRun {
  id: number;
  workflow_id: number;
  head_branch: string;
  head_sha: string;
  event: string;
  status: 'completed' | 'in_progress';
  conclusion: 'success' | 'failure' | null;
  created_at: string;
}

interface StoredFile {
  content: string;
  sha: string;
}

export interface FakeGitHub {
  url: string;
  owner: string;
  repo: string;
  tokens: Map<string, FakeIdentity>;
  comments: Map<number, FakeComment[]>;
  labels: Map<number, string[]>;
  branches: Map<string, Map<string, StoredFile>>;
  runs: FakeWorkflowRun[];
  defaultBranch: string;
  /** Every request seen: method, path, body text (to search for leaked secrets). */
  requests: { method: string; path: string; body: string }[];
  stats: { conflicts: number; writes: number };
  /** Extra delay before answering a contents read, to make concurrent writers interleave. */
  readDelayMs: number;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

const gitSha = (text: string): string => createHash('sha1').update(text).digest('hex');

export async function startFakeGitHub(opts: { owner?: string; repo?: string } = {}): Promise<FakeGitHub> {
  const owner = opts.owner ?? 'octo-org';
  const repo = opts.repo ?? 'octo-repo';
  let nextId = 1000;
  const objects = new Map<string, { kind: 'tree' | 'commit' | 'blob'; files?: Map<string, StoredFile>; content?: string }>();
  const fake: FakeGitHub = {
    url: '',
    owner,
    repo,
    tokens: new Map(),
    comments: new Map(),
    labels: new Map(),
    branches: new Map([['main', new Map()]]),
    runs: [],
    defaultBranch: 'main',
    requests: [],
    stats: { conflicts: 0, writes: 0 },
    readDelayMs: 0,
    close: async () => {},
  };

  const base = `/repos/${owner}/${repo}`;

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/api\/v3/, '');
    const method = req.method ?? 'GET';
    fake.requests.push({ method, path: url.pathname + url.search, body });
    const auth = req.headers.authorization ?? '';
    const token = auth.replace(/^(token|bearer)\s+/i, '');
    const who = fake.tokens.get(token);
    if (!who) return json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const write = method !== 'GET' && method !== 'HEAD';
    const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    if (write && !who.canWrite) {
      return json(res, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' });
    }
    let m: RegExpMatchArray | null;

    if (path === '/user' && method === 'GET') {
      if (who.installation) return json(res, 403, { message: 'Resource not accessible by integration', status: '403' });
      return json(res, 200, { login: who.login, id: 1, type: who.type });
    }
    if (path === base && method === 'GET') {
      return json(res, 200, { id: 1, name: repo, full_name: `${owner}/${repo}`, default_branch: fake.defaultBranch, owner: { login: owner } });
    }
    if ((m = path.match(new RegExp(`^${base}/issues/(\\d+)/comments$`)))) {
      const issue = Number(m[1]);
      const list = fake.comments.get(issue) ?? [];
      if (method === 'GET') {
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
        const last = Math.max(1, Math.ceil(list.length / perPage));
        const links: string[] = [];
        const link = (p: number, rel: string) => `<${fake.url}${base}/issues/${issue}/comments?per_page=${perPage}&page=${p}>; rel="${rel}"`;
        if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
        if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
        const slice = list.slice((page - 1) * perPage, page * perPage).map((c) => commentJson(c, issue));
        return json(res, 200, slice, links.length ? { link: links.join(', ') } : {});
      }
      if (method === 'POST') {
        const now = new Date().toISOString();
        const c: FakeComment = { id: nextId++, body: String(input.body), user: { login: who.login, type: who.type }, created_at: now, updated_at: now };
        list.push(c);
        fake.comments.set(issue, list);
        return json(res, 201, commentJson(c, issue));
      }
    }
    if ((m = path.match(new RegExp(`^${base}/issues/comments/(\\d+)$`))) && method === 'PATCH') {
      for (const [issue, list] of fake.comments) {
        const c = list.find((x) => x.id === Number(m![1]));
        if (!c) continue;
        if (c.user.login !== who.login) return json(res, 403, { message: 'Resource not accessible by integration' });
        c.body = String(input.body);
        c.updated_at = new Date().toISOString();
        return json(res, 200, commentJson(c, issue));
      }
      return json(res, 404, { message: 'Not Found' });
    }
    if ((m = path.match(new RegExp(`^${base}/issues/(\\d+)/labels$`))) && method === 'GET') {
      return json(res, 200, (fake.labels.get(Number(m[1])) ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed' })));
    }
    if ((m = path.match(new RegExp(`^${base}/contents/(.+)$`)))) {
      const filePath = decodeURIComponent(m[1]);
      if (method === 'GET') {
        if (fake.readDelayMs > 0) await new Promise((r) => setTimeout(r, fake.readDelayMs * Math.random()));
        const ref = url.searchParams.get('ref') ?? fake.defaultBranch;
        const file = fake.branches.get(ref)?.get(filePath);
        if (!file) return json(res, 404, { message: 'Not Found', status: '404' });
        return json(res, 200, {
          type: 'file',
          encoding: 'base64',
          size: Buffer.byteLength(file.content),
          name: filePath.split('/').pop(),
          path: filePath,
          sha: file.sha,
          content: Buffer.from(file.content).toString('base64').replace(/(.{60})/g, '$1\n'),
        });
      }
      if (method === 'PUT') {
        const branch = String(input.branch ?? fake.defaultBranch);
        const files = fake.branches.get(branch);
        if (!files) return json(res, 404, { message: `Branch ${branch} not found` });
        const current = files.get(filePath);
        if (current && input.sha === undefined) {
          fake.stats.conflicts++;
          return json(res, 422, { message: 'Invalid request.\n\n"sha" wasn\'t supplied.', status: '422' });
        }
        if (current && input.sha !== current.sha) {
          fake.stats.conflicts++;
          return json(res, 409, { message: `${filePath} does not match ${String(input.sha)}`, status: '409' });
        }
        if (!current && input.sha !== undefined) return json(res, 404, { message: 'Not Found' });
        const content = Buffer.from(String(input.content), 'base64').toString('utf8');
        const file = { content, sha: gitSha(content + nextId++) };
        files.set(filePath, file);
        fake.stats.writes++;
        return json(res, current ? 200 : 201, { content: { path: filePath, sha: file.sha }, commit: { sha: gitSha(`c${nextId++}`), message: input.message } });
      }
    }
    if ((m = path.match(new RegExp(`^${base}/git/ref/heads/(.+)$`))) && method === 'GET') {
      const branch = decodeURIComponent(m[1]);
      if (!fake.branches.has(branch)) return json(res, 404, { message: 'Not Found' });
      return json(res, 200, { ref: `refs/heads/${branch}`, object: { sha: gitSha(branch), type: 'commit' } });
    }
    if ((m = path.match(new RegExp(`^${base}/git/blobs/([0-9a-f]+)$`))) && method === 'GET') {
      for (const files of fake.branches.values()) {
        for (const f of files.values()) if (f.sha === m[1]) return json(res, 200, { sha: f.sha, encoding: 'base64', content: Buffer.from(f.content).toString('base64') });
      }
      return json(res, 404, { message: 'Not Found' });
    }
    if (path === `${base}/git/trees` && method === 'POST') {
      const files = new Map<string, StoredFile>();
      for (const t of input.tree as { path: string; content: string }[]) files.set(t.path, { content: t.content, sha: gitSha(t.content + nextId++) });
      const sha = gitSha(`tree${nextId++}`);
      objects.set(sha, { kind: 'tree', files });
      return json(res, 201, { sha, tree: [] });
    }
    if (path === `${base}/git/commits` && method === 'POST') {
      const tree = objects.get(String(input.tree));
      if (!tree) return json(res, 422, { message: 'Tree SHA does not exist' });
      const sha = gitSha(`commit${nextId++}`);
      objects.set(sha, { kind: 'commit', files: tree.files });
      return json(res, 201, { sha, message: input.message });
    }
    if (path === `${base}/git/refs` && method === 'POST') {
      const branch = String(input.ref).replace(/^refs\/heads\//, '');
      if (fake.branches.has(branch)) return json(res, 422, { message: 'Reference already exists' });
      const commit = objects.get(String(input.sha));
      if (!commit) return json(res, 422, { message: 'Object does not exist' });
      fake.branches.set(branch, new Map(commit.files));
      return json(res, 201, { ref: input.ref, object: { sha: input.sha, type: 'commit' } });
    }
    if ((m = path.match(new RegExp(`^${base}/actions/runs/(\\d+)$`))) && method === 'GET') {
      const run = fake.runs.find((r) => r.id === Number(m![1]));
      if (!run) return json(res, 404, { message: 'Not Found' });
      return json(res, 200, run);
    }
    if ((m = path.match(new RegExp(`^${base}/actions/workflows/([^/]+)/runs$`))) && method === 'GET') {
      const branch = url.searchParams.get('branch');
      const status = url.searchParams.get('status');
      const event = url.searchParams.get('event');
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const list = fake.runs
        .filter((r) => String(r.workflow_id) === m![1])
        .filter((r) => !branch || r.head_branch === branch)
        .filter((r) => !event || r.event === event)
        .filter((r) => !status || r.conclusion === status || r.status === status)
        .sort((a, b) => b.created_at.localeCompare(a.created_at));
      return json(res, 200, { total_count: list.length, workflow_runs: list.slice(0, perPage) });
    }
    return json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  };

  const commentJson = (c: FakeComment, issue: number) => ({
    ...c,
    html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${c.id}`,
    issue_url: `${fake.url}${base}/issues/${issue}`,
    url: `${fake.url}${base}/issues/comments/${c.id}`,
  });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => json(res, 500, { message: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** Adds `count` comments by other people (and one old bot comment without our marker). */
export function seedComments(fake: FakeGitHub, issue: number, count: number, login = 'someone'): void {
  const list = fake.comments.get(issue) ?? [];
  for (let i = 0; i < count; i++) {
    list.push({ id: 10 + list.length, body: `comment ${i} by ${login}`, user: { login, type: 'User' }, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' });
  }
  fake.comments.set(issue, list);
}
