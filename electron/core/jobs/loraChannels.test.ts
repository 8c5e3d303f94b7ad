import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../models/defaultModel.js';
import { invokeChannel } from './apiHandlers.js';
import { testStudio } from './testing/testStudio.js';

const LORAS = join(projectRoot(), 'native-models', 'test-loras');

describe('loras:list and loras:import', () => {
  let t: ReturnType<typeof testStudio>;
  beforeAll(() => (t = testStudio()));
  afterAll(() => t.dispose());
  const call = (channel: unknown, payload: unknown) => invokeChannel(t.studio.backend.handlers, channel, payload);

  it('imports a LoRA by its bytes into <data>/loras and lists it with its SHA-256', async () => {
    expect(await call('loras:list', {})).toEqual({ ok: true, value: { loras: [] } });
    const bytes = new Uint8Array(readFileSync(join(LORAS, 'sd15-peft.safetensors')));
    const r = await call('loras:import', { fileName: 'sd15-peft.safetensors', bytes });
    expect(r).toMatchObject({ ok: true, value: { lora: { name: 'sd15-peft', bytes: bytes.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
    expect(await call('loras:list', {})).toMatchObject({ ok: true, value: { loras: [{ name: 'sd15-peft' }] } });
  });

  it('refuses bad names, bad files and LyCORIS kinds in one sentence', async () => {
    const ok = new Uint8Array(readFileSync(join(LORAS, 'sd15-peft.safetensors')));
    expect((await call('loras:import', { fileName: '../x.safetensors', bytes: ok })).ok).toBe(false);
    expect((await call('loras:import', { fileName: 'x.ckpt', bytes: ok })).ok).toBe(false);
    expect(await call('loras:import', { fileName: 'junk.safetensors', bytes: new Uint8Array(64) })).toMatchObject({
      ok: false, error: { message: 'junk.safetensors cannot be read: the file header is not valid JSON; it is not a .safetensors file' },
    });
    const loha = new Uint8Array(readFileSync(join(LORAS, 'sd15-loha.safetensors')));
    expect(await call('loras:import', { fileName: 'sd15-loha.safetensors', bytes: loha })).toMatchObject({
      ok: false, error: { message: 'sd15-loha.safetensors is a LoHa file, which Atelier cannot merge yet' },
    });
  });
});
