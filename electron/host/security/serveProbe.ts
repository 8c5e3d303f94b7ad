import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import { API_EVENT_NAMES } from '../../contract/api.js';
import { startServeProcess } from '../../../e2e/serveProcess.js';

/**
 * Test support for the security suite: a real `serve` process on 127.0.0.1 (its own data folder, the
 * tiny test model, a stub page), a WebSocket client that runs generations on it, and raw-socket helpers
 * for frames a well-behaved client library would refuse to send. Every probe targets 127.0.0.1 only.
 */

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TINY_MODEL = join(ROOT, 'native-models', 'test-models', 'sd15-tiny');

export interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

export class ServeUnderTest {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly token: string,
    readonly dataDir: string,
    private readonly output: { text: string },
  ) {}

  /** `folder`: start on the data of an earlier instance (a restart after kill -9); new by default. */
  static async start(extraArgs: string[] = [], folder?: string): Promise<ServeUnderTest> {
    const dataDir = folder ?? mkdtempSync(join(tmpdir(), 'atelier-sec-'));
    const renderer = join(dataDir, 'renderer');
    mkdirSync(renderer, { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Atelier</title>');
    const { child, url } = await startServeProcess(ROOT, ['--data', join(dataDir, 'data'), '--models', TINY_MODEL, '--renderer', renderer, ...extraArgs]);
    const output = { text: '' };
    child.stdout?.on('data', (d: Buffer) => void (output.text += d.toString()));
    child.stderr?.on('data', (d: Buffer) => void (output.text += d.toString()));
    const u = new URL(url);
    return new ServeUnderTest(child, Number(u.port), u.searchParams.get('token') ?? '', join(dataDir, 'data'), output);
  }

  get cookie(): string {
    return `atelier_token_${this.port}=${this.token}`;
  }

  /** Whatever serve printed after start-up (for failure messages). */
  get log(): string {
    return this.output.text;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  http(path: string, opts: { method?: string; headers?: Record<string, string | number>; body?: Buffer; auth?: boolean } = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers = { ...(opts.auth === false ? {} : { cookie: this.cookie }), ...opts.headers };
      const req = request({ host: '127.0.0.1', port: this.port, path, method: opts.method ?? 'GET', headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  /** An API client over the WebSocket, as the renderer's serve client talks. */
  async api(): Promise<ApiClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}/api`, { headers: { cookie: this.cookie } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new ApiClient(ws);
  }

  /** Peak resident memory of the serve process since the last reset, in bytes (Linux /proc). */
  peakRss(): number {
    return procStatusBytes(this.child.pid!, 'VmHWM');
  }

  rss(): number {
    return procStatusBytes(this.child.pid!, 'VmRSS');
  }

  /**
   * Starts measuring serve's peak resident memory; the returned function stops and gives the peak's
   * growth over the RSS at the start. Uses the kernel's high-water mark (reset by writing 5 to
   * clear_refs, allowed on our own child) and, where that is refused, 10 ms sampling.
   */
  samplePeak(): () => number {
    const base = this.rss();
    let hwm = true;
    try {
      writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
    } catch {
      hwm = false;
    }
    let max = base;
    const timer = setInterval(() => {
      if (this.alive) max = Math.max(max, this.rss());
    }, 10);
    return () => {
      clearInterval(timer);
      return (hwm && this.alive ? Math.max(this.peakRss(), max) : max) - base;
    };
  }

  /** `kill -9`: the process ends at once, mid-write or not; its folder stays for a restart. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.alive) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (this.alive) this.child.kill('SIGKILL');
    }
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }
}

function procStatusBytes(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

export class ApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, (r: { ok: boolean; value?: unknown; error?: { message: string; code: string } }) => void>();
  readonly events: { event: string; payload: { jobId?: string } & Record<string, unknown> }[] = [];

  constructor(readonly ws: WebSocket) {
    // serve sends a socket only the events it subscribed to: this probe watches them all.
    for (const event of API_EVENT_NAMES) ws.send(JSON.stringify({ subscribe: event }));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; event?: string; payload?: Record<string, unknown> };
      if (typeof msg.id === 'number') this.pending.get(msg.id)?.(msg as never);
      else if (msg.event) this.events.push({ event: msg.event, payload: msg.payload ?? {} });
    });
  }

  call<T = unknown>(channel: string, payload: unknown): Promise<{ ok: boolean; value?: T; error?: { message: string; code: string } }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as never);
      this.ws.send(JSON.stringify({ id, channel, payload }));
    });
  }

  /** Starts a real generation on the tiny model; resolves with its job id once it is running. */
  async startGeneration(steps = 40): Promise<string> {
    const r = await this.call<{ jobId: string }>('generation:start', {
      modelId: 'sd15-tiny',
      settings: { mode: 'txt2img', prompt: 'a red circle', width: 64, height: 64, steps, guidance: 7, scheduler: 'euler', seed: 7 },
    });
    if (!r.ok || !r.value) throw new Error(`generation did not start: ${r.error?.message}`);
    return r.value.jobId;
  }

  /** The job's one terminal event ('generation:done' or 'generation:failed'). */
  async ended(jobId: string, timeoutMs = 60_000): Promise<string> {
    const t = Date.now();
    for (;;) {
      const end = this.events.find((e) => (e.event === 'generation:done' || e.event === 'generation:failed') && e.payload.jobId === jobId);
      if (end) return end.event === 'generation:failed' ? `failed: ${String(end.payload.message)}` : end.event;
      if (Date.now() - t > timeoutMs) throw new Error('job did not end in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** A raw TCP connection upgraded to a WebSocket by hand, to send frames no library would. */
export async function rawWebSocket(port: number, cookie: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie}\r\n\r\n`,
  );
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        if (head.startsWith('HTTP/1.1 101')) resolve();
        else reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      }
    };
    socket.on('data', onData);
  });
  return socket;
}

/** A frame header: FIN + opcode, then the length in the short/16/64-bit forms; masked unless told. */
export function frame(opcode: number, payload: Buffer, opts: { mask?: boolean; declaredLength?: bigint } = {}): Buffer {
  const mask = opts.mask ?? true;
  const len = opts.declaredLength ?? BigInt(payload.length);
  const head: number[] = [0x80 | opcode];
  const m = mask ? 0x80 : 0;
  if (len < 126n) head.push(m | Number(len));
  else if (len < 65536n) head.push(m | 126, Number(len >> 8n) & 255, Number(len) & 255);
  else {
    head.push(m | 127);
    for (let i = 7; i >= 0; i--) head.push(Number((len >> BigInt(8 * i)) & 255n));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** Resolves with the close code the server sends (from its close frame), or null if it just hangs up. */
export function closeCode(socket: Socket, timeoutMs = 30_000): Promise<number | null> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(null), timeoutMs);
    const done = (code: number | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      // Server frames are unmasked; a close frame is opcode 8 with the code in its first two bytes.
      while (buf.length >= 2) {
        const opcode = buf[0] & 0x0f;
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        if (opcode === 8) return done(len >= 2 ? buf.readUInt16BE(off) : 1005);
        buf = buf.subarray(off + len);
      }
    });
    socket.on('close', () => done(null));
  });
}
