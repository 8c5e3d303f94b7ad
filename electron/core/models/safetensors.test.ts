import { describe, expect, it } from 'vitest';
import { readLoraLayers } from './loraFile.js';
import { parseSafetensors, SafetensorsError } from './safetensors.js';

function file(header: object | string, data: Uint8Array = new Uint8Array(0), claimedLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(claimedLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

describe('safetensors reader', () => {
  it('reads F32, F16 and BF16 tensors and the metadata', () => {
    const data = new Uint8Array([...f32(1.5, -2), 0x00, 0x3c, 0x80, 0x3f]); // F16 1.0, BF16 1.0
    const st = parseSafetensors(file({
      __metadata__: { ss_network_module: 'networks.lora' },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      h: { dtype: 'F16', shape: [1], data_offsets: [8, 10] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [10, 12] },
    }, data));
    expect([...st.tensors.get('a')!.data]).toEqual([1.5, -2]);
    expect(st.tensors.get('h')!.data[0]).toBe(1);
    expect(st.tensors.get('b')!.data[0]).toBe(1);
    expect(st.metadata.ss_network_module).toBe('networks.lora');
  });

  it('refuses hostile or broken files with one sentence, before allocating', () => {
    const bad: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(3), /too short/],
      [file({}, new Uint8Array(0), 2 ** 40), /header claims 1099511627776 bytes/],
      [file('{"a": [1,'), /not valid JSON/],
      [file('[1,2]'), /not a JSON object/],
      [file({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /dtype I64/],
      [file({ a: { dtype: 'F32', shape: [1e6], data_offsets: [0, 4e6] } }, new Uint8Array(8)), /do not fit/],
      [file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(8)), /do not fit/],
      [file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(8)), /malformed/],
    ];
    for (const [buf, message] of bad) {
      expect(() => parseSafetensors(buf)).toThrow(SafetensorsError);
      expect(() => parseSafetensors(buf)).toThrow(message);
    }
  });
});

describe('LoRA key formats', () => {
  const t = (shape: number[]) => ({ dtype: 'F32', shape, data_offsets: [0, shape.reduce((a, b) => a * b, 1) * 4] });
  const layersOf = (names: string[]) => {
    const header: Record<string, unknown> = {};
    for (const n of names) header[n] = /alpha$/.test(n) ? t([]) : t([2, 2]);
    return readLoraLayers(parseSafetensors(file(header, new Uint8Array(16))));
  };

  it('reads kohya, PEFT and old diffusers names onto one key per target module', () => {
    const k = layersOf(['lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight',
      'lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight',
      'lora_te1_text_model_encoder_layers_0_self_attn_q_proj.alpha']);
    expect(k.format).toBe('kohya');
    expect(k.layers.map((l) => [l.part, l.key])).toEqual([['text_encoder', 'lora_te_text_model_encoder_layers_0_self_attn_q_proj']]);
    const p = layersOf(['unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_out.0.lora_A.weight',
      'unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_out.0.lora_B.weight',
      'text_encoder_2.text_model.encoder.layers.1.mlp.fc1.lora_A.weight', 'text_encoder_2.text_model.encoder.layers.1.mlp.fc1.lora_B.weight',
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.processor.to_out_lora.down.weight',
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.processor.to_out_lora.up.weight']);
    expect(p.format).toBe('peft');
    expect(p.layers.map((l) => [l.part, l.key]).sort()).toEqual([
      ['text_encoder_2', 'lora_te2_text_model_encoder_layers_1_mlp_fc1'],
      ['unet', 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_out_0'],
      ['unet', 'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_out_0'],
    ]);
  });

  it('names the LyCORIS kinds it skips', () => {
    const c = layersOf(['lora_unet_x.hada_w1_a', 'lora_unet_y.lokr_w1', 'lora_unet_z.lora_down.weight', 'lora_unet_z.lora_up.weight']);
    expect(Object.fromEntries(c.unsupported)).toEqual({ LoHa: 1, LoKr: 1 });
    expect(c.layers).toHaveLength(1);
  });
});
