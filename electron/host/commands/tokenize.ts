import { Engine } from '../../core/engine/engine.js';
import { parse } from './args.js';
import { CliError, type CliCommand } from './command.js';
import { resolveModelDir } from './generate.js';

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: "show how the model's tokenizer reads a prompt",
  usage: `npm run cli -- tokenize [--model DIR] [--json] TEXT
  Prints the token count, the 75-token chunks the prompt is encoded in (A1111 syntax: (word:1.3),
  [word], BREAK), and each chunk's 77 input ids.
  --json   {"input_ids": [77 ids of the first chunk], "tokens": n,
            "chunks": [{"input_ids": [77 ids], "weights": [77 weights]}, …]}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { model: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length === 0) throw new CliError('give the prompt text to tokenize');
    const text = positionals.join(' ');
    const t = new Engine().tokenize(resolveModelDir(values.model), text);
    if (values.json) {
      io.out(JSON.stringify({ input_ids: t.inputIds, tokens: t.tokenCount, chunks: t.chunks.map((c) => ({ input_ids: c.inputIds, weights: c.weights })) }));
    } else {
      io.out(`${t.tokenCount} tokens · ${t.chunks.length} chunk${t.chunks.length === 1 ? '' : 's'} of ${t.maxTokens}`);
      for (const c of t.chunks) io.out(c.inputIds.join(' '));
    }
    return 0;
  },
};
