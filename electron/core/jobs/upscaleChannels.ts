import { randomBytes } from 'node:crypto';
import type { ApiParsedRequest, ApiResponses } from '../../contract/api.js';
import type { UpscaleRequest } from '../engine/upscale/upscaleJob.js';
import { encodePng } from '../export/pngMetadata.js';
import type { ImageStore } from '../store/imageStore.js';
import { JobError, type EngineHost } from './engineHost.js';
import { readRgba } from '../image/io.js';
import { describeFailure } from '../../shared/userError.js';
import type { Emit } from './studioBackend.js';
import type { InstalledUpscalers } from './installedUpscalers.js';

/**
 * The Upscale dialog's channels. Jobs run on the engine's one queue (behind and before generations), so
 * they get the same progress events, cancel by id and crash recovery; the result goes into the image
 * store and arrives as `upscale:done` (failures and cancels as `generation:failed`, like every job).
 */
export class UpscaleChannels {
  constructor(private readonly opts: {
    upscalers: InstalledUpscalers;
    engine: EngineHost;
    images: ImageStore;
    emit: Emit;
    modelDir: (modelId: string) => string;
  }) {}

  list(): ApiResponses['upscale:list'] {
    return { upscalers: this.opts.upscalers.list() };
  }

  async start(req: ApiParsedRequest<'upscale:start'>): Promise<ApiResponses['upscale:start']> {
    const dir = this.opts.upscalers.dirOf(req.upscalerId);
    if (!dir) throw new JobError(`There is no upscaler named "${req.upscalerId}".`, 'invalid-input');
    const image = await readRgba(await this.opts.images.read(req.imageId), 'the image to upscale');
    const request: UpscaleRequest = { image, upscaler: dir, scale: req.scale };
    if (req.refine) request.refine = { modelDir: this.opts.modelDir(req.refine.modelId), settings: { ...req.refine.settings, mode: 'img2img' } };
    const jobId = `job-${randomBytes(8).toString('hex')}`;
    void this.run(jobId, request);
    return { jobId };
  }

  private async run(jobId: string, request: UpscaleRequest): Promise<void> {
    const { emit } = this.opts;
    try {
      const result = await this.opts.engine.upscale(jobId, request, (p) => emit('generation:progress', { jobId, done: p.done, total: p.total }));
      const png = await encodePng(result.image);
      const imageId = await this.opts.images.put(png);
      emit('upscale:done', {
        jobId, imageId, width: result.image.width, height: result.image.height, refinedTiles: result.refinedTiles,
        totalMs: result.timings.totalMs, provider: result.upscaler.provider,
      });
    } catch (e) {
      const { message, code } = describeFailure(e);
      emit('generation:failed', { jobId, message: code === 'cancelled' ? 'Upscale cancelled.' : message, code });
    }
  }
}
