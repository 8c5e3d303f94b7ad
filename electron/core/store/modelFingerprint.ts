import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * A short fingerprint of a model folder's files, stored with each history entry so "re-run exactly"
 * can tell when the model behind a name changed. Multi-GB weights make a full sha256 cost seconds, so
 * it hashes each file's path, size and its first and last MiB: any re-export or fine-tune changes
 * those, and it costs a few milliseconds. Not a security hash.
 */

const SAMPLE = 1 << 20;
const cache = new Map<string, { signature: string; fingerprint: string }>();

export async function modelFingerprint(dir: string): Promise<string> {
  const files = await listFiles(dir);
  const infos = await Promise.all(files.map(async (f) => ({ f, s: await stat(f) })));
  // Same paths, sizes and mtimes as last time: the files were not touched.
  const signature = infos.map(({ f, s }) => `${f}\0${s.size}\0${s.mtimeMs}`).join('\n');
  const hit = cache.get(dir);
  if (hit && hit.signature === signature) return hit.fingerprint;

  const hash = createHash('sha256');
  for (const { f, s } of infos) {
    hash.update(`${relative(dir, f).split(sep).join('/')}\0${s.size}\0`);
    const fh = await open(f, 'r');
    try {
      const head = Buffer.alloc(Math.min(SAMPLE, s.size));
      await fh.read(head, 0, head.length, 0);
      hash.update(head);
      if (s.size > SAMPLE) {
        const tail = Buffer.alloc(Math.min(SAMPLE, s.size - SAMPLE));
        await fh.read(tail, 0, tail.length, s.size - tail.length);
        hash.update(tail);
      }
    } finally {
      await fh.close();
    }
  }
  const fingerprint = hash.digest('hex').slice(0, 16);
  cache.set(dir, { signature, fingerprint });
  return fingerprint;
}

/** Every regular file below dir, sorted, skipping dot-files (.DS_Store, editor backups, .cache). */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}
