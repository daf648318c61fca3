// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createLookupStore } from './lookup-store.js';
import type { Api } from '../../api/api-client.js';
import type { EventName, Events, Result, ScanEvent, StyleView } from '../../api/contract.js';

const style: StyleView = {
  styleCode: 'S100',
  name: { zh: '连衣裙', en: 'Dress' },
  category: { zh: '裙装', en: 'Dresses' },
  priceFen: 129900,
  skuCount: 2,
  stock: 3,
  brand: 'B',
  season: '2025SS',
  colours: [{ code: '01', name: { zh: '黑', en: 'Black' } }],
  sizes: ['S', 'M'],
  skus: [
    {
      sku: 'S100-01-S',
      ean: '6901234567892',
      styleCode: 'S100',
      colourCode: '01',
      colour: { zh: '黑', en: 'Black' },
      size: 'S',
      priceFen: 129900,
      active: true,
      stock: 3,
    },
    {
      sku: 'S100-01-M',
      ean: '6901234567885',
      styleCode: 'S100',
      colourCode: '01',
      colour: { zh: '黑', en: 'Black' },
      size: 'M',
      priceFen: 129900,
      active: true,
      stock: 0,
    },
  ],
};

/** A fake main: answers lookups from a table, one deferred answer at a time when asked to. */
function fakeApi(answers: Record<string, Result<unknown>>) {
  const calls: string[] = [];
  const api: Api = {
    call: (async (domain: string, method: string, input: { query?: string; styleCode?: string }) => {
      const key = `${domain}.${method}:${input.query ?? input.styleCode ?? ''}`;
      calls.push(key);
      return answers[key] ?? { ok: false, error: { code: 'INTERNAL', message: 'unexpected' } };
    }) as Api['call'],
    on: (<E extends EventName>(_name: E, _l: (payload: Events[E]) => void) =>
      () => {}) as Api['on'],
    isOpen: () => true,
    onOpen: () => () => {},
    onClose: () => () => {},
  };
  return { api, calls };
}

const scan = (over: Partial<ScanEvent>): ScanEvent => ({
  id: 'e1',
  source: 'wedge',
  raw: '6901234567892',
  kind: 'product',
  at: '2025-01-01T00:00:00Z',
  ...over,
});

describe('lookup store', () => {
  it('looks up a scanned product by its normalised code, shows the card and flashes the code', async () => {
    const { api, calls } = fakeApi({
      'catalog.lookup:6901234567892': { ok: true, value: { match: 'sku', by: 'ean', sku: style.skus[0], style } },
    });
    const store = createLookupStore(api);
    await store.getState().handleScan(scan({ code: '6901234567892' }));
    expect(calls).toEqual(['catalog.lookup:6901234567892']);
    expect(store.getState().view).toMatchObject({ kind: 'product', sku: 'S100-01-S' });
    expect(store.getState().flash).toEqual({ id: 'e1', code: '6901234567892' });
  });

  it('shows malformed and unknown scans as messages without calling main', async () => {
    const { api, calls } = fakeApi({});
    const store = createLookupStore(api);
    await store.getState().handleScan(scan({ kind: 'malformed', raw: '6901234567893', reason: 'bad_check_digit' }));
    expect(store.getState().message).toEqual({ kind: 'scan-malformed', raw: '6901234567893', reason: 'bad_check_digit' });
    await store.getState().handleScan(scan({ kind: 'unknown', raw: 'XYZ' }));
    expect(store.getState().message).toEqual({ kind: 'scan-unknown', raw: 'XYZ' });
    expect(calls).toEqual([]);
  });

  it('clears the previous card when a lookup fails, and keeps the query for the message', async () => {
    const { api } = fakeApi({
      'catalog.lookup:S100': { ok: true, value: { match: 'style', style } },
      'catalog.lookup:6901234567892': { ok: false, error: { code: 'NOT_FOUND', message: 'unknown' } },
    });
    const store = createLookupStore(api);
    await store.getState().lookup('S100');
    expect(store.getState().view).toMatchObject({ kind: 'product', sku: undefined });
    await store.getState().lookup(' 6901234567892 ');
    expect(store.getState().view).toEqual({ kind: 'empty' });
    expect(store.getState().message).toMatchObject({ kind: 'error', query: '6901234567892', error: { code: 'NOT_FOUND' } });
  });

  it('opens a style from the result list and goes back to the list', async () => {
    const summary = { styleCode: 'S100', name: style.name, category: style.category, priceFen: 129900, skuCount: 2, stock: 3 };
    const { api } = fakeApi({
      'catalog.lookup:dress': { ok: true, value: { match: 'search', styles: [summary], truncated: false } },
      'catalog.style:S100': { ok: true, value: style },
    });
    const store = createLookupStore(api);
    await store.getState().lookup('dress');
    await store.getState().openStyle('S100');
    expect(store.getState().view).toMatchObject({ kind: 'product', fromResults: true, sku: undefined });
    store.getState().selectSku('S100-01-M');
    expect(store.getState().view).toMatchObject({ kind: 'product', sku: 'S100-01-M' });
    store.getState().backToResults();
    expect(store.getState().view).toMatchObject({ kind: 'results', query: 'dress' });
  });
});
