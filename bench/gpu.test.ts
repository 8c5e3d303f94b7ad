import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GPU_CASES, runGpuBench } from './gpu.js';

const work = mkdtempSync(join(tmpdir(), 'atelier-gpu-dry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run bench -- gpu, dry mode (tiny stand-ins on the CPU)', () => {
  it('makes every case\'s stand-in and measures every column', async () => {
    const rows = await runGpuBench({ dry: true, workDir: work, log: () => undefined });
    expect(rows.map((r) => r.case)).toEqual(GPU_CASES.map((c) => c.name));
    for (const r of rows) {
      expect(r.error).toBeUndefined();
      expect(r.ranOn).toBe('CPU');
      expect(r.secondsPerImage).toBeGreaterThan(0);
      expect(r.firstImageS).toBeGreaterThan(0);
      expect(Number.isFinite(r.itPerSecond)).toBe(true);
    }
    // Overhead is measured wherever there are two or more steps.
    expect(rows.filter((r) => Number.isFinite(r.overheadPct))).toHaveLength(3);
  }, 180_000);
});
