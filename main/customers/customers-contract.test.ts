import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, CUSTOMER_PAGE_MAX } from '../api/contract.js';
import { memberCodeOf } from '../../fixtures/checkout-sample.js';
import { customersKit } from '../testing/test-customers.js';
import type { CustomersKit } from '../testing/test-customers.js';

/**
 * The book is never handed out: this walks every method of the API contract, as nobody, a guide
 * and a manager, with the inputs most likely to pull customers out (every scope and query kind of
 * the list, the largest page, other stores' codes, ids and numbers), and fails if any answer
 * carries more than one page of customers or a single customer of another store. The device holds
 * rows of another store here on purpose (HQ never sends them): the API must not show them.
 */
const FOREIGN_STORE = 'loc-S999';
const GUIDE = 'S001-04';
const MANAGER = 'S001-01';

let kit: CustomersKit;
let own: Set<string>;
let foreign: { id: string; name: string; phone: string }[];
let guideId: string;

beforeAll(() => {
  kit = customersKit({ skus: 120, customers: 900 });
  const db = kit.db;
  guideId = (db.prepare('SELECT id FROM staff WHERE code = ?').get(GUIDE) as { id: string }).id;
  db.exec(`INSERT INTO location (id, kind, code, name_zh, name_en, city_zh, city_en, lat, lng, timezone)
           VALUES ('${FOREIGN_STORE}', 'store', 'S999', '外店', 'Elsewhere', '北京', 'Beijing', 39.9, 116.4, 'Asia/Shanghai')`);
  const customer = db.prepare(
    `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at) VALUES (?, ?, ?, ?, 'gold', 10, ?, ?)`,
  );
  const code = db.prepare('INSERT INTO member_code (code, customer_id) VALUES (?, ?)');
  const tag = db.prepare(
    `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES (?, 'VIP', ?, 'manual', '2026-01-01T00:00:00.000Z')`,
  );
  const task = db.prepare(
    `INSERT INTO customer_task (id, store_id, guide_id, customer_id, kind, name_zh, name_en, script_zh, script_en, due_at, status)
     VALUES (?, ?, ?, ?, 'reactivate', '唤醒', 'Wake', '…', '…', '2026-11-01T00:00:00.000Z', 'open')`,
  );
  db.transaction(() => {
    for (let i = 0; i < 30; i++) {
      const id = `cus-9${String(i).padStart(5, '0')}`;
      // Bound to our guide and pooled, tagged and tasked: tempting for every scope and query.
      customer.run(
        id,
        FOREIGN_STORE,
        `王外${i}`,
        `1390000${String(i).padStart(4, '0')}`,
        i % 2 ? guideId : null,
        '2026-01-01T00:00:00.000Z',
      );
      code.run(memberCodeOf(id), id);
      tag.run(id, FOREIGN_STORE);
      task.run(`tsk-foreign-${i}`, FOREIGN_STORE, i % 2 ? guideId : null, id);
    }
  })();
  own = new Set(db.prepare(`SELECT id FROM customer WHERE store_id = 'loc-S001'`).pluck().all() as string[]);
  foreign = db.prepare(`SELECT id, name, phone FROM customer WHERE store_id = ?`).all(FOREIGN_STORE) as typeof foreign;
});
afterAll(() => kit.close());

/** Inputs that try hardest to pull customers out, per method; every method is also called with `{}`. */
function probes(): Record<string, unknown[]> {
  const f = foreign[1]!;
  const [ownId] = own;
  const queries = ['', '#VIP', 'VIP', f.phone.slice(-4), f.phone, memberCodeOf(f.id), f.name.slice(0, 1), '王'];
  const list = ['mine', 'store', 'pool'].flatMap((scope) =>
    queries.flatMap((query) => [
      { scope, query, limit: CUSTOMER_PAGE_MAX },
      { scope, query, limit: CUSTOMER_PAGE_MAX, offset: CUSTOMER_PAGE_MAX },
      { scope, query, tag: 'VIP', limit: CUSTOMER_PAGE_MAX },
    ]),
  );
  const ids = [f.id, ownId];
  return {
    'customers.list': list,
    'customers.profile': ids.map((customerId) => ({ customerId })),
    'customers.revealPhone': ids.map((customerId) => ({ customerId, reason: 'walk', purpose: 'verify' })),
    'customers.addNote': ids.map((customerId) => ({ customerId, body: 'walk' })),
    'customers.addTag': ids.map((customerId) => ({ customerId, tag: 'walk' })),
    'customers.logContact': ids.map((customerId) => ({ customerId, channel: 'visit', outcome: 'reached' })),
    'customers.setConsent': ids.map((customerId) => ({ customerId, consent: true })),
    'customers.bind': [{ memberCode: memberCodeOf(f.id) }],
    'customers.assign': ids.map((customerId) => ({ customerId, guideId })),
    'customers.tasks': ['open', 'done'].flatMap((status) => [
      { status, limit: CUSTOMER_PAGE_MAX },
      { status, limit: CUSTOMER_PAGE_MAX, offset: CUSTOMER_PAGE_MAX },
    ]),
    'customers.completeTask': [{ taskId: 'tsk-foreign-1', channel: 'visit', outcome: 'reached' }],
    'checkout.identifyMember': [{ code: memberCodeOf(f.id) }, { phone: f.phone }],
    'sales.byMember': [{ memberId: f.id }],
    'catalog.lookup': [{ query: f.name }],
  };
}

/** Every string in an answer that is a customer id (of any store). */
function customerIds(value: unknown, all: ReadonlySet<string>, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (all.has(value)) out.add(value);
  } else if (Array.isArray(value)) for (const v of value) customerIds(v, all, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) customerIds(v, all, out);
  return out;
}

describe('the API contract and the customer book', () => {
  it('answers no call with more than one page of customers or a customer of another store', async () => {
    const all = new Set([...own, ...foreign.map((f) => f.id)]);
    const foreignIds = new Set(foreign.map((f) => f.id));
    const table = probes();
    const methods = Object.entries(contract).flatMap(([domain, ms]) => Object.keys(ms).map((m) => `${domain}.${m}`));
    expect(methods).toContain('customers.list');
    let answers = 0;
    let withCustomers = 0;
    for (const caller of [null, GUIDE, MANAGER]) {
      for (const name of methods) {
        const [domain, method] = name.split('.') as [string, string];
        for (const input of [{}, ...(table[name] ?? [])]) {
          if (caller) await kit.login(caller);
          else await kit.terminal.dispatch('staff', 'logout', {}, { transport: 'test', connectionId: 'walk' });
          const result = await kit.terminal.dispatch(domain, method, input, { transport: 'test', connectionId: 'walk' });
          answers++;
          if (!result.ok) continue;
          const ids = customerIds(result.value, all);
          if (ids.size > 0) withCustomers++;
          const leaked = [...ids].filter((id) => foreignIds.has(id));
          expect(leaked, `${caller ?? 'nobody'} ${name}(${JSON.stringify(input)}) shows another store's customers`).toEqual([]);
          expect(ids.size, `${caller ?? 'nobody'} ${name}(${JSON.stringify(input)}) shows more than a page`).toBeLessThanOrEqual(
            CUSTOMER_PAGE_MAX,
          );
        }
      }
    }
    // The walk reached the book: full pages came back (the guide's and the store's have more than a page).
    expect(answers).toBeGreaterThan(500);
    expect(withCustomers).toBeGreaterThan(20);
    await kit.login(MANAGER);
    const full = await kit.call<{ items: unknown[]; total: number }>('customers', 'list', { scope: 'store', limit: CUSTOMER_PAGE_MAX });
    expect(full.total).toBe(own.size);
    expect(full.items).toHaveLength(CUSTOMER_PAGE_MAX);
  }, 120_000);
});
