import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';
import type { CatalogEntry } from '../modelCatalog.js';

/**
 * A local stand-in for Hugging Face in tests: serves a model folder on 127.0.0.1 (random port) under
 * `/<repo>/resolve/<revision>/<path>`, redirecting like the Hub does to a `/cdn/` URL, with Range
 * support and ETags. Each path can be told to misbehave: drop the connection part-way, ignore Range,
 * corrupt a byte, or answer 404 / 500.
 */

export type Misbehaviour =
  /** Send this many bytes, then destroy the socket (once, then behave). */
  | { kind: 'drop-after'; bytes: number; times?: number; weakEtag?: boolean }
  /** Ignore Range headers: always 200 with the whole file. */
  | { kind: 'no-range' }
  /** Send a weak ETag (W/"…"), which an If-Range can never match (RFC 9110 §13.1.5). */
  | { kind: 'weak-etag' }
  /** Flip one byte of the body (the hash check must catch it). */
  | { kind: 'corrupt'; at: number }
  | { kind: 'status'; status: number; times?: number }
  /** 401 unless the request carries `Authorization: Bearer <token>` (a gated repository). */
  | { kind: 'require-token'; token: string };

export interface RequestLog {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  status: number;
}

export interface TestModelServer {
  baseUrl: string;
  repo: string;
  revision: string;
  requests: RequestLog[];
  misbehave(path: string, how: Misbehaviour | undefined): void;
  close(): Promise<void>;
}

function walk(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, root));
    else out.push(relative(root, p).split(sep).join('/'));
  }
  return out;
}

/** A catalogue entry for every file of a local model folder, with exact sizes and SHA-256s. */
export function catalogEntryForFolder(dir: string, id: string, repo = `atelier-test/${id}`, revision = 'main'): CatalogEntry {
  const files = walk(dir).map((path) => {
    const bytes = readFileSync(join(dir, path));
    return { path, size: bytes.length, approxBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  return {
    id,
    label: `Test ${id}`,
    kind: 'pipeline',
    family: 'sd1',
    source: { repo, revision, page: 'http://127.0.0.1/' },
    license: { id: 'test', nonCommercial: false, url: 'http://127.0.0.1/' },
    recommended: { steps: 2, guidance: 1, scheduler: 'euler', width: 64, height: 64 },
    notes: [],
    sources: ['http://127.0.0.1/'],
    files,
  };
}

export async function startTestModelServer(dir: string, repo: string, revision = 'main'): Promise<TestModelServer> {
  const rules = new Map<string, Misbehaviour & { used?: number }>();
  const requests: RequestLog[] = [];
  const prefix = `/${repo}/resolve/${revision}/`;

  function serveFile(req: IncomingMessage, res: ServerResponse, path: string): void {
    const rule = rules.get(path);
    const range = req.headers['range'];
    const log: RequestLog = { path, range, ifRange: req.headers['if-range'] as string | undefined, status: 0 };
    requests.push(log);
    const send = (status: number, headers: Record<string, string | number>, body?: Buffer) => {
      log.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    if (rule?.kind === 'status' && (rule.times === undefined || (rule.used ?? 0) < rule.times)) {
      rule.used = (rule.used ?? 0) + 1;
      return send(rule.status, { 'content-type': 'text/plain' }, Buffer.from('nope'));
    }
    if (rule?.kind === 'require-token' && req.headers['authorization'] !== `Bearer ${rule.token}`) {
      return send(401, { 'content-type': 'text/plain' }, Buffer.from('Access to this model is restricted'));
    }
    let data: Buffer;
    try {
      data = readFileSync(join(dir, ...path.split('/')));
    } catch {
      return send(404, { 'content-type': 'text/plain' }, Buffer.from('Entry not found'));
    }
    const weak = rule?.kind === 'weak-etag' || (rule?.kind === 'drop-after' && rule.weakEtag === true);
    const etag = `${weak ? 'W/' : ''}"${createHash('sha256').update(data).digest('hex')}"`;
    if (rule?.kind === 'corrupt') {
      data = Buffer.from(data);
      data[rule.at] = data[rule.at]! ^ 0xff;
    }
    let start = 0;
    let status = 200;
    const m = typeof range === 'string' && rule?.kind !== 'no-range' ? /^bytes=(\d+)-$/.exec(range) : null;
    const ifRangeOk = !req.headers['if-range'] || (!weak && req.headers['if-range'] === etag);
    if (m && ifRangeOk) {
      start = Number(m[1]);
      if (start >= data.length) return send(416, { 'content-range': `bytes */${data.length}` });
      status = 206;
    }
    const body = data.subarray(start);
    const headers: Record<string, string | number> = { 'content-length': body.length, etag, 'accept-ranges': rule?.kind === 'no-range' ? 'none' : 'bytes' };
    if (status === 206) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    if (rule?.kind === 'drop-after' && (rule.used ?? 0) < (rule.times ?? 1) && rule.bytes < body.length) {
      rule.used = (rule.used ?? 0) + 1;
      log.status = status;
      res.writeHead(status, headers);
      // Give the client time to take the bytes in before the reset (a reader may drop what it has queued).
      res.write(body.subarray(0, rule.bytes), () => setTimeout(() => res.socket?.destroy(), 100));
      return;
    }
    send(status, headers, body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    if (path.startsWith(prefix)) {
      // The Hub answers resolve URLs of LFS files with a redirect to its CDN; do the same.
      res.writeHead(302, { location: `/cdn/${path.slice(prefix.length)}` });
      res.end();
      return;
    }
    if (path.startsWith('/cdn/')) return serveFile(req, res, path.slice('/cdn/'.length));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    repo,
    revision,
    requests,
    misbehave(path, how) {
      if (how) rules.set(path, { ...how });
      else rules.delete(path);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
