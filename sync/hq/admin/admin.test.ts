import { afterAll, describe, expect, it } from 'vitest';
import { verifyPin } from '../../protocol/pin-credential.js';
import { SYNC_PATHS } from '../../protocol/http.js';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { TEST_ADMIN, httpCall, testDevice } from '../testing/test-hq.js';
import type { TestHq } from '../testing/test-hq.js';
import { useTestHq } from '../testing/use-test-hq.js';
import { CHANGE_ROWS } from '../testing/change-log.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const errorCode = (body: unknown): string | undefined => (body as { error?: { code?: string } }).error?.code;
const message = (body: unknown): string => (body as { error?: { message?: string } }).error?.message ?? '';

const CSV_HEADER =
  'sku,style_code,colour_code,colour_zh,colour_en,size,size_order,ean,price_fen,style_name_zh,style_name_en,category_zh,category_en,season,style_price_fen';
const csvRow = (n: number, ean: string, price = '29900') =>
  `TST0001-001-${n},TST0001,001,黑色,"Black, deep",S${n},${n},${ean},${price},测试外套,Test coat,外套,Coat,26W,29900`;

describe.each(backends)('admin API on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params))[0]?.n ?? 0;
  useTestHq(backend, (opened) => ({ db, hq } = opened));

  it('refuses every admin route without a valid token, and a wrong password', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', '/admin/v1/devices', undefined],
      ['GET', '/admin/v1/dead-letters', undefined],
      ['POST', '/admin/v1/catalog', { brand: 'SFL', skus: [] }],
      ['POST', '/admin/v1/locations', {}],
      ['POST', '/admin/v1/staff', {}],
      ['PUT', '/admin/v1/stock', {}],
      ['POST', '/admin/v1/enrolment-codes', { storeId: 'loc-S001' }],
      ['POST', '/admin/v1/brands', {}],
      ['POST', '/admin/v1/devices/01a205ef-26ba-7000-ba66-62b1669402d8/revoke', {}],
    ];
    for (const [method, path, body] of routes) {
      for (const token of [null, 'not-a-real-token-but-long-enough']) {
        const answer = await hq.admin(method, path, body, { token });
        expect(answer.status, `${method} ${path}`).toBe(401);
        expect(errorCode(answer.body)).toBe('unauthenticated');
      }
    }
    const wrong = await httpCall(`${hq.url}/admin/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: TEST_ADMIN.name, password: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    const nobody = await httpCall(`${hq.url}/admin/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'mallory', password: 'nope' }),
    });
    expect(nobody.status).toBe(401);
  });

  it('refuses a CSV with one bad row, says which row, and writes nothing', async () => {
    const before = await count('sku');
    const changesBefore = await count('change');
    const csv = [CSV_HEADER, csvRow(1, '6900000000017'), csvRow(2, '69000000000X'), csvRow(3, '6900000000031')].join('\n');
    const answer = await hq.admin('POST', '/admin/v1/catalog?brand=SFL', csv, { contentType: 'text/csv' });
    expect(answer.status).toBe(400);
    expect(errorCode(answer.body)).toBe('bad_request');
    expect(message(answer.body)).toMatch(/row 2/);
    expect(message(answer.body)).toMatch(/ean/);
    expect(await count('sku')).toBe(before);
    expect(await count('change')).toBe(changesBefore);
    // A row clashing with the database (an EAN another SKU has) is refused whole as well.
    const [taken] = await db.query<{ ean: string }>('SELECT ean FROM sku LIMIT 1');
    const clash = [CSV_HEADER, csvRow(1, '6900000000017'), csvRow(2, taken?.ean ?? '')].join('\n');
    const refused = await hq.admin('POST', '/admin/v1/catalog?brand=SFL', clash, { contentType: 'text/csv' });
    expect(refused.status).toBe(400);
    expect(await count('sku')).toBe(before);
    const header = await hq.admin('POST', '/admin/v1/catalog?brand=SFL', 'sku,price_fen\nA,1', { contentType: 'text/csv' });
    expect(header.status).toBe(400);
    expect(message(header.body)).toMatch(/style_code/);
  });

  it('refuses a CSV row naming a style HQ does not have, says which, and writes nothing (the set-based load)', async () => {
    const before = { skus: await count('sku'), changes: await count('change') };
    const [style] = await db.query<{ code: string }>('SELECT code FROM style LIMIT 1');
    // No style columns: each row names a style HQ must already have; the second names none it has.
    const header = 'sku,style_code,colour_code,colour_zh,colour_en,size,size_order,ean,price_fen';
    const row = (sku: string, styleCode: string, ean: string) => `${sku},${styleCode},001,黑色,Black,S,1,${ean},29900`;
    const csv = [header, row('TST0009-001-1', style?.code ?? '', '6900000000093'), row('TST0009-001-2', 'NO-SUCH-STYLE', '6900000000109')];
    const answer = await hq.admin('POST', '/admin/v1/catalog?brand=SFL', csv.join('\n'), { contentType: 'text/csv' });
    expect(answer.status).toBe(400);
    expect(errorCode(answer.body)).toBe('bad_request');
    expect(message(answer.body)).toMatch(/style_code.*NO-SUCH-STYLE/);
    expect({ skus: await count('sku'), changes: await count('change') }).toEqual(before);
  });

  it('imports a CSV and a JSON price change; the devices see them in the brand feed', async () => {
    const csv = [CSV_HEADER, csvRow(1, '6900000000017'), csvRow(2, '6900000000024')].join('\r\n');
    const answer = await hq.admin('POST', '/admin/v1/catalog?brand=SFL', csv, { contentType: 'text/csv' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ styles: 1, skus: 2, prices: 0 });
    const [change] = await db.query<{ row: unknown[] }>(
      `SELECT row FROM ${CHANGE_ROWS} WHERE scope = 'brand:SFL' AND kind = 'sku' AND key = 'TST0001-001-1'`,
    );
    expect(change?.row).toEqual(['TST0001-001-1', 'TST0001', '001', '黑色', 'Black, deep', 'S1', 1, '6900000000017', 29900, true]);
    const priced = await hq.admin('POST', '/admin/v1/catalog', { brand: 'SFL', prices: [{ sku: 'TST0001-001-2', price_fen: 19900 }] });
    expect(priced.status).toBe(200);
    const [after] = await db.query<{ row: unknown[] }>(
      `SELECT row FROM ${CHANGE_ROWS} WHERE scope = 'brand:SFL' AND kind = 'sku' AND key = 'TST0001-001-2'`,
    );
    expect(after?.row[8]).toBe(19900);
    const unknown = await hq.admin('POST', '/admin/v1/catalog', { brand: 'SFL', prices: [{ sku: 'NOPE', price_fen: 1 }] });
    expect(unknown.status).toBe(400);
    const badJson = await hq.admin('POST', '/admin/v1/catalog', { brand: 'SFL', skus: [{ sku: 'X' }] });
    expect(badJson.status).toBe(400);
    expect(message(badJson.body)).toMatch(/skus row 1/);
  });

  it('creates a store with coordinates, its staff with a PIN the device accepts, and its stock', async () => {
    const store = {
      id: 'loc-S900',
      brand: 'SFL',
      kind: 'store',
      code: 'S900',
      name_zh: '测试店',
      name_en: 'Test store',
      city_zh: '上海',
      city_en: 'Shanghai',
      lat: 31.23,
      lng: 121.47,
    };
    expect((await hq.admin('POST', '/admin/v1/locations', store)).status).toBe(200);
    const badCoords = await hq.admin('POST', '/admin/v1/locations', { ...store, lat: 123 });
    expect(badCoords.status).toBe(400);
    // A store's code begins its receipt numbers (S900-7F3A-261122-0042), which HQ checks a sale by:
    // one that cannot (lower case, a dash, too long) would have every sale of the store refused.
    for (const code of ['s900', 'S-900', 'S900000']) {
      const bad = await hq.admin('POST', '/admin/v1/locations', { ...store, id: 'loc-S901', code });
      expect(bad.status).toBe(400);
      expect(message(bad.body)).toMatch(/receipt numbers/);
    }
    // A warehouse prints no receipts: its code keeps the wider form.
    expect((await hq.admin('POST', '/admin/v1/locations', { ...store, id: 'loc-W900', kind: 'warehouse', code: 'wh-900' })).status).toBe(
      200,
    );
    // Until it has a device, a store's code may still change.
    expect((await hq.admin('POST', '/admin/v1/locations', { ...store, code: 'S9X' })).status).toBe(200);
    expect((await hq.admin('POST', '/admin/v1/locations', store)).status).toBe(200);
    const staff = await hq.admin('POST', '/admin/v1/staff', {
      id: 'stf-S900-01',
      storeId: 'loc-S900',
      code: 'S900-01',
      name: '王测试',
      role: 'manager',
      pin: '2468',
    });
    expect(staff.status).toBe(200);
    const [cred] = await db.query<{ row: [string, string, string] }>(
      `SELECT row FROM ${CHANGE_ROWS} WHERE scope = 'store:loc-S900' AND kind = 'staff_credential'`,
    );
    expect(cred && verifyPin('2468', cred.row[1], cred.row[2])).toBe(true);
    expect(cred && verifyPin('1357', cred.row[1], cred.row[2])).toBe(false);
    expect(
      (
        await hq.admin('POST', '/admin/v1/staff', {
          id: 'stf-X',
          storeId: 'loc-W01',
          code: 'X-01',
          name: 'x',
          role: 'cashier',
          pin: '1234',
        })
      ).status,
    ).toBe(400);
    expect(
      (await hq.admin('POST', '/admin/v1/staff', { id: 'stf-Y', storeId: 'loc-S900', code: 'Y-01', name: 'y', role: 'cashier', pin: '12' }))
        .status,
    ).toBe(400);
    const stock = await hq.admin('PUT', '/admin/v1/stock', { locationId: 'loc-S900', levels: [{ sku: 'TST0001-001-1', qty: 7 }] });
    expect(stock.status).toBe(200);
    const [level] = await db.query<{ row: unknown[] }>(`SELECT row FROM ${CHANGE_ROWS} WHERE scope = 'store:loc-S900' AND kind = 'stock'`);
    expect(level?.row.slice(0, 3)).toEqual(['loc-S900', 'TST0001-001-1', 7]);
    const unknownSku = await hq.admin('PUT', '/admin/v1/stock', { locationId: 'loc-S900', levels: [{ sku: 'NOPE', qty: 1 }] });
    expect(unknownSku.status).toBe(400);
  });

  it('keeps the code of a store that has a device: its receipts, printed and still to be pushed, begin with it', async () => {
    const device = await testDevice(hq);
    const [store] = await db.query<Record<string, unknown>>(
      `SELECT id, brand, kind, code, name_zh, name_en, city_zh, city_en, lat::float8 AS lat, lng::float8 AS lng, timezone FROM location WHERE id = $1`,
      [device.enrolment.storeId],
    );
    const renamed = await hq.admin('POST', '/admin/v1/locations', { ...store, code: 'S777' });
    expect(renamed.status).toBe(409);
    expect(message(renamed.body)).toMatch(/cannot change/);
    // Anything else about the store may change.
    expect((await hq.admin('POST', '/admin/v1/locations', { ...store, name_en: 'Flagship' })).status).toBe(200);
    expect(await db.query('SELECT code, name_en FROM location WHERE id = $1', [store!.id])).toEqual([
      { code: store!.code, name_en: 'Flagship' },
    ]);
  });

  it('makes an enrolment code with a QR, lists the device it enrolled, revokes it (its device feed shows it)', async () => {
    const created = await hq.admin('POST', '/admin/v1/enrolment-codes', { storeId: 'loc-S001', ttlMinutes: 30 });
    expect(created.status).toBe(200);
    const { code, expiresAt, qrSvg, hqFingerprint, enrolment } = created.body as {
      code: string;
      expiresAt: string;
      qrSvg: string;
      hqFingerprint: string;
      enrolment: string;
    };
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    // With HQ's key fingerprint: a device enrolling over plain HTTP checks the key HQ answers with.
    expect(hqFingerprint).toBe(hq.hqFingerprint);
    expect(enrolment).toBe(`${code}@${hq.hqFingerprint}`);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(25 * 60_000);
    expect(qrSvg.startsWith('<svg')).toBe(true);
    expect((await hq.admin('POST', '/admin/v1/enrolment-codes', { storeId: 'loc-W01' })).status).toBe(400);
    expect((await hq.admin('POST', '/admin/v1/enrolment-codes', { storeId: 'loc-NOPE' })).status).toBe(404);

    const device = await testDevice(hq);
    expect((await device.call('POST', SYNC_PATHS.hello, {})).status).toBe(200);
    const list = await hq.admin('GET', '/admin/v1/devices');
    const listed = (
      list.body as { devices: { id: string; status: string; receiptCode: string; lastSeenAt: string | null }[] }
    ).devices.find((d) => d.id === device.id);
    expect(listed).toMatchObject({ status: 'active', receiptCode: device.enrolment.receiptCode });
    expect(listed?.lastSeenAt).not.toBeNull();
    expect((await hq.admin('POST', `/admin/v1/devices/${device.id}/revoke`, {})).status).toBe(200);
    const [profile] = await db.query<{ row: unknown[] }>(`SELECT row FROM ${CHANGE_ROWS} WHERE scope = $1`, [`device:${device.id}`]);
    expect(profile?.row[3]).toBe('revoked');
    expect((await hq.admin('POST', '/admin/v1/devices/not-a-uuid/revoke', {})).status).toBe(400);
    expect((await hq.admin('POST', '/admin/v1/devices/01a205ef-26ba-7000-ba66-000000000000/revoke', {})).status).toBe(404);
  });

  it('lists dead letters devices reported', async () => {
    const device = await testDevice(hq);
    const now = new Date().toISOString();
    const report = await device.call('POST', SYNC_PATHS.deadLetters, {
      items: [{ id: 'evt-1', type: 'sale.completed', reason: 'foreign_staff', message: 'no such staff', occurredAt: now, rejectedAt: now }],
    });
    expect(report.status).toBe(200);
    const list = await hq.admin('GET', '/admin/v1/dead-letters');
    expect((list.body as { deadLetters: { deviceId: string; eventId: string }[] }).deadLetters).toContainEqual(
      expect.objectContaining({ deviceId: device.id, eventId: 'evt-1' }),
    );
  });
});
