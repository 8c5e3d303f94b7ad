import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPngMetadata } from '../../core/export/pngMetadata.js';
import { projectRoot } from '../../core/models/defaultModel.js';
import { fileSha256 } from '../../core/models/loraLibrary.js';
import { cli } from '../testing/cliCapture.testutil.js';
import { parseLoraOption } from './generate.js';

const ROOT = projectRoot();
const SD15 = join(ROOT, 'native-models', 'test-models', 'sd15-tiny');
const LORAS = join(ROOT, 'native-models', 'test-loras');
const tmp = mkdtempSync(join(tmpdir(), 'atelier-cli-lora-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = ['--model', SD15, '--width', '64', '--height', '64', '--steps', '3', '--seed', '5', '--quiet'];

describe('CLI --lora and <lora:…> tags', () => {
  it('parses FILE[:STRENGTH], keeping colons of the path', () => {
    expect(parseLoraOption('a/b.safetensors')).toEqual({ file: 'a/b.safetensors', strength: 1 });
    expect(parseLoraOption('C:\\x\\b.safetensors:0.5')).toEqual({ file: 'C:\\x\\b.safetensors', strength: 0.5 });
    expect(parseLoraOption('b.safetensors:-1.25')).toEqual({ file: 'b.safetensors', strength: -1.25 });
  });

  it('generates with a LoRA file, records name + SHA-256 + strength in history and PNG metadata, and re-runs exactly', async () => {
    const data = join(tmp, 'data');
    const out = join(tmp, 'with.png');
    const kohya = join(LORAS, 'sd15-kohya.safetensors');
    // one LoRA as a file, one from <data>/loras by a prompt tag
    mkdirSync(join(data, 'loras'), { recursive: true });
    copyFileSync(join(LORAS, 'sd15-peft.safetensors'), join(data, 'loras', 'sd15-peft.safetensors'));
    const r = await cli('generate', ...base, '--prompt', 'a red circle <lora:sd15-peft:0.5>', '--lora', `${kohya}:0.8`, '--data', data, '--out', out);
    expect(r.err.filter((l) => !l.startsWith('note:') && !/much smaller than this model/.test(l))).toEqual([]);
    expect(r.code).toBe(0);
    const meta = readPngMetadata(readFileSync(out));
    expect(meta.atelier!.settings.loras).toEqual([
      { name: 'sd15-kohya', strength: 0.8, sha256: fileSha256(kohya) },
      { name: 'sd15-peft', strength: 0.5, sha256: fileSha256(join(LORAS, 'sd15-peft.safetensors')) },
    ]);
    expect(meta.parameters).toContain('a red circle <lora:sd15-peft:0.5> <lora:sd15-kohya:0.8>');
    expect(meta.parameters).toMatch(/Lora hashes: "sd15-kohya: [0-9a-f]{10}, sd15-peft: [0-9a-f]{10}"/);
    // the plain image differs: the LoRAs did something
    const plain = join(tmp, 'plain.png');
    expect((await cli('generate', ...base, '--prompt', 'a red circle', '--no-history', '--out', plain)).code).toBe(0);
    expect(readFileSync(plain).equals(readFileSync(out))).toBe(false);

    // re-run: the file given by --lora is not in <data>/loras, so it is refused in one line ...
    const list = await cli('history', 'list', '--data', data, '--json');
    const id = (JSON.parse(list.out.join('\n')) as { entries: Array<{ id: string }> }).entries[0]!.id;
    const refused = await cli('history', 'rerun', id, '--data', data, '--model', SD15);
    expect(refused.code).not.toBe(0);
    expect(refused.err.join('\n')).toContain('LoRA "sd15-kohya" (SHA-256');
    // ... and found by its hash once it is imported under any name
    copyFileSync(kohya, join(data, 'loras', 'my-style.safetensors'));
    const again = await cli('history', 'rerun', id, '--data', data, '--model', SD15);
    expect(again.err.filter((l) => !/much smaller than this model/.test(l))).toEqual([]);
    expect(again.out.join('\n')).toContain('identical to the original');
  }, 120_000);

  it('answers a missing LoRA name in one line', async () => {
    const r = await cli('generate', ...base, '--prompt', 'x <lora:nope:1>', '--data', join(tmp, 'empty'), '--out', join(tmp, 'n.png'));
    expect(r.code).not.toBe(0);
    expect(r.err).toEqual([expect.stringMatching(/There is no LoRA named "nope" in .*loras$/)]);
  });

  it('never reads a LoRA outside the library: a name that is a path is refused in one line', async () => {
    // A real LoRA file one folder above the library: a path-shaped name must not reach it.
    const data = join(tmp, 'escape');
    mkdirSync(join(data, 'loras'), { recursive: true });
    copyFileSync(join(LORAS, 'sd15-kohya.safetensors'), join(data, 'outside.safetensors'));
    const r = await cli('generate', ...base, '--prompt', 'x <lora:../outside:1>', '--data', data, '--no-history', '--out', join(tmp, 'e.png'));
    expect(r.code).not.toBe(0);
    expect(r.err).toEqual([expect.stringMatching(/^error: "\.\.\/outside" is not a LoRA name: LoRAs are named by their file in .*loras$/)]);
  });
});
