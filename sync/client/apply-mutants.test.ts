import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileKeyStore } from '../../main/store/key-store.js';
import { openStore } from '../../main/store/open-store.js';
import { deviceOutbox } from '../../main/store/outbox.js';
import { ApplyStatements, applyPage, clearCursors, ensureFeedKinds, pageProblem, PageRefusedError, readCursors } from './apply.js';
import type { ApplyOptions, WirePage } from './apply.js';
import { catalog, coupon, customer, location, NOW, page, sku, staff, stock, STORE, storePage, style, WH } from './testing/page-fixture.js';
import { testDevice } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';

// The cases apply.test.ts left out, found by mutation testing (docs/mutation.md, module page-apply):
// how a page is refused and why, the tombstone of a store, the cursor's done flag, the stock
// correction for unpushed sales on every path, and the feed-kinds bookkeeping of an upgrade.

let device: TestDevice;
let st: ApplyStatements;
beforeEach(() => {
  device = testDevice();
  st = new ApplyStatements(device.store.db, deviceOutbox(device.store.db));
});
afterEach(() => device.cleanup());

const OTHER = 'loc-S002';
const opts: ApplyOptions = { storeId: STORE, now: NOW };

function q<T>(sql: string, ...params: unknown[]): T[] {
  return device.store.db.prepare(sql).all(...params) as T[];
}
const count = (table: string) => q<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)[0]?.n;

/** The error applyPage threw for `p` (the test fails if it applied). */
function refusal(p: WirePage, options: ApplyOptions = opts): unknown {
  try {
    applyPage(st, p, options);
  } catch (error) {
    return error;
  }
  throw new Error(`page ${p.cursor} of ${p.scope} was applied`);
}

/** An unpushed sale of this store, as the checkout writes it to the outbox. */
function sale(id: string, lines: { sku: string; qty: number }[]): void {
  device.store.db
    .prepare(
      "INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, 'sale.completed', ?, 'stf-1', 'dev', ?, ?)",
    )
    .run(id, JSON.stringify({ saleId: id, lines }), STORE, NOW);
}

describe('a page refused before anything is written', () => {
  const refused = (scope: string, reason: string) => ({
    name: 'PageRefusedError',
    scope,
    missingParent: false,
    message: `page of ${scope} refused: ${reason}`,
  });

  it('names what is wrong with its rows or deletes', () => {
    applyPage(st, catalog(), opts);
    const bad = (set: WirePage['sets'][number]) => refusal(page('brand:SF', 'c9', [set]));
    expect(bad({ kind: 'sku', rows: {}, deletes: [] })).toMatchObject(refused('brand:SF', 'sku: rows and deletes must be lists'));
    expect(bad({ kind: 'sku', rows: [], deletes: null })).toMatchObject(refused('brand:SF', 'sku: rows and deletes must be lists'));
    expect(bad({ kind: 'sku', rows: [], deletes: [[null]] })).toMatchObject(refused('brand:SF', 'sku: a delete key is not text'));
    expect(bad({ kind: 'style', rows: [], deletes: [['ST1', 'ST2']] })).toMatchObject(
      refused('brand:SF', 'style: a delete does not carry its 1-part key'),
    );
    expect(readCursors(device.store.db).get('brand:SF')?.cursor).toBe('c1');
  });

  it('checks every set: a good tombstone ahead of a bad row does not let the page through', () => {
    applyPage(st, catalog(), opts);
    const p = page('brand:SF', 'c9', [
      { kind: 'style', rows: [], deletes: [['ST2']] },
      { kind: 'sku', rows: [['ST2-M']], deletes: [] },
    ]);
    expect(refusal(p)).toMatchObject(refused('brand:SF', 'sku: a row has 1 values, expected 10'));
    expect(q('SELECT code FROM style ORDER BY code')).toEqual([{ code: 'ST1' }, { code: 'ST2' }]);
  });

  it('takes a delete key of numbers (a key is text or a number on the wire)', () => {
    expect(pageProblem(page('brand:SF', 'c9', [{ kind: 'sku', rows: [], deletes: [[7]] }]))).toBeNull();
    expect(pageProblem(page('store:x', 's9', [{ kind: 'stock', rows: [], deletes: [[STORE, 7]] }]))).toBeNull();
  });
});

describe('a page the store refuses while it is applied', () => {
  // sku.ean is CHECKed to 13 characters on the device; the wire only says it is text.
  const shortEan = () =>
    page('brand:SF', 'c2', [
      { kind: 'style', rows: [style('ST3')], deletes: [] },
      { kind: 'sku', rows: [sku('ST3-M', 'ST3', '690000000003')], deletes: [] },
    ]);

  it.each([false, true])('is refused whole, not for a missing parent (insertOnly %s)', (insertOnly) => {
    applyPage(st, catalog(), opts);
    const error = refusal(shortEan(), { ...opts, insertOnly });
    expect(error).toBeInstanceOf(PageRefusedError);
    expect(error).toMatchObject({ name: 'PageRefusedError', scope: 'brand:SF', missingParent: false });
    expect((error as Error).message).toMatch(/^page of brand:SF refused by the store: CHECK constraint failed/);
    expect(q('SELECT code FROM style ORDER BY code')).toEqual([{ code: 'ST1' }, { code: 'ST2' }]);
    expect(readCursors(device.store.db).get('brand:SF')?.cursor).toBe('c1');
  });

  it('says a parent is missing when applied inside a transaction, where foreign keys stay enforced', () => {
    applyPage(st, catalog(), opts);
    const db = device.store.db;
    let error: unknown = null;
    db.transaction(() => {
      try {
        applyPage(st, storePage('s1', [{ kind: 'stock', rows: [stock(STORE, 'ST9-M', 3)], deletes: [] }]), opts);
      } catch (e) {
        error = e;
      }
    })();
    expect(error).toBeInstanceOf(PageRefusedError);
    expect(error).toMatchObject({
      scope: `store:${STORE}`,
      missingParent: true,
      message: `page of store:${STORE} refused: a row refers to something this device does not have`,
    });
    expect(count('stock')).toBe(1);
    expect(readCursors(db).has(`store:${STORE}`)).toBe(false);
  });

  it('passes on an error that is not the page’s fault (the store busy with another writer) as it is', () => {
    applyPage(st, catalog(), opts);
    const other = openStore({ path: join(device.dir, 'shopfloor.db'), keyStore: fileKeyStore(join(device.dir, 'store.key')) });
    try {
      // Not the 5 s the terminal waits for the lock: the answer is the same, sooner.
      device.store.db.pragma('busy_timeout = 0');
      other.db.prepare('BEGIN IMMEDIATE').run();
      const error = refusal(storePage('s1', [{ kind: 'stock', rows: [stock(STORE, 'ST1-M', 3)], deletes: [] }]));
      expect(error).not.toBeInstanceOf(PageRefusedError);
      expect(error).toMatchObject({ code: 'SQLITE_BUSY' });
      other.db.prepare('ROLLBACK').run();
      applyPage(st, storePage('s1', [{ kind: 'stock', rows: [stock(STORE, 'ST1-M', 3)], deletes: [] }]), opts);
      expect(q('SELECT qty FROM stock WHERE location_id = ?', STORE)).toEqual([{ qty: 3 }]);
      expect(device.store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      other.close();
    }
  });

  it("leaves a connection's foreign keys off when they were off", () => {
    device.store.db.pragma('foreign_keys = OFF');
    applyPage(st, catalog(), opts);
    expect(device.store.db.pragma('foreign_keys', { simple: true })).toBe(0);
  });
});

describe('a tombstone of a location', () => {
  it("takes the store's staff (and their PINs), customers (with member codes, coupons and their use) and stock; other stores keep theirs", () => {
    applyPage(st, catalog(), opts);
    applyPage(st, page('brand:SF', 'c2', [{ kind: 'location', rows: [location(OTHER)], deletes: [] }]), opts);
    applyPage(
      st,
      storePage('s1', [
        { kind: 'staff', rows: [staff('stf-a'), staff('stf-b', OTHER)], deletes: [] },
        {
          kind: 'staff_credential',
          rows: [
            ['stf-a', 's', 'h'],
            ['stf-b', 's', 'h'],
          ],
          deletes: [],
        },
        { kind: 'customer', rows: [customer('cus-a', 'stf-a'), customer('cus-b', 'stf-b', OTHER)], deletes: [] },
        {
          kind: 'member_code',
          rows: [
            ['MA', 'cus-a'],
            ['MB', 'cus-b'],
          ],
          deletes: [],
        },
        { kind: 'coupon', rows: [coupon('CPN-A', 'cus-a'), coupon('CPN-B', 'cus-b'), coupon('CPN-ALL', null)], deletes: [] },
        { kind: 'stock', rows: [stock(STORE, 'ST1-M', 4), stock(OTHER, 'ST1-M', 6)], deletes: [] },
      ]),
      opts,
    );
    device.store.db.prepare("INSERT INTO coupon_use (code, sale_id, used_at, offline) VALUES ('CPN-A', 'sale-1', ?, 1)").run(NOW);

    expect(applyPage(st, page('brand:SF', 'c3', [{ kind: 'location', rows: [], deletes: [[STORE]] }]), opts)).toEqual({
      rows: 0,
      deletes: 1,
    });
    expect(q('SELECT id FROM location ORDER BY id')).toEqual([{ id: OTHER }, { id: WH }]);
    expect(q('SELECT id FROM staff')).toEqual([{ id: 'stf-b' }]);
    expect(q('SELECT staff_id FROM staff_credential')).toEqual([{ staff_id: 'stf-b' }]);
    expect(q('SELECT id, guide_id FROM customer')).toEqual([{ id: 'cus-b', guide_id: 'stf-b' }]);
    expect(q('SELECT code FROM member_code')).toEqual([{ code: 'MB' }]);
    expect(q('SELECT code FROM coupon ORDER BY code')).toEqual([{ code: 'CPN-ALL' }, { code: 'CPN-B' }]);
    expect(count('coupon_use')).toBe(0);
    expect(q('SELECT location_id, qty FROM stock ORDER BY location_id')).toEqual([
      { location_id: OTHER, qty: 6 },
      { location_id: WH, qty: 50 },
    ]);

    // The warehouse's tombstone takes its stock.
    applyPage(st, page('brand:SF', 'c4', [{ kind: 'location', rows: [], deletes: [[WH]] }]), opts);
    expect(q('SELECT location_id FROM stock')).toEqual([{ location_id: OTHER }]);
    expect(device.store.db.pragma('foreign_key_check')).toEqual([]);
  });
});

describe('what a page reports and stores', () => {
  it('counts rows and tombstones, and marks a scope done on its last page only (done stays done)', () => {
    expect(applyPage(st, { ...catalog(), more: true }, opts)).toEqual({ rows: 8, deletes: 0 });
    expect(readCursors(device.store.db).get('brand:SF')).toMatchObject({ cursor: 'c1', done: false });
    const last = page('brand:SF', 'c2', [
      { kind: 'style', rows: [], deletes: [['ST2']] },
      { kind: 'sku', rows: [sku('ST2-L', 'ST1', '6900000000022')], deletes: [['ST2-M'], ['ST1-L']] },
    ]);
    expect(applyPage(st, last, opts)).toEqual({ rows: 1, deletes: 3 });
    expect(readCursors(device.store.db).get('brand:SF')).toMatchObject({ cursor: 'c2', done: true });
    // A later incremental page with more behind it: the scope was provisioned all the same.
    applyPage(st, page('brand:SF', 'c3', [], true), opts);
    expect(readCursors(device.store.db).get('brand:SF')).toMatchObject({ cursor: 'c3', done: true });
  });

  it('applies a page of stock tombstones only', () => {
    applyPage(st, catalog(), opts);
    applyPage(st, storePage('s1', [{ kind: 'stock', rows: [stock(STORE, 'ST1-M', 4)], deletes: [] }]), opts);
    const gone = storePage('s2', [{ kind: 'stock', rows: [], deletes: [[STORE, 'ST1-M']] }]);
    expect(applyPage(st, gone, opts)).toEqual({ rows: 0, deletes: 1 });
    expect(q('SELECT location_id FROM stock')).toEqual([{ location_id: WH }]);
  });
});

describe("unpushed sales taken off HQ's stock", () => {
  it('on a page that brings other kinds with the stock, and only to the stock', () => {
    sale('e1', [{ sku: 'ST1-M', qty: 2 }]);
    // The brand's first page carries the store's own location row: its values are not stock.
    applyPage(st, catalog(), opts);
    expect(q('SELECT id, code FROM location ORDER BY id')).toEqual([
      { id: STORE, code: 'S001' },
      { id: WH, code: 'W01' },
    ]);
    applyPage(
      st,
      storePage('s1', [
        { kind: 'staff', rows: [staff('stf-a')], deletes: [] },
        { kind: 'stock', rows: [stock(STORE, 'ST1-M', 10), stock(STORE, 'ST2-M', 5)], deletes: [] },
      ]),
      opts,
    );
    expect(q('SELECT sku, qty FROM stock WHERE location_id = ? ORDER BY sku', STORE)).toEqual([
      { sku: 'ST1-M', qty: 8 },
      { sku: 'ST2-M', qty: 5 },
    ]);
  });

  it('once, when a provisioning page falls back to upserts', () => {
    applyPage(st, catalog(), opts);
    const stockPage = () => storePage('s1', [{ kind: 'stock', rows: [stock(STORE, 'ST1-M', 10)], deletes: [] }]);
    applyPage(st, stockPage(), { ...opts, insertOnly: true });
    sale('e1', [{ sku: 'ST1-M', qty: 2 }]);
    // A resumed download brings the row again: the insert fails on its key, the page is applied again with upserts.
    const again = stockPage();
    expect(applyPage(st, again, { ...opts, insertOnly: true })).toEqual({ rows: 1, deletes: 0 });
    expect(q('SELECT qty FROM stock WHERE location_id = ?', STORE)).toEqual([{ qty: 8 }]);
    // The page as it came off the wire is left as it was.
    expect(again.sets[0]?.rows).toEqual([stock(STORE, 'ST1-M', 10)]);
  });
});

describe("the SKU's index-free update (a price change)", () => {
  // Rows as the statement binds them: booleans as 0/1.
  const bound = (row: unknown[]) => row.map((v) => (typeof v === 'boolean' ? Number(v) : v));

  it('sets the columns no index reads, and changes nothing when an indexed one differs', () => {
    applyPage(st, catalog(), opts);
    const { update } = st.kind('sku');
    expect(update).not.toBeNull();
    expect(update?.run(...bound(sku('ST1-M', 'ST1', '6900000000011', 19900, false))).changes).toBe(1);
    expect(q("SELECT price_fen, active FROM sku WHERE sku = 'ST1-M'")).toEqual([{ price_fen: 19900, active: 0 }]);
    // A new EAN, another style: left to the full upsert, which rewrites the indexes.
    expect(update?.run(...bound(sku('ST1-M', 'ST1', '6900000000099', 9900))).changes).toBe(0);
    expect(update?.run(...bound(sku('ST1-M', 'ST2', '6900000000011', 9900))).changes).toBe(0);
    expect(q("SELECT style_code, ean, price_fen, active FROM sku WHERE sku = 'ST1-M'")).toEqual([
      { style_code: 'ST1', ean: '6900000000011', price_fen: 19900, active: 0 },
    ]);
  });
});

describe('the feed kinds a device pulled with', () => {
  const stored = () => q<{ value: string }>("SELECT value FROM meta WHERE key = 'feed_kinds'")[0]?.value;
  const cursors = () => [...readCursors(device.store.db).keys()].sort();
  const pulled = () => {
    applyPage(st, catalog(), opts);
    applyPage(st, storePage('s1', [{ kind: 'stock', rows: [stock(STORE, 'ST1-M', 1)], deletes: [] }]), opts);
  };

  it('are recorded on the first pull, sorted, and kept while the app knows no new kind', () => {
    ensureFeedKinds(device.store.db, ['style', 'location']);
    expect(stored()).toBe('["location","style"]');
    pulled();
    ensureFeedKinds(device.store.db, ['location', 'style']);
    ensureFeedKinds(device.store.db, ['style']);
    expect(cursors()).toEqual(['brand:SF', `store:${STORE}`]);
    expect(stored()).toBe('["location","style"]');
  });

  it('start every feed again when the app knows a new kind, and remember it', () => {
    ensureFeedKinds(device.store.db, ['style', 'location']);
    pulled();
    ensureFeedKinds(device.store.db, ['sku', 'location']);
    expect(cursors()).toEqual([]);
    expect(stored()).toBe('["location","sku","style"]');
    pulled();
    ensureFeedKinds(device.store.db, ['sku', 'style', 'location']);
    expect(cursors()).toEqual(['brand:SF', `store:${STORE}`]);
  });

  it('start the feeds again on a device that pulled before they were recorded', () => {
    pulled();
    ensureFeedKinds(device.store.db, ['location']);
    expect(cursors()).toEqual([]);
    expect(stored()).toBe('["location"]');
  });

  it('clearCursors forgets every scope', () => {
    pulled();
    clearCursors(device.store.db);
    expect(cursors()).toEqual([]);
    expect(count('sku')).toBe(3);
  });
});
