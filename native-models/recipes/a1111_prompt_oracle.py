"""Expected prompt chunks by AUTOMATIC1111's own code, for electron/core/engine/prompt tests.

Runs `parse_prompt_attention` (modules/prompt_parser.py) and `FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line`
(modules/sd_hijack_clip.py) of stable-diffusion-webui, unchanged, with torch/lark/webui modules stubbed out
(neither function touches them) and CLIP BPE from clip_bpe.py over the shared vocabulary. Only the two
functions (and PromptChunk) are taken from the files, by AST, so whole files or verbatim excerpts both work.

    # files at AUTOMATIC1111/stable-diffusion-webui 0674fabd (prompt_parser.py) and 00e09382 (sd_hijack_clip.py)
    /usr/bin/python3 native-models/recipes/a1111_prompt_oracle.py --webui PATH/TO/stable-diffusion-webui \
        --out electron/core/engine/prompt/fixtures/a1111Chunks.json

Settings as A1111 ships them: emphasis "Original", comma_padding_backtrack 20, chunk length 75.
`input_ids_pad0` applies process_tokens' rule for tokenizers whose pad differs from eos (SD2, SDXL's second):
every id after the first eos becomes the pad id 0.
"""
import argparse
import ast
import json
import os
import re
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_bpe import ClipBPE, BOS, EOS  # noqa: E402
# Same place sdlayout.py looks (it imports torch, so not imported here).
CLIP_VOCAB = os.environ.get('ATELIER_CLIP_TOKENIZER') or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'models', 'clip-tokenizer'))

COMMA = 267  # ',</w>'


def load_functions(path, names):
    """Executes only the named top-level definitions/assignments of a webui file (plus `import re`)."""
    tree = ast.parse(open(path, encoding='utf-8').read())
    keep = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            keep.append(node)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in node.targets):
            keep.append(node)
    return keep


def build_oracle(webui):
    modules = os.path.join(webui, 'modules')
    parser_ns = {'re': re}
    body = load_functions(os.path.join(modules, 'prompt_parser.py'), {'re_attention', 're_break', 'parse_prompt_attention'})
    exec(compile(ast.Module(body=body, type_ignores=[]), 'prompt_parser.py', 'exec'), parser_ns)
    prompt_parser = types.SimpleNamespace(parse_prompt_attention=parser_ns['parse_prompt_attention'])

    # The class body of FrozenCLIPEmbedderWithCustomWordsBase: keep only tokenize_line.
    hijack_tree = load_functions(os.path.join(modules, 'sd_hijack_clip.py'), {'PromptChunk', 'FrozenCLIPEmbedderWithCustomWordsBase'})
    for node in hijack_tree:
        if isinstance(node, ast.ClassDef) and node.name == 'FrozenCLIPEmbedderWithCustomWordsBase':
            node.bases = []
            node.body = [n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == 'tokenize_line']
    opts = types.SimpleNamespace(emphasis='Original', comma_padding_backtrack=20)
    ns = {'prompt_parser': prompt_parser, 'opts': opts}
    exec(compile(ast.Module(body=hijack_tree, type_ignores=[]), 'sd_hijack_clip.py', 'exec'), ns)

    bpe = ClipBPE(CLIP_VOCAB)

    class NoEmbeddings:
        def find_embedding_at_position(self, tokens, position):
            return None, None

    class Clip(ns['FrozenCLIPEmbedderWithCustomWordsBase']):
        def __init__(self):
            self.chunk_length = 75
            self.comma_token = COMMA
            self.id_start, self.id_end = BOS, EOS
            self.hijack = types.SimpleNamespace(embedding_db=NoEmbeddings())

        def tokenize(self, texts):
            return [bpe.encode(t) for t in texts]

    return prompt_parser.parse_prompt_attention, Clip()


def pad_after_first_eos(ids, pad):
    i = ids.index(EOS)
    return ids[: i + 1] + [pad] * (len(ids) - i - 1)


def cases():
    words = 'red green blue small large circle square star sky sea sand grass wood stone gold silver'.split()
    long = ' '.join(words[i % len(words)] for i in range(160))
    commas = ', '.join(' '.join(words[(i + j) % len(words)] for j in range(3)) for i in range(40))
    yield from [
        'a photo of a cat', '', 'normal text', 'an (important) word', '(unbalanced', '\\(literal\\]',
        '(unnecessary)(parens)', 'a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).',
        '(red:1.4) ball', '(x:1)', 'x', '((nested)) [[down]] ([mixed])', '(a (b (c:1.5) d) e)',
        '[a (b) c]', '(a:0.5) (b:1.0) (c:+1.2) (d:-0.3)', '(a:.5) (b:2.)', 'unbalanced) close] only',
        '[unclosed square', '((two open', 'a:b:c (d:e) f:1.2)', 'escaped \\\\ backslash \\ alone',
        '\\(not weighted:1.3\\)', '(a BREAK b)', 'first part BREAK second part', 'BREAK starts', 'ends BREAK',
        'a BREAK BREAK b', 'BREAKfast is not a break', 'many, commas, (here:1.2), [and], there',
        'embedding-ish <lora:foo:0.8> text', 'emoji 🐱 (cat:1.3) 東京',
        long, '(' + long + ':1.2)', commas, '[' + commas + ']', long + ' BREAK ' + commas,
        ' '.join(words * 4) + ', ' + ' '.join(words[:5]) + ', end',
    ]
    # Commas near the 75-token edge: 74 filler tokens, then a comma at each distance from the edge.
    for before in (50, 54, 55, 56, 60, 70, 73, 74, 75):
        yield ' '.join(['sky'] * before) + ', ' + ' '.join(['sea'] * 30)
    yield ' '.join(['sky'] * 75) + ' BREAK sea'
    yield ' '.join(['sky'] * 74) + ' (sea:1.3), ' + ' '.join(['sand'] * 20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--webui', required=True, help='folder with modules/prompt_parser.py and modules/sd_hijack_clip.py')
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    parse, clip = build_oracle(args.webui)
    out = []
    for prompt in cases():
        chunks, token_count = clip.tokenize_line(prompt)
        out.append({
            'prompt': prompt,
            'parsed': parse(prompt),
            'token_count': token_count,
            'chunks': [{'input_ids': c.tokens, 'input_ids_pad0': pad_after_first_eos(c.tokens, 0), 'weights': c.multipliers} for c in chunks],
        })
    with open(args.out, 'w', encoding='utf-8') as f:
        json.dump({'source': 'AUTOMATIC1111/stable-diffusion-webui parse_prompt_attention + tokenize_line, via native-models/recipes/a1111_prompt_oracle.py',
                   'cases': out}, f, ensure_ascii=False)
        f.write('\n')
    print(f'{len(out)} prompts -> {args.out}')


if __name__ == '__main__':
    main()
