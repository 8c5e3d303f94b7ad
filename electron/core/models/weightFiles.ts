import { existsSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { ModelFolderError } from './modelFolderError.js';
import { summariseInitializers } from '../onnx/onnxProto.js';

/**
 * What a model's weights will cost, read from the ONNX files' initializer headers before any session is
 * created: the bytes the tensors declare, and every external-data file they name (whatever its name).
 * A model is refused at inspect time when its tensors would not fit in this machine's memory, when an
 * external-data file is missing, shorter than the tensors need, outside the model folder, or mostly
 * holes (a sparse file: an interrupted download, or a file made to look big).
 */

/** A file counts as sparse when less than this share of its size is actually on disk. */
const MIN_ALLOCATED_SHARE = 0.5;
/** Small files are often stored inline by file systems; only judge sparseness above this. */
const SPARSE_CHECK_MIN_BYTES = 16 * 2 ** 20;

export interface WeightSummary {
  /** Bytes the initializers declare (memory to load them). */
  declaredBytes: number;
  /** Bytes of model.onnx files plus every external-data file they use. */
  fileBytes: number;
}

/** Header summaries by file, size and mtime: parsing a big UNet's headers takes a while, and folders are read often. */
const summaries = new Map<string, ReturnType<typeof summariseInitializers>>();

export function summaryOf(file: string, size: number, mtimeMs: number): ReturnType<typeof summariseInitializers> {
  const key = `${file}\u0000${size}\u0000${mtimeMs}`;
  let s = summaries.get(key);
  if (!s) {
    s = summariseInitializers(file, size);
    summaries.set(key, s);
  }
  return s;
}

const gb = (n: number): string => `${(n / 1e9).toFixed(1)} GB`;

export function checkWeightFiles(onnxFiles: string[], machineBytes = totalmem()): WeightSummary {
  let declaredBytes = 0;
  let fileBytes = 0;
  const seen = new Set<string>();
  for (const file of onnxFiles) {
    const { size, mtimeMs } = statSync(file);
    fileBytes += size;
    const part = dirname(file);
    let summary;
    try {
      summary = summaryOf(file, size, mtimeMs);
    } catch (e) {
      throw new ModelFolderError(`${shortName(file)} is not a readable ONNX model (${(e as Error).message})`);
    }
    declaredBytes += summary.bytes;
    for (const [location, needed] of summary.external) {
      const path = normalize(join(part, location));
      if (isAbsolute(location) || !path.startsWith(normalize(part) + sep)) {
        throw new ModelFolderError(`${shortName(file)} names a weights file outside its folder ("${location.slice(0, 80)}")`);
      }
      if (!existsSync(path)) throw new ModelFolderError(`${shortName(file)} needs the weights file ${location.slice(0, 80)}, which is missing`);
      const st = statSync(path);
      if (st.size < needed) {
        throw new ModelFolderError(`the weights file ${shortName(path)} is ${st.size} bytes, shorter than the ${needed} its tensors need: it is truncated`);
      }
      if (seen.has(path)) continue;
      seen.add(path);
      fileBytes += st.size;
      // blocks is in 512-byte units on every platform Node reports it for (0 on Windows: not judged there).
      if (st.blocks > 0 || process.platform !== 'win32') {
        const allocated = st.blocks * 512;
        if (st.size >= SPARSE_CHECK_MIN_BYTES && allocated < st.size * MIN_ALLOCATED_SHARE) {
          throw new ModelFolderError(
            `the weights file ${shortName(path)} is sparse: ${gb(st.size)} long but only ${gb(allocated)} on disk, so its tensors are mostly missing (an interrupted download or a damaged file); download the model again`,
          );
        }
      }
    }
  }
  if (declaredBytes > machineBytes) {
    throw new ModelFolderError(`this model's weights need about ${gb(declaredBytes)} of memory, more than this machine's ${gb(machineBytes)}`);
  }
  return { declaredBytes, fileBytes };
}

/** "unet/model.onnx" from a full path. */
function shortName(path: string): string {
  return path.split(/[\\/]/).slice(-2).join('/');
}
