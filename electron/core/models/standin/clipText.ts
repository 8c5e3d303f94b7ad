/**
 * CLIP text encoder (transformers' CLIPTextModel / CLIPTextModelWithProjection) as optimum exports it
 * for Stable Diffusion: input_ids int32 [batch_size, sequence_length] → last_hidden_state,
 * pooler_output (or text_embeds), and every layer's hidden_states.N when SDXL needs them.
 */
import { attention, Graph, layerNorm, linear, type FloatDtype } from './graph.js';

export interface ClipTextConfig {
  vocabSize: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  act: 'quick_gelu' | 'gelu';
  /** CLIPTextModelWithProjection: text_projection [hidden → projection], output text_embeds. */
  projection?: number;
  /** Export hidden_states.0…N (SDXL conditions on the penultimate one). */
  hiddenStates: boolean;
  maxPositions: number;
  eps: number;
}

export function buildClipText(cfg: ClipTextConfig, dtype: FloatDtype): Graph {
  const g = new Graph(dtype);
  const D = cfg.hidden;
  const ids = g.input('input_ids', 'int32', ['batch_size', 'sequence_length']);
  const tok = g.op('Gather', [g.param('text_model.embeddings.token_embedding.weight', [cfg.vocabSize, D], { kind: 'uniform', bound: 0.02 * Math.sqrt(3) }), ids], { axis: 0 });
  // Positions 0…S-1 of the table and the causal mask cut to S, so any sequence length up to 77 works.
  const seqLen = g.op('Slice', [g.op('Shape', [ids]), g.constInt64([1]), g.constInt64([2])]);
  const zero = g.constInt64([0]);
  const posTable = g.param('text_model.embeddings.position_embedding.weight', [cfg.maxPositions, D], { kind: 'uniform', bound: 0.01 * Math.sqrt(3) });
  const pos = g.op('Slice', [posTable, zero, seqLen, zero]);
  let h = g.add(tok, pos);

  const n = cfg.maxPositions;
  const minValue = dtype === 'float16' ? -65504 : -3.4028234663852886e38;
  const causal: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) causal.push(j > i ? minValue : 0);
  const fullMask = g.constFloat(causal, [n, n]);
  const axes01 = g.constInt64([0, 1]);
  const mask = g.op('Slice', [fullMask, g.constInt64([0, 0]), g.op('Concat', [seqLen, seqLen], { axis: 0 }), axes01]);

  const hidden: string[] = [h];
  for (let i = 0; i < cfg.layers; i++) {
    const p = `text_model.encoder.layers.${i}`;
    const a = attention(
      g,
      { q: `${p}.self_attn.q_proj`, k: `${p}.self_attn.k_proj`, v: `${p}.self_attn.v_proj`, out: `${p}.self_attn.out_proj`, qkvBias: true },
      layerNorm(g, `${p}.layer_norm1`, h, D, cfg.eps),
      D,
      cfg.heads,
      { mask },
    );
    h = g.add(h, a);
    const up = linear(g, `${p}.mlp.fc1`, layerNorm(g, `${p}.layer_norm2`, h, D, cfg.eps), D, cfg.intermediate);
    const act = cfg.act === 'gelu' ? g.gelu(up) : g.quickGelu(up);
    h = g.add(h, linear(g, `${p}.mlp.fc2`, act, cfg.intermediate, D));
    hidden.push(h);
  }
  const last = layerNorm(g, 'text_model.final_layer_norm', h, D, cfg.eps);

  // Pooled: the hidden state at the end-of-text token (the highest id in CLIP's vocabulary).
  const eot = g.op('ArgMax', [ids], { axis: 1, keepdims: 0 });
  const onehot = g.op('OneHot', [eot, g.constInt64([n]), g.constFloat([0, 1], [2], 'float32')], { axis: -1 }); // [B, 77]
  const pick = g.op('Slice', [onehot, zero, seqLen, g.constInt64([1])]);
  const pooled = g.op('Squeeze', [g.op('MatMul', [g.op('Unsqueeze', [g.toModel(pick), g.constInt64([1])]), last]), g.constInt64([1])]);

  const seqShape = ['batch_size', 'sequence_length', D];
  if (cfg.projection) {
    g.output('text_embeds', linear(g, 'text_projection', pooled, D, cfg.projection, false), dtype, ['batch_size', cfg.projection]);
    g.output('last_hidden_state', last, dtype, seqShape);
  } else {
    g.output('last_hidden_state', last, dtype, seqShape);
    g.output('pooler_output', pooled, dtype, ['batch_size', D]);
  }
  if (cfg.hiddenStates) hidden.forEach((s, i) => g.output(`hidden_states.${i}`, s, dtype, seqShape));
  return g;
}
