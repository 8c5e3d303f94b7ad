import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Test helper: third-party readers (ImageMagick, Debian's python3 with Pillow/psd-tools) that check our
 * files independently. Tests skip with a printed reason when one is missing; CI installs them.
 */
export const IMAGEMAGICK_IDENTIFY = '/usr/bin/identify';
export const IMAGEMAGICK_CONVERT = '/usr/bin/convert';
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const PNGCHECK = '/usr/bin/pngcheck';
export const GIMP_CONSOLE = '/usr/bin/gimp-console';

function pythonHas(module: string): boolean {
  if (!existsSync(DEBIAN_PYTHON)) return false;
  return spawnSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

export const readers = {
  imagemagick: existsSync(IMAGEMAGICK_IDENTIFY) && existsSync(IMAGEMAGICK_CONVERT),
  pillow: pythonHas('PIL'),
  pngcheck: existsSync(PNGCHECK),
  gimp: existsSync(GIMP_CONSOLE),
  psdTools: pythonHas('psd_tools'),
};

/** Prints why a reader test is skipped (vitest's skip has no reason line). */
export function reportMissing(name: keyof typeof readers, apt: string): boolean {
  if (readers[name]) return false;
  console.warn(`[skip] ${name} is not installed here (apt-get install -y ${apt}); its reader test is skipped`);
  return true;
}

export function identifyVerbose(path: string): string {
  return execFileSync(IMAGEMAGICK_IDENTIFY, ['-verbose', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Runs a Python snippet with Debian's python3; argv[1..] are `args`. Returns stdout. */
export function python(code: string, args: string[] = []): string {
  return execFileSync(DEBIAN_PYTHON, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
}

/** Runs a Script-Fu program in GIMP's batch mode (no display) and returns what it printed. */
export function gimpBatch(script: string): string {
  const r = spawnSync(GIMP_CONSOLE, ['-i', '-d', '-f', '--batch-interpreter', 'plug-in-script-fu-eval', '-b', '-'], {
    input: `${script}\n(gimp-quit 0)\n`,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 16 << 20,
  });
  return `${r.stdout}\n${r.stderr}`;
}
