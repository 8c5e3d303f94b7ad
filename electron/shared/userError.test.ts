import { describe, expect, it } from 'vitest';
import { describeFailure, toUserMessage, UserError } from './userError.js';

class DiskError extends UserError {
  constructor(message: string) {
    super(message, 'io');
  }
}

describe('UserError', () => {
  it('carries its class name, code and a one-line message', () => {
    const e = new DiskError('could not save "a.png": the disk is full\nstack-ish detail');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('DiskError');
    expect(e.toUserMessage()).toBe('could not save "a.png": the disk is full');
    expect(describeFailure(e)).toEqual({ message: 'could not save "a.png": the disk is full', code: 'io' });
  });

  it('reads anything else thrown as its first line, code from a Node error or runtime', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file\n    at open'), { code: 'ENOENT' });
    expect(describeFailure(enoent)).toEqual({ message: 'ENOENT: no such file', code: 'ENOENT' });
    expect(describeFailure(new TypeError('x is undefined'))).toEqual({ message: 'x is undefined', code: 'runtime' });
    expect(describeFailure('plain text')).toEqual({ message: 'plain text', code: 'runtime' });
    expect(toUserMessage(undefined)).toBe('undefined');
  });
});
