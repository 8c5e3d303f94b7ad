/** `npm run serve -- [--port P] [--host H] [--models DIR]… [--data DIR]`: parsed, validated, one-line errors. */
export interface ServeArgs {
  port: number;
  host: string;
  /** True only when --host was given: binding beyond loopback must be asked for. */
  hostGiven: boolean;
  models: string[];
  data?: string;
  rendererDir?: string;
  engineModule?: string;
  /** Rebuild the renderer even if a build exists (e2e, after editing renderer sources). */
  rebuild: boolean;
  help: boolean;
}

export const SERVE_USAGE = `Usage: npm run serve -- [options]
  --port P        port on 127.0.0.1 (default: a free one)
  --host H        interface to listen on (default 127.0.0.1; other interfaces only when given)
  --models DIR    a model folder or a folder of model folders (repeatable)
  --data DIR      history, images and documents (default: the app's data folder)
  --renderer DIR  built renderer (default out/renderer, built on first run)
  --rebuild       rebuild the renderer first`;

export function parseServeArgs(argv: string[]): ServeArgs {
  const out: ServeArgs = { port: 0, host: '127.0.0.1', hostGiven: false, models: [], rebuild: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--port': {
        const p = Number(value());
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error('--port must be 0..65535');
        out.port = p;
        break;
      }
      case '--host':
        out.host = value();
        out.hostGiven = true;
        break;
      case '--models':
        out.models.push(value());
        break;
      case '--data':
        out.data = value();
        break;
      case '--renderer':
        out.rendererDir = value();
        break;
      case '--rebuild':
        out.rebuild = true;
        break;
      case '--engine-module':
        out.engineModule = value();
        break;
      case '-h':
      case '--help':
        out.help = true;
        break;
      default:
        throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  return out;
}
