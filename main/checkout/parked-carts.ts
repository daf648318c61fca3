import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { CartData } from './cart.js';

/** What a parked cart keeps: the cart's own facts, not its payments or a return. */
export type ParkedData = Pick<CartData, 'items' | 'memberId' | 'coupons' | 'points'>;

export type ParkedRow = { id: string; note: string; data: ParkedData; parkedAt: string; staffName: string | null };

/**
 * Carts put aside on this device (`parked_cart`). Device-local working state, not a business
 * fact: no outbox event (a parked cart sells nothing).
 */
export class ParkedCarts {
  private readonly insert: Statement;
  private readonly list: Statement<[], { id: string; note: string; cart: string; parked_at: string; staff_name: string | null }>;
  private readonly one: Statement<[string], { cart: string }>;
  private readonly remove: Statement<[string]>;

  constructor(db: Database) {
    this.insert = db.prepare('INSERT INTO parked_cart (id, staff_id, note, cart, parked_at) VALUES (?, ?, ?, ?, ?)');
    this.list = db.prepare(
      'SELECT p.id, p.note, p.cart, p.parked_at, s.name AS staff_name FROM parked_cart p LEFT JOIN staff s ON s.id = p.staff_id ORDER BY p.parked_at',
    );
    this.one = db.prepare('SELECT cart FROM parked_cart WHERE id = ?');
    this.remove = db.prepare('DELETE FROM parked_cart WHERE id = ?');
  }

  park(id: string, staffId: string, note: string, data: ParkedData, at: string): void {
    this.insert.run(id, staffId, note, JSON.stringify(data), at);
  }

  all(): ParkedRow[] {
    return this.list
      .all()
      .map((r) => ({ id: r.id, note: r.note, data: JSON.parse(r.cart) as ParkedData, parkedAt: r.parked_at, staffName: r.staff_name }));
  }

  /** Takes a parked cart off the list; undefined when there is none with that id. */
  take(id: string): ParkedData | undefined {
    const row = this.one.get(id);
    if (!row) return undefined;
    this.remove.run(id);
    return JSON.parse(row.cart) as ParkedData;
  }
}
