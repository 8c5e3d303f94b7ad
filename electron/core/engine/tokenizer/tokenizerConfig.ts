/** Tokenizer options from a model folder's tokenizer_config.json and special_tokens_map.json. */
import type { ClipTokenizerOptions } from './clipTokenizer.js';

/** HF writes a huge model_max_length when unknown; CLIP text encoders take at most a few hundred. */
const MAX_SANE_LENGTH = 4096;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A special token as HF saves it: a string, or an AddedToken object with `content`. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isRecord(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

/**
 * Reads pad/bos/eos/max length from the parsed JSON of tokenizer_config.json and
 * special_tokens_map.json (either may be undefined; the second wins where both say something).
 * Token strings become ids through `vocab`; anything missing or unknown is left to the defaults.
 */
export function tokenizerOptionsFromConfig(
  tokenizerConfig?: unknown,
  specialTokensMap?: unknown,
  vocab?: Record<string, number>,
): ClipTokenizerOptions {
  const config = isRecord(tokenizerConfig) ? tokenizerConfig : {};
  const special = isRecord(specialTokensMap) ? specialTokensMap : {};
  const options: ClipTokenizerOptions = {};

  const maxLength = config.model_max_length;
  if (typeof maxLength === 'number' && Number.isInteger(maxLength) && maxLength >= 2 && maxLength <= MAX_SANE_LENGTH) {
    options.maxLength = maxLength;
  }
  const idOf = (key: string): number | undefined => {
    const text = tokenText(special[key]) ?? tokenText(config[key]);
    if (text === undefined || !vocab) return undefined;
    const id = vocab[text];
    return typeof id === 'number' && Object.prototype.hasOwnProperty.call(vocab, text) ? id : undefined;
  };
  const bos = idOf('bos_token');
  const eos = idOf('eos_token');
  const pad = idOf('pad_token');
  if (bos !== undefined) options.bosTokenId = bos;
  if (eos !== undefined) options.eosTokenId = eos;
  if (pad !== undefined) options.padTokenId = pad;
  return options;
}
