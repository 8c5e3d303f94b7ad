import { describe, expect, it } from 'vitest';
import { API_REQUESTS } from '../../../electron/contract/api.js';
import { dayStart, EMPTY_FILTER, isFiltered, listRequest } from './historyQuery.js';

describe('history filter -> history:list request', () => {
  it('scope: this document sends its id, All sends none', () => {
    expect(listRequest(EMPTY_FILTER, 'doc-1')).toEqual({ documentId: 'doc-1' });
    expect(listRequest({ ...EMPTY_FILTER, scope: 'all' }, 'doc-1')).toEqual({});
    expect(isFiltered(EMPTY_FILTER)).toBe(false);
  });

  it('search words are trimmed; model and favourites pass through; the request parses with the contract schema', () => {
    const f = { ...EMPTY_FILTER, query: '  red fox ', model: 'sd15-tiny', favouritesOnly: true };
    const req = listRequest(f, 'd');
    expect(req).toEqual({ documentId: 'd', query: 'red fox', model: 'sd15-tiny', favouritesOnly: true });
    expect(API_REQUESTS['history:list'].safeParse(req).success).toBe(true);
    expect(listRequest({ ...EMPTY_FILTER, query: '   ' }, 'd')).toEqual({ documentId: 'd' });
    expect(isFiltered(f)).toBe(true);
  });

  it('dates are whole local days: from = that midnight, to = the next midnight (a one-day range spans the day)', () => {
    const req = listRequest({ ...EMPTY_FILTER, from: '2026-03-05', to: '2026-03-05' }, 'd');
    expect(req.from).toBe(new Date(2026, 2, 5).getTime());
    expect(req.to).toBe(new Date(2026, 2, 6).getTime());
    // Month and year ends roll over.
    expect(listRequest({ ...EMPTY_FILTER, to: '2026-12-31' }, 'd').to).toBe(new Date(2027, 0, 1).getTime());
    expect(listRequest({ ...EMPTY_FILTER, to: '2028-02-28' }, 'd').to).toBe(new Date(2028, 1, 29).getTime());
  });

  it('malformed or impossible dates are ignored rather than sent', () => {
    for (const bad of ['', '2026-02-30', '2026-13-01', '26-1-1', 'yesterday']) {
      expect(dayStart(bad)).toBeUndefined();
      expect(listRequest({ ...EMPTY_FILTER, from: bad, to: bad }, 'd')).toEqual({ documentId: 'd' });
    }
  });
});
