import { describe, expect, it } from 'vitest';
import { cleanPrompt, htmlUnescape } from './textCleaning.js';

// Expected values are what Python 3's html.unescape returns for the same input.
describe('htmlUnescape', () => {
  it('handles named, numeric, hex and legacy (no semicolon) references', () => {
    expect(htmlUnescape('a &amp; b &lt;c&gt; &quot;d&quot;')).toBe('a & b <c> "d"');
    expect(htmlUnescape('&#39;x&#x27; &#X1F431;')).toBe("'x' 🐱");
    expect(htmlUnescape('rock &amp roll &ampx')).toBe('rock & roll &x');
    expect(htmlUnescape('&#0; &#x110000; &#xD800;')).toBe('\ufffd \ufffd \ufffd');
    expect(htmlUnescape('&#150; &#1;x')).toBe('– x'); // cp1252 dash; control dropped
    expect(htmlUnescape('&unknownentity; & alone')).toBe('&unknownentity; & alone');
  });
});

describe('cleanPrompt', () => {
  it('unescapes twice, collapses whitespace, trims and lower-cases', () => {
    expect(cleanPrompt('  Rock &amp;amp;\n\tRoll  ')).toBe('rock & roll');
  });
  it('folds full-width ASCII and curly quotes, drops zero-width marks', () => {
    expect(cleanPrompt('ＡＢＣ\u3000１２ it\u2019s\u200b')).toBe("abc 12 it's");
    expect(cleanPrompt('\ufb01ne \ufb02ower')).toBe('fine flower');
  });
});
