import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * Starts `npm run serve`'s entry as its own process, as a user would, and resolves with the URL (and
 * its token) once serve prints it. Rejects with serve's output if it exits or does not start in time.
 */
export async function startServeProcess(
  root: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'electron', 'host', 'serve.ts'), '--port', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The developer flag: the tests pick the tiny test models (sd15-tiny…), which users never see listed.
    env: { ...process.env, ATELIER_DEV_MODELS: '1', ...opts.env },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start in ${timeoutMs / 1000} s:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with code ${code}:\n${out}`)));
  });
  return { child, url };
}
