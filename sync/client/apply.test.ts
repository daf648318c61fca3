import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplyStatements, applyPage, INSERT_BATCH, PageRefusedError, readCursors } from './apply.js';
import { testDevice } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import { deviceOutbox } from '../../main/store/outbox.js';
import { catalog, coupon, customer, location, NOW, page, sku, staff, stock, STORE, storePage, style, WH } from './testing/page-fixture.js';

let device: TestDevice;
let st: ApplyStatements;
beforeEach(() => {
  device = testDevice();
  st = new ApplyStatements(device.store.db, deviceOutbox(device.store.db));
});
afterEach(() => device.cleanup());

function q<T>(sql: string, ...params: unknown[]): T[] {
  return device.store.db.prepare(sql).all(...params) as T[];
}
const count = (table: string) => q<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)[0]?.n;

describe('applyPage', () => {
  it('provisions with plain inserts and falls back to upserts when a row is already there', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW, insertOnly: true });
    expect(count('sku')).toBe(3);
    // HQ changed ST1-M mid-download: it comes again later in the feed, next to a new SKU.
    const again = page('brand:SF', 'c2', [
      { kind: 'sku', rows: [sku('ST1-M', 'ST1', '6900000000011', 19900), sku('ST2-L', 'ST2', '6900000000022')], deletes: [] },
    ]);
    expect(applyPage(st, again, { storeId: STORE, now: NOW, insertOnly: true })).toEqual({ rows: 2, deletes: 0 });
    expect(q('SELECT sku, price_fen FROM sku ORDER BY sku')).toEqual([
      { sku: 'ST1-L', price_fen: 29900 },
      { sku: 'ST1-M', price_fen: 19900 },
      { sku: 'ST2-L', price_fen: 29900 },
      { sku: 'ST2-M', price_fen: 29900 },
    ]);
    expect(readCursors(device.store.db).get('brand:SF')?.cursor).toBe('c2');
  });

  it('upserts rows in the device layout (booleans as 0/1) and stores the cursor with them', () => {
    const result = applyPage(st, catalog(), { storeId: STORE, now: NOW });
    expect(result).toEqual({ rows: 8, deletes: 0 });
    expect(q('SELECT sku, active, price_fen FROM sku ORDER BY sku')).toEqual([
      { sku: 'ST1-L', active: 0, price_fen: 29900 },
      { sku: 'ST1-M', active: 1, price_fen: 29900 },
      { sku: 'ST2-M', active: 1, price_fen: 29900 },
    ]);
    expect(readCursors(device.store.db).get('brand:SF')).toMatchObject({ cursor: 'c1', done: true });

    // A price change arrives as the whole row again.
    applyPage(st, page('brand:SF', 'c2', [{ kind: 'sku', rows: [sku('ST1-M', 'ST1', '6900000000011', 19900)], deletes: [] }]), {
      storeId: STORE,
      now: NOW,
    });
    expect(q('SELECT price_fen FROM sku WHERE sku = ?', 'ST1-M')).toEqual([{ price_fen: 19900 }]);
    expect(readCursors(device.store.db).get('brand:SF')?.cursor).toBe('c2');
  });

  it('finds a SKU by its new EAN and under its new style once a page moved them, next to plain price changes', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    // ST1-M: a price change only (the indexes stay as they are); ST2-M: a new EAN and another style with its new price.
    const moved = page('brand:SF', 'c2', [
      {
        kind: 'sku',
        rows: [sku('ST1-M', 'ST1', '6900000000011', 19900), sku('ST2-M', 'ST1', '6900000000099', 9900, false)],
        deletes: [],
      },
    ]);
    expect(applyPage(st, moved, { storeId: STORE, now: NOW })).toEqual({ rows: 2, deletes: 0 });
    expect(q('SELECT sku, price_fen, active FROM sku WHERE ean = ?', '6900000000099')).toEqual([
      { sku: 'ST2-M', price_fen: 9900, active: 0 },
    ]);
    expect(q('SELECT sku FROM sku WHERE ean = ?', '6900000000021')).toEqual([]);
    expect(q("SELECT sku FROM sku WHERE style_code = 'ST1' ORDER BY sku")).toEqual([{ sku: 'ST1-L' }, { sku: 'ST1-M' }, { sku: 'ST2-M' }]);
    expect(q("SELECT sku FROM sku WHERE style_code = 'ST2'")).toEqual([]);
    expect(q('SELECT price_fen FROM sku WHERE ean = ?', '6900000000011')).toEqual([{ price_fen: 19900 }]);
    expect(q('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it("finds a customer by each index's new value once a page changed some of them, and by none of the old", () => {
    const store = (rows: unknown[][], cursor: string) =>
      applyPage(st, storePage(cursor, [{ kind: 'customer', rows, deletes: [] }]), { storeId: STORE, now: NOW });
    store([customer('c1', 'g1'), customer('c2', 'g1'), customer('c3', 'g1')], 's1');
    const changed = (id: string, at: Record<number, unknown>) => Object.assign(customer(id, 'g1'), at);
    // c1 to another guide (two of the five indexes read it); c2 a new phone (two, one of them by its last four digits) and
    // points (no index); c3 a new name and guide at once.
    store([changed('c1', { 6: 'g2' }), changed('c2', { 3: '13911112222', 5: 250 }), changed('c3', { 2: '王', 6: null })], 's2');
    const by = (index: string, where: string, ...args: unknown[]) =>
      q<{ id: string }>(`SELECT id FROM customer INDEXED BY ${index} WHERE ${where} ORDER BY id`, ...args).map((r) => r.id);
    expect(by('customer_guide', 'guide_id = ?', 'g2')).toEqual(['c1']);
    expect(by('customer_guide', 'guide_id = ?', 'g1')).toEqual(['c2']);
    expect(by('customer_store_guide', 'store_id = ? AND guide_id IS NULL', STORE)).toEqual(['c3']);
    expect(by('customer_phone', 'phone = ?', '13911112222')).toEqual(['c2']);
    expect(by('customer_phone', 'phone = ?', '13800000000')).toEqual(['c1', 'c3']);
    expect(by('customer_phone_suffix', "store_id = ? AND substr(phone, -4) = '2222'", STORE)).toEqual(['c2']);
    expect(by('customer_store_name', 'store_id = ? AND name = ?', STORE, '王')).toEqual(['c3']);
    expect(q('SELECT id, name, phone, points, guide_id FROM customer ORDER BY id')).toEqual([
      { id: 'c1', name: '李', phone: '13800000000', points: 100, guide_id: 'g2' },
      { id: 'c2', name: '李', phone: '13911112222', points: 250, guide_id: 'g1' },
      { id: 'c3', name: '王', phone: '13800000000', points: 100, guide_id: null },
    ]);
    expect(q('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('moves a row of a two-column key whose indexed column changed: a customer’s tag to their new store', () => {
    const tag = (store: string) => ['c1', 'vip', store, 'manual', NOW];
    const tags = (rows: unknown[][], cursor: string) =>
      applyPage(st, storePage(cursor, [{ kind: 'customer_tag', rows, deletes: [] }]), { storeId: STORE, now: NOW });
    tags([tag(STORE), ['c1', 'new', STORE, 'manual', NOW]], 's1');
    tags([tag('loc-S002')], 's2');
    expect(
      q('SELECT customer_id, tag, store_id FROM customer_tag INDEXED BY customer_tag_tag WHERE store_id = ? ORDER BY tag', 'loc-S002'),
    ).toEqual([{ customer_id: 'c1', tag: 'vip', store_id: 'loc-S002' }]);
    expect(q('SELECT tag FROM customer_tag WHERE store_id = ? ORDER BY tag', STORE)).toEqual([{ tag: 'new' }]);
  });

  it('refuses a page with one bad row whole: nothing written, cursor unchanged', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    const bad = page('brand:SF', 'c9', [
      { kind: 'style', rows: [style('ST3')], deletes: [] },
      {
        kind: 'sku',
        rows: [sku('ST3-M', 'ST3', '6900000000031'), ['ST3-L', 'ST3', '001', '黑', 'Black', 'L', 3, '6900000000032', '29900', true]],
        deletes: [],
      },
    ]);
    expect(() => applyPage(st, bad, { storeId: STORE, now: NOW })).toThrow(PageRefusedError);
    expect(count('style')).toBe(2);
    expect(readCursors(device.store.db).get('brand:SF')?.cursor).toBe('c1');
    expect(() =>
      applyPage(st, page('brand:SF', 'c9', [{ kind: 'sku', rows: [], deletes: [[1, 2]] }]), { storeId: STORE, now: NOW }),
    ).toThrow(/key/);
    expect(() => applyPage(st, page('brand:SF', 'c9', [{ kind: 'nope', rows: [], deletes: [] }]), { storeId: STORE, now: NOW })).toThrow(
      /unknown entity kind/,
    );
  });

  it('accepts a child before its parent: a parent HQ changed later comes in a later page', () => {
    applyPage(
      st,
      page('brand:SF', 'c1', [
        { kind: 'location', rows: [location(STORE)], deletes: [] },
        { kind: 'style', rows: [style('ST1')], deletes: [] },
      ]),
      { storeId: STORE, now: NOW },
    );
    applyPage(st, page('brand:SF', 'c2', [{ kind: 'stock', rows: [stock(STORE, 'ST1-M', 3)], deletes: [] }], true), {
      storeId: STORE,
      now: NOW,
    });
    applyPage(st, page('brand:SF', 'c3', [{ kind: 'sku', rows: [sku('ST1-M', 'ST1', '6900000000011')], deletes: [] }]), {
      storeId: STORE,
      now: NOW,
    });
    expect(q('SELECT s.sku, k.qty FROM sku s JOIN stock k ON k.sku = s.sku')).toEqual([{ sku: 'ST1-M', qty: 3 }]);
    expect(device.store.db.pragma('foreign_key_check')).toEqual([]);
    // The connection enforces foreign keys again for the terminal's own writes.
    expect(device.store.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it("keeps the device's own columns (PIN lockout counters) when HQ's row changes", () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    applyPage(
      st,
      storePage('s1', [
        { kind: 'staff', rows: [staff('stf-1')], deletes: [] },
        { kind: 'staff_credential', rows: [['stf-1', 'salt', 'hash1']], deletes: [] },
      ]),
      { storeId: STORE, now: NOW },
    );
    device.store.db.prepare("UPDATE staff_credential SET failed_attempts = 3, locked_until = ? WHERE staff_id = 'stf-1'").run(NOW);
    applyPage(st, storePage('s2', [{ kind: 'staff_credential', rows: [['stf-1', 'salt2', 'hash2']], deletes: [] }]), {
      storeId: STORE,
      now: NOW,
    });
    expect(q('SELECT pin_hash, failed_attempts, locked_until FROM staff_credential')).toEqual([
      { pin_hash: 'hash2', failed_attempts: 3, locked_until: NOW },
    ]);
  });

  it('takes children along with a tombstone, but not a child that moved to another parent in the same page', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    applyPage(st, storePage('s1', [{ kind: 'stock', rows: [stock(STORE, 'ST1-M', 4), stock(STORE, 'ST2-M', 7)], deletes: [] }]), {
      storeId: STORE,
      now: NOW,
    });
    // ST1 goes; ST1-L moves to ST2 in the same page; ST1-M goes with its style (and its stock).
    applyPage(
      st,
      page('brand:SF', 'c2', [
        { kind: 'style', rows: [], deletes: [['ST1']] },
        { kind: 'sku', rows: [sku('ST1-L', 'ST2', '6900000000012')], deletes: [] },
      ]),
      { storeId: STORE, now: NOW },
    );
    expect(q('SELECT sku, style_code FROM sku ORDER BY sku')).toEqual([
      { sku: 'ST1-L', style_code: 'ST2' },
      { sku: 'ST2-M', style_code: 'ST2' },
    ]);
    expect(q('SELECT location_id, sku, qty FROM stock ORDER BY location_id, sku')).toEqual([{ location_id: STORE, sku: 'ST2-M', qty: 7 }]);
    // A SKU tombstone takes its stock; a stock tombstone just goes.
    applyPage(st, page('brand:SF', 'c3', [{ kind: 'sku', rows: [], deletes: [['ST2-M']] }]), { storeId: STORE, now: NOW });
    expect(count('stock')).toBe(0);
  });

  it('deletes a customer with its member code and coupons (and their local use); a deleted guide leaves the customer unassigned', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    applyPage(
      st,
      storePage('s1', [
        { kind: 'staff', rows: [staff('stf-g')], deletes: [] },
        { kind: 'staff_credential', rows: [['stf-g', 's', 'h']], deletes: [] },
        { kind: 'customer', rows: [customer('cus-1', 'stf-g'), customer('cus-2', 'stf-g')], deletes: [] },
        {
          kind: 'member_code',
          rows: [
            ['M1', 'cus-1'],
            ['M2', 'cus-2'],
          ],
          deletes: [],
        },
        { kind: 'coupon', rows: [coupon('CPN-1', 'cus-1'), coupon('CPN-ALL', null)], deletes: [] },
      ]),
      { storeId: STORE, now: NOW },
    );
    device.store.db.prepare("INSERT INTO coupon_use (code, sale_id, used_at, offline) VALUES ('CPN-1', 'sale-1', ?, 1)").run(NOW);
    applyPage(
      st,
      storePage('s2', [
        { kind: 'customer', rows: [], deletes: [['cus-1']] },
        { kind: 'staff', rows: [], deletes: [['stf-g']] },
      ]),
      { storeId: STORE, now: NOW },
    );
    expect(q('SELECT id, guide_id FROM customer')).toEqual([{ id: 'cus-2', guide_id: null }]);
    expect(q('SELECT code FROM member_code')).toEqual([{ code: 'M2' }]);
    expect(q('SELECT code FROM coupon')).toEqual([{ code: 'CPN-ALL' }]);
    expect(count('coupon_use')).toBe(0);
    expect(count('staff_credential')).toBe(0);
  });

  it('replaces a member code of the same customer in one page (tombstones go first)', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    applyPage(
      st,
      storePage('s1', [
        { kind: 'customer', rows: [customer('cus-1', null)], deletes: [] },
        { kind: 'member_code', rows: [['M1', 'cus-1']], deletes: [] },
      ]),
      { storeId: STORE, now: NOW },
    );
    applyPage(st, storePage('s2', [{ kind: 'member_code', rows: [['M9', 'cus-1']], deletes: [['M1']] }]), { storeId: STORE, now: NOW });
    expect(q('SELECT code, customer_id FROM member_code')).toEqual([{ code: 'M9', customer_id: 'cus-1' }]);
  });

  it("takes this store's unpushed sales off HQ's stock (not a warehouse's), returns add back", () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    const sale = (id: string, lines: { sku: string; qty: number }[], storeId = STORE) =>
      device.store.db
        .prepare(
          "INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, 'sale.completed', ?, 'stf-1', 'dev', ?, ?)",
        )
        .run(id, JSON.stringify({ saleId: id, lines }), storeId, NOW);
    sale('e1', [
      { sku: 'ST1-M', qty: 2 },
      { sku: 'ST2-M', qty: 1 },
    ]);
    sale('e2', [{ sku: 'ST1-M', qty: 1 }]);
    sale('e3', [{ sku: 'ST2-M', qty: -1 }]);
    device.store.db
      .prepare(
        'INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (\'e4\', \'cash.paid_in\', \'{"lines":[{"sku":"ST1-M","qty":5}]}\', null, \'dev\', ?, ?)',
      )
      .run(STORE, NOW);
    applyPage(st, page('brand:SF', 'c2', [{ kind: 'stock', rows: [stock(WH, 'ST1-M', 50)], deletes: [] }]), { storeId: STORE, now: NOW });
    applyPage(
      st,
      storePage('s1', [
        { kind: 'stock', rows: [stock(STORE, 'ST1-M', 10), stock(STORE, 'ST2-M', 10), stock(STORE, 'ST1-L', 10)], deletes: [] },
      ]),
      { storeId: STORE, now: NOW },
    );
    expect(q('SELECT location_id, sku, qty FROM stock ORDER BY location_id, sku')).toEqual([
      { location_id: STORE, sku: 'ST1-L', qty: 10 },
      { location_id: STORE, sku: 'ST1-M', qty: 7 },
      { location_id: STORE, sku: 'ST2-M', qty: 10 },
      { location_id: WH, sku: 'ST1-M', qty: 50 },
    ]);
  });

  it('survives reopening: rows and cursor were committed together', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW, progress: { applied: 8, total: 20 } });
    const db = device.reopen().db;
    expect((db.prepare('SELECT count(*) AS n FROM sku').get() as { n: number }).n).toBe(3);
    expect(readCursors(db).get('brand:SF')).toEqual({ scope: 'brand:SF', cursor: 'c1', applied: 8, total: 20, done: true });
  });
});

describe(`applyPage while provisioning: ${INSERT_BATCH} rows per INSERT`, () => {
  // Two full batches and a remainder, every column differing from row to row.
  const N = 2 * INSERT_BATCH + 5;
  const code = (i: number) => `ST1-${String(i).padStart(3, '0')}`;
  const ean = (i: number) => String(6_900_000_100_000 + i);
  const many = (
    cursor: string,
    at: (i: number) => unknown[] = (i) => sku(code(i), i % 2 ? 'ST1' : 'ST2', ean(i), 10_000 + i, i % 3 !== 0),
  ) => page('brand:SF', cursor, [{ kind: 'sku', rows: Array.from({ length: N }, (_, i) => at(i)), deletes: [] }]);
  const skus = (db = device.store.db) => db.prepare("SELECT * FROM sku WHERE sku LIKE 'ST1-%' ORDER BY sku").all();

  it('writes every row of the batches and the remainder as the one-row-at-a-time path does', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    expect(applyPage(st, many('c2'), { storeId: STORE, now: NOW, insertOnly: true })).toEqual({ rows: N, deletes: 0 });
    const other = testDevice();
    try {
      const theirs = new ApplyStatements(other.store.db, deviceOutbox(other.store.db));
      applyPage(theirs, catalog(), { storeId: STORE, now: NOW });
      applyPage(theirs, many('c2'), { storeId: STORE, now: NOW });
      expect(skus()).toEqual(skus(other.store.db));
    } finally {
      other.cleanup();
    }
    // The two catalog SKUs of ST1 and the page's N rows, inactive ones as 0.
    expect(skus()).toHaveLength(N + 2);
    expect(q('SELECT sku, ean, price_fen, active FROM sku WHERE sku IN (?, ?) ORDER BY sku', code(0), code(N - 2))).toEqual([
      { sku: code(0), ean: ean(0), price_fen: 10_000, active: 0 },
      { sku: code(N - 2), ean: ean(N - 2), price_fen: 10_000 + N - 2, active: 1 },
    ]);
  });

  it('applies the page again as upserts when a row of a batch takes an EAN from a SKU the device has', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    const taker = INSERT_BATCH + 3;
    const moved = many('c2', (i) => sku(code(i), 'ST2', i === taker ? '6900000000021' : ean(i)));
    expect(applyPage(st, moved, { storeId: STORE, now: NOW, insertOnly: true })).toEqual({ rows: N, deletes: 0 });
    expect(q('SELECT sku FROM sku WHERE ean = ?', '6900000000021')).toEqual([{ sku: code(taker) }]);
    expect(q<{ ean: string }>('SELECT ean FROM sku WHERE sku = ?', 'ST2-M')[0]?.ean).toMatch(/^~.{12}$/);
    expect(count('sku')).toBe(N + 3);
  });

  it('applies the page again as upserts when a row of a batch is there already', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    const again = many('c2', (i) => (i === 5 ? sku('ST1-M', 'ST1', '6900000000011', 19900) : sku(code(i), 'ST1', ean(i))));
    expect(applyPage(st, again, { storeId: STORE, now: NOW, insertOnly: true })).toEqual({ rows: N, deletes: 0 });
    expect(q('SELECT price_fen FROM sku WHERE sku = ?', 'ST1-M')).toEqual([{ price_fen: 19900 }]);
    expect(count('sku')).toBe(N - 1 + 3);
    expect(readCursors(device.store.db).get('brand:SF')?.cursor).toBe('c2');
  });

  it("takes this store's unpushed sales off the stock of a batch", () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    applyPage(st, many('c2'), { storeId: STORE, now: NOW, insertOnly: true });
    device.store.db
      .prepare(
        "INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES ('e1', 'sale.completed', ?, 'stf-1', 'dev', ?, ?)",
      )
      .run(JSON.stringify({ saleId: 'e1', lines: [{ sku: code(INSERT_BATCH + 1), qty: 2 }] }), STORE, NOW);
    const rows = Array.from({ length: N }, (_, i) => stock(i % 2 ? WH : STORE, code(i & ~1), 10));
    applyPage(st, storePage('s1', [{ kind: 'stock', rows, deletes: [] }]), { storeId: STORE, now: NOW, insertOnly: true });
    expect(count('stock')).toBe(N + 1);
    expect(q('SELECT location_id, qty FROM stock WHERE sku = ? ORDER BY location_id', code(INSERT_BATCH))).toEqual([
      { location_id: STORE, qty: 10 },
      { location_id: WH, qty: 10 },
    ]);
    // INSERT_BATCH is even: code(INSERT_BATCH + 1) is not in the page; code(INSERT_BATCH + 2)'s store row is.
    device.store.db
      .prepare("UPDATE outbox SET payload = ? WHERE id = 'e1'")
      .run(JSON.stringify({ saleId: 'e1', lines: [{ sku: code(INSERT_BATCH + 2), qty: 2 }] }));
    device.store.db.prepare('DELETE FROM stock').run();
    applyPage(st, storePage('s2', [{ kind: 'stock', rows, deletes: [] }]), { storeId: STORE, now: NOW, insertOnly: true });
    expect(q('SELECT location_id, qty FROM stock WHERE sku = ? ORDER BY location_id', code(INSERT_BATCH + 2))).toEqual([
      { location_id: STORE, qty: 8 },
      { location_id: WH, qty: 10 },
    ]);
  });
});

describe('applyPage with a unique key HQ moved to another record', () => {
  const staffWith = (id: string, code: string) => [id, STORE, code, '王', 'cashier', true];
  const codes = () => q<{ id: string; code: string }>('SELECT id, code FROM staff ORDER BY id');
  const X = 'stf-x';
  const Y = 'stf-y';
  // HQ: X had S001-02, Y had S001-07; then X got S001-02X, Y got S001-02, and X was saved again —
  // so the feed carries Y's row first, X's after it.
  const before = () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    applyPage(st, storePage('s1', [{ kind: 'staff', rows: [staffWith(X, 'S001-02'), staffWith(Y, 'S001-07')], deletes: [] }]), {
      storeId: STORE,
      now: NOW,
    });
  };

  it('applies a staff code that moves across two pages: the old holder waits on a placeholder for its own row', () => {
    before();
    applyPage(st, storePage('s2', [{ kind: 'staff', rows: [staffWith(Y, 'S001-02')], deletes: [] }]), { storeId: STORE, now: NOW });
    const between = codes();
    expect(between[1]).toEqual({ id: Y, code: 'S001-02' });
    expect(between[0]?.code).toMatch(/^~.{12}$/);
    expect(readCursors(device.store.db).get(`store:${STORE}`)?.cursor).toBe('s2');
    applyPage(st, storePage('s3', [{ kind: 'staff', rows: [staffWith(X, 'S001-02X')], deletes: [] }]), { storeId: STORE, now: NOW });
    expect(codes()).toEqual([
      { id: X, code: 'S001-02X' },
      { id: Y, code: 'S001-02' },
    ]);
  });

  it('applies a staff code that moves inside one page, on the provisioning path too', () => {
    before();
    const moved = storePage('s2', [{ kind: 'staff', rows: [staffWith(Y, 'S001-02'), staffWith(X, 'S001-02X')], deletes: [] }]);
    applyPage(st, moved, { storeId: STORE, now: NOW, insertOnly: true });
    expect(codes()).toEqual([
      { id: X, code: 'S001-02X' },
      { id: Y, code: 'S001-02' },
    ]);
    expect(readCursors(device.store.db).get(`store:${STORE}`)?.cursor).toBe('s2');
  });

  it('gives a reused EAN to the new SKU; the old SKU, discontinued later, arrives after it', () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    // HQ gave ST1-M's EAN a new one, created ST2-L with the old EAN, then discontinued ST1-M.
    applyPage(st, page('brand:SF', 'c2', [{ kind: 'sku', rows: [sku('ST2-L', 'ST2', '6900000000011')], deletes: [] }]), {
      storeId: STORE,
      now: NOW,
    });
    expect(q('SELECT sku FROM sku WHERE ean = ?', '6900000000011')).toEqual([{ sku: 'ST2-L' }]);
    expect(q<{ ean: string }>('SELECT ean FROM sku WHERE sku = ?', 'ST1-M')[0]?.ean).toMatch(/^~.{12}$/);
    applyPage(st, page('brand:SF', 'c3', [{ kind: 'sku', rows: [sku('ST1-M', 'ST1', '6900000000099', 29900, false)], deletes: [] }]), {
      storeId: STORE,
      now: NOW,
    });
    expect(q('SELECT sku, ean, active FROM sku WHERE sku IN (?, ?) ORDER BY sku', 'ST1-M', 'ST2-L')).toEqual([
      { sku: 'ST1-M', ean: '6900000000099', active: 0 },
      { sku: 'ST2-L', ean: '6900000000011', active: 1 },
    ]);
    // Two SKUs waiting for their own rows at once get different placeholders.
    applyPage(
      st,
      page('brand:SF', 'c4', [
        { kind: 'sku', rows: [sku('ST3-M', 'ST2', '6900000000012'), sku('ST3-L', 'ST2', '6900000000021')], deletes: [] },
      ]),
      { storeId: STORE, now: NOW },
    );
    expect(new Set(q<{ ean: string }>("SELECT ean FROM sku WHERE ean LIKE '~%'").map((r) => r.ean)).size).toBe(2);
  });

  it("drops a customer's old member code when the new one comes first, and moves a code to another customer", () => {
    applyPage(st, catalog(), { storeId: STORE, now: NOW });
    applyPage(
      st,
      storePage('s1', [
        { kind: 'customer', rows: [customer('cus-1', null), customer('cus-2', null)], deletes: [] },
        {
          kind: 'member_code',
          rows: [
            ['M1', 'cus-1'],
            ['M2', 'cus-2'],
          ],
          deletes: [],
        },
      ]),
      { storeId: STORE, now: NOW },
    );
    // The tombstone of M1 is in the next page (the page ended between the two codes).
    applyPage(st, storePage('s2', [{ kind: 'member_code', rows: [['M9', 'cus-1']], deletes: [] }]), { storeId: STORE, now: NOW });
    applyPage(st, storePage('s3', [{ kind: 'member_code', rows: [], deletes: [['M1']] }]), { storeId: STORE, now: NOW });
    // M2 handed to cus-1 (whose M9 goes); cus-2's new code comes later.
    applyPage(st, storePage('s4', [{ kind: 'member_code', rows: [['M2', 'cus-1']], deletes: [] }]), { storeId: STORE, now: NOW });
    expect(q('SELECT code, customer_id FROM member_code ORDER BY code')).toEqual([{ code: 'M2', customer_id: 'cus-1' }]);
  });
});
