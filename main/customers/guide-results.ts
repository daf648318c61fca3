import receiptline from 'receiptline';
import type { CustomerTag, GuideView, MonthResult, ResultsView, StaffView } from '../api/contract.js';
import type { StoreInfoProvider } from '../core/store-info.js';
import type { CustomerAccess } from './customer-access.js';
import type { CustomerViews } from './customer-views.js';

type ResultRow = {
  sales_fen: number;
  sales_count: number;
  service_fen: number;
  service_count: number;
  new_members: number;
  tasks_done: number;
};

/** `YYYY-MM` of an instant in the store's time zone (HQ keys results by the store-local month too). */
export function storeMonth(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit' }).format(at).slice(0, 7);
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The guide's "my results", the store's guides and tags, and the QR a customer scans to bind to a guide. */
export class GuideResults {
  constructor(
    private readonly access: CustomerAccess,
    private readonly views: CustomerViews,
    private readonly store: StoreInfoProvider,
    private readonly clock: () => Date,
  ) {}

  /** HQ's figures (every channel, every store), as of the last sync: this month against the last. */
  results(staff: StaffView): ResultsView {
    const current = storeMonth(this.clock(), this.store().timezone);
    const read = (month: string): MonthResult => {
      const r = this.access
        .prepared<[string, string], ResultRow>(
          'SELECT sales_fen, sales_count, service_fen, service_count, new_members, tasks_done FROM guide_result WHERE staff_id = ? AND month = ?',
        )
        .get(staff.id, month);
      return {
        month,
        salesFen: r?.sales_fen ?? 0,
        salesCount: r?.sales_count ?? 0,
        serviceFen: r?.service_fen ?? 0,
        serviceCount: r?.service_count ?? 0,
        newMembers: r?.new_members ?? 0,
        tasksDone: r?.tasks_done ?? 0,
      };
    };
    return { current: read(current), previous: read(previousMonth(current)) };
  }

  guides(): GuideView[] {
    return this.access
      .prepared<[string], GuideView>(
        `SELECT s.id, s.code, s.name, s.role, (SELECT count(*) FROM customer c WHERE c.store_id = s.store_id AND c.guide_id = s.id) AS book
           FROM staff s WHERE s.store_id = ? AND s.active = 1 AND s.role IN ('guide', 'manager') ORDER BY s.code`,
      )
      .all(this.access.storeId);
  }

  /** The tags in use in the store, most used first (at most 40: they are filter chips, not data). */
  tags(): CustomerTag[] {
    return this.access
      .prepared<[string], { tag: string; source: 'auto' | 'manual' }>(
        `SELECT tag, min(source) AS source FROM customer_tag WHERE store_id = ? GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 40`,
      )
      .all(this.access.storeId)
      .map((t) => this.views.tag(t.tag, t.source));
  }

  /** What the guide's QR carries: the mini-program binds the customer who scans it through HQ (POST /admin/v1/bindings). */
  guideQr(staff: StaffView): { payload: string; svg: string } {
    const payload = `SFBIND:${this.store().code}:${staff.code}`;
    return { payload, svg: receiptline.transform(`{code:${payload}; option:qrcode,6}`, { command: 'svg' }) };
  }
}
