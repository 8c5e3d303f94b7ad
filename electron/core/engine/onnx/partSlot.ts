import type { OnnxPart } from './part.js';

/**
 * A model part loaded on first use and releasable between uses: the VAE encoder only when a job needs
 * it, the text encoders dropped after encoding when memory is short (and loaded again next job).
 */
export class PartSlot {
  private part?: OnnxPart;
  private loading?: Promise<OnnxPart>;

  constructor(
    readonly file: string,
    private readonly open: (file: string) => Promise<OnnxPart>,
  ) {}

  get loaded(): boolean {
    return this.part !== undefined;
  }

  async get(): Promise<OnnxPart> {
    if (this.part) return this.part;
    this.loading ??= this.open(this.file).finally(() => (this.loading = undefined));
    this.part = await this.loading;
    return this.part;
  }

  async release(): Promise<void> {
    const p = this.part ?? (await this.loading?.catch(() => undefined));
    this.part = undefined;
    await p?.release();
  }
}
