import { describe, expect, it } from 'vitest';
import { parseServeArgs } from './args.js';

describe('serve args', () => {
  it('defaults to loopback and a free port', () => {
    expect(parseServeArgs([])).toMatchObject({ port: 0, host: '127.0.0.1', hostGiven: false, models: [] });
  });
  it('parses options; other interfaces only when --host is given', () => {
    const a = parseServeArgs(['--port', '8080', '--models', 'a', '--models', 'b', '--data', 'd', '--host', '0.0.0.0']);
    expect(a).toMatchObject({ port: 8080, models: ['a', 'b'], data: 'd', host: '0.0.0.0', hostGiven: true });
  });
  it('refuses bad input in one line', () => {
    expect(() => parseServeArgs(['--port', 'x'])).toThrow('--port must be 0..65535');
    expect(() => parseServeArgs(['--models'])).toThrow('--models needs a value');
    expect(() => parseServeArgs(['--nope'])).toThrow('unknown option --nope');
  });
});
