import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createStudio } from '../core/jobs/createStudio.js';
import { engineOptionsFor } from '../core/jobs/engineSettings.js';
import { threadSpawner } from '../core/jobs/threadSpawner.js';
import { projectRoot } from '../core/models/defaultModel.js';
import { resolveDataDir } from '../core/store/dataDir.js';
import { parseServeArgs, SERVE_USAGE, type ServeArgs } from './serve/args.js';
import { ServeServer } from './serve/httpServer.js';
import { buildRenderer } from './serve/buildRenderer.js';
import { toUserMessage } from '../shared/userError.js';

/**
 * `npm run serve`: the same renderer and core as the app, in a browser on 127.0.0.1.
 * The engine runs in a worker thread, never on the thread that answers HTTP.
 */
export async function startServe(args: ServeArgs, log: (line: string) => void = (l) => process.stdout.write(l + '\n')) {
  const root = projectRoot();
  const rendererDir = resolve(args.rendererDir ?? join(root, 'out', 'renderer'));
  if (args.rebuild || !existsSync(join(rendererDir, 'index.html'))) {
    log(`building the renderer into ${rendererDir} …`);
    await buildRenderer(rendererDir);
  }
  const dataDir = resolveDataDir(args.data);
  const { notices: settingsNotices, ...engineOptions } = engineOptionsFor(dataDir);
  for (const n of settingsNotices) log(`notice: ${n}`);
  const token = randomBytes(24).toString('base64url');
  let server: ServeServer | null = null;
  const studio = createStudio({
    dataDir,
    modelRoots: args.models,
    spawn: threadSpawner({ engineModule: args.engineModule ?? join(root, 'electron', 'core', 'engine', 'engine.ts'), engineOptions }),
    emit: (event, payload) => server?.publish(event, payload),
    previewUrl: (jobId, step) => `/previews/${jobId}.png?step=${step}`,
    origin: 'serve',
    // Shown in the app too (with the history's notices), not only on this terminal.
    notices: settingsNotices,
  });
  server = new ServeServer({ backend: studio.backend, rendererDir, token, extraHosts: !args.hostGiven ? [] : args.host === '0.0.0.0' || args.host === '::' ? ['*'] : [args.host] });
  const port = await server.listen(args.port, args.host);
  const shown = args.host.includes(':') ? `[${args.host}]` : args.host;
  const url = `http://${shown}:${port}/?token=${token}`;
  log(`Atelier is serving on ${url}`);
  log(`data: ${dataDir}; models: ${studio.backend.handlers ? (await studio.backend.handlers['models:list']({})).models.map((m) => m.id).join(', ') || '(none found)' : ''}`);
  for (const n of studio.history.notices) log(`notice: ${n}`);
  const srv = server;
  return {
    url,
    port,
    token,
    studio,
    async close() {
      await srv.close();
      studio.close();
    },
  };
}

const isMain = process.argv[1] && resolve(process.argv[1]).replace(/\.ts$/, '') === resolve(new URL(import.meta.url).pathname).replace(/\.ts$/, '');
if (isMain) {
  let args: ServeArgs;
  try {
    args = parseServeArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(SERVE_USAGE + '\n');
    process.exit(0);
  }
  startServe(args).then(
    (s) => {
      const stop = (): void => void s.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (e: unknown) => {
      process.stderr.write(`error: ${toUserMessage(e)}\n`);
      process.exit(1);
    },
  );
}
