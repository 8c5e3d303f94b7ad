"""CLIP's BPE tokenizer (openai/CLIP simple_tokenizer.py, without ftfy) for training prompts.
The engine has its own TypeScript tokenizer; both read the same vocab.json and merges.txt."""
import functools
import json
import os
import re

BOS, EOS = 49406, 49407


def _bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


class ClipBPE:
    def __init__(self, folder):
        self.encoder = json.load(open(os.path.join(folder, 'vocab.json'), encoding='utf-8'))
        merges = open(os.path.join(folder, 'merges.txt'), encoding='utf-8').read().split('\n')[1:49152 - 256 - 2 + 1]
        self.ranks = {tuple(m.split()): i for i, m in enumerate(merges)}
        self.byte_encoder = _bytes_to_unicode()
        # Python's re has no \p{L}; [^\W\d_] is its spelling of "letter".
        self.pat = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|[^\s\w]+|_+", re.I)

    @functools.lru_cache(maxsize=10000)
    def bpe(self, token):
        word = tuple(token[:-1]) + (token[-1] + '</w>',)
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.ranks.get(p, float('inf')))
            if best not in self.ranks:
                break
            out, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = tuple(out)
        return word

    def encode(self, text):
        text = ' '.join(text.split()).lower()
        ids = []
        for tok in self.pat.findall(text):
            tok = ''.join(self.byte_encoder[b] for b in tok.encode('utf-8'))
            ids += [self.encoder[t] for t in self.bpe(tok)]
        return ids

    def __call__(self, text, length=77, pad=EOS):
        ids = [BOS] + self.encode(text)[: length - 2] + [EOS]
        return ids + [pad] * (length - len(ids))
