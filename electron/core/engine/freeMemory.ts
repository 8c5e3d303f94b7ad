import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';

/** "6GB", "6.5 GiB", "800M", "6000000000" → bytes; undefined when unreadable. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$/i.exec(text);
  if (!m) return undefined;
  const binary = m[3]!.toLowerCase().startsWith('i');
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return Math.round(Number(m[1]) * (binary ? 1024 : 1000) ** power);
}

/**
 * Memory a job may use now: `ATELIER_FREE_MEMORY` when set (tests fake a small machine with it), else
 * Linux's MemAvailable (free plus reclaimable cache), else the OS's free figure.
 */
export function freeMemoryBytes(env: NodeJS.ProcessEnv = process.env): { bytes: number; faked: boolean } {
  const fake = env['ATELIER_FREE_MEMORY'];
  if (fake) {
    const bytes = parseByteSize(fake);
    if (bytes !== undefined) return { bytes, faked: true };
  }
  if (process.platform === 'linux') {
    try {
      const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
      if (m) return { bytes: Number(m[1]) * 1024, faked: false };
    } catch {
      // fall through to the OS figure
    }
  }
  return { bytes: freemem(), faked: false };
}

let gpuCache: { at: number; bytes: number | undefined } | undefined;

/** Free memory of the first NVIDIA GPU from nvidia-smi (other providers do not tell); cached for 10 s. */
export function freeGpuMemoryBytes(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const fake = env['ATELIER_FREE_GPU_MEMORY'];
  if (fake) return parseByteSize(fake);
  if (gpuCache && Date.now() - gpuCache.at < 10_000) return gpuCache.bytes;
  let bytes: number | undefined;
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=memory.free', '--format=csv,noheader,nounits'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] });
    const mib = Number(out.trim().split('\n')[0]);
    bytes = Number.isFinite(mib) ? mib * 2 ** 20 : undefined;
  } catch {
    bytes = undefined;
  }
  gpuCache = { at: Date.now(), bytes };
  return bytes;
}
