import { afterAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import type { TestHq } from '../testing/test-hq.js';
import { useTestHq } from '../testing/use-test-hq.js';

// The chain's stores as finance's console names them: code, name in both languages and the time
// zone its receipts are read in. Warehouses are not stores.

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('the store list on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  useTestHq(backend, (opened) => ({ db, hq } = opened));

  const location = (brand: string, id: string, kind: 'store' | 'warehouse', code: string, timezone: string) =>
    hq.admin('POST', '/admin/v1/locations', {
      id,
      brand,
      kind,
      code,
      name_zh: `${code} 店`,
      name_en: `${code} Store`,
      city_zh: '乌鲁木齐',
      city_en: 'Urumqi',
      lat: 43.8,
      lng: 87.6,
      timezone,
    });

  it('lists every store by code with its names and time zone, no warehouse, and only to an admin', async () => {
    const [{ brand } = { brand: '' }] = await db.query<{ brand: string }>(`SELECT brand FROM location WHERE id = 'loc-S001'`);
    expect((await location(brand, 'loc-S900', 'store', 'S900', 'Asia/Urumqi')).status).toBe(200);
    expect((await location(brand, 'loc-W900', 'warehouse', 'W900', 'Asia/Shanghai')).status).toBe(200);
    const answer = await hq.admin('GET', '/admin/v1/stores');
    expect(answer.status).toBe(200);
    const { stores } = answer.body as { stores: { id: string; code: string; name: { zh: string; en: string }; timezone: string }[] };
    expect(stores.map((s) => s.code)).toEqual(['S001', 'S002', 'S900']);
    expect(stores[2]).toEqual({ id: 'loc-S900', code: 'S900', name: { zh: 'S900 店', en: 'S900 Store' }, timezone: 'Asia/Urumqi' });
    const [first] = await db.query<{ name_zh: string; name_en: string; timezone: string }>(
      `SELECT name_zh, name_en, timezone FROM location WHERE id = 'loc-S001'`,
    );
    expect(stores[0]).toEqual({
      id: 'loc-S001',
      code: 'S001',
      name: { zh: first!.name_zh, en: first!.name_en },
      timezone: first!.timezone,
    });
    // A query it does not take is refused, not ignored; no token, no list.
    expect((await hq.admin('GET', '/admin/v1/stores?kind=warehouse')).status).toBe(400);
    expect((await hq.admin('GET', '/admin/v1/stores', undefined, { token: null })).status).toBe(401);
  });
});
