import { Engine } from '../../core/engine/engine.js';
import { parse } from './args.js';
import { CliError, type CliCommand } from './command.js';
import { resolveModelDir } from './generate.js';

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: "show how the model's tokenizer reads a prompt",
  usage: `npm run cli -- tokenize [--model DIR] [--json] TEXT
  Prints the token count against the 75-token limit and the 77 input ids.
  --json   {"input_ids": [77 ids], "tokens": n, "truncated": bool}`,
  async run(args, io) {
    const { values, positionals } = parse(args, { model: { type: 'string' }, json: { type: 'boolean' } }, true);
    if (positionals.length === 0) throw new CliError('give the prompt text to tokenize');
    const text = positionals.join(' ');
    const t = new Engine().tokenize(resolveModelDir(values.model), text);
    if (values.json) {
      io.out(JSON.stringify({ input_ids: t.inputIds, tokens: t.tokenCount, truncated: t.truncated }));
    } else {
      io.out(`${Math.min(t.tokenCount, t.maxTokens)}/${t.maxTokens} tokens${t.truncated ? ` (truncated: the prompt has ${t.tokenCount})` : ''}`);
      io.out(t.inputIds.join(' '));
    }
    return 0;
  },
};
