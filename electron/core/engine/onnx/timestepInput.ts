import * as ort from 'onnxruntime-node';
import { floatTensor, type IoSpec } from './part.js';

type TimestepLayout = 'scalar' | 'one' | 'batch';

/**
 * A network's `timestep` input as declared: float [batch] (diffusers' legacy exporter), int64 [1]
 * (optimum ≤ 1.23), float scalar (optimum ≥ 1.24), float [1] (ORT's demo, OnnxStack). The UNet and the
 * ControlNet each read their own declaration.
 */
export class TimestepInput {
  private layout: TimestepLayout;

  constructor(readonly spec: IoSpec) {
    const dims = spec.shape;
    this.layout = dims.length === 0 ? 'scalar' : dims.length === 1 && dims[0] === 1 ? 'one' : 'batch';
  }

  tensor(t: number, batch: number): ort.Tensor {
    const count = this.layout === 'batch' ? batch : 1;
    const dims = this.layout === 'scalar' ? [] : [count];
    // Integer networks get the timestep truncated, as diffusers' ONNX pipelines pass np.array([t], dtype=int64)
    // (Euler linspace timesteps can be fractional: 499.5 at 3 steps becomes 499, not 500).
    switch (this.spec.type) {
      case 'int64':
        return new ort.Tensor('int64', new BigInt64Array(count).fill(BigInt(Math.trunc(t))), dims);
      case 'int32':
        return new ort.Tensor('int32', new Int32Array(count).fill(Math.trunc(t)), dims);
      default:
        return floatTensor(this.spec, new Float32Array(count).fill(t), dims);
    }
  }

  /** Some exports declare no timestep shape at all: a scalar fails there. True when a retry with [1] is worth it. */
  fallBackFromScalar(): boolean {
    if (this.layout !== 'scalar') return false;
    this.layout = 'one';
    return true;
  }
}
