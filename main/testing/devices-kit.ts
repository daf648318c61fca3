/**
 * Shared by the devices tests and the benchmark: a TerminalContext on a real encrypted store
 * file, and waiting for events (never sleeping).
 */
import { join } from 'node:path';
import type { EventFrame, EventName, Events } from '../api/contract.js';
import { EventBus } from '../api/event-bus.js';
import type { TerminalContext } from '../core/context.js';
import { storeInfoProvider } from '../core/store-info.js';
import { fileKeyStore } from '../store/key-store.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/open-store.js';
import { pendingCount } from '../store/outbox.js';
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';
import { standaloneSync } from '../sync/standalone-sync.js';

export type TestContext = { ctx: TerminalContext; store: Store; logs: string[]; close: () => void };

/** Opens (or reopens: a "restart") the store in `dir` and builds the context a module gets. */
export function openTestContext(dir: string): TestContext {
  const store = openStore({ path: join(dir, 'shopfloor.db'), keyStore: fileKeyStore(join(dir, 'store.key')) });
  const clock = () => new Date();
  const newId = uuidv7Generator(() => clock().getTime());
  const events = new EventBus();
  const logs: string[] = [];
  const outbox = { db: store.db, newId, clock, deviceId: 'device-test', storeId: 'store-test' };
  const ctx: TerminalContext = {
    db: store.db,
    outbox,
    events,
    clock,
    newId,
    deviceId: outbox.deviceId,
    storeId: outbox.storeId,
    store: storeInfoProvider(store.db, outbox.storeId),
    dataDir: dir,
    log: (message, detail) => logs.push(detail === undefined ? message : `${message} ${JSON.stringify(detail)}`),
    announceSync: () => standaloneSync(pendingCount(store.db)),
  };
  return { ctx, store, logs, close: () => store.close() };
}

/** Resolves with the first `name` event whose payload passes `match` (registered before the action that causes it). */
export function nextEvent<E extends EventName>(
  bus: EventBus,
  name: E,
  match: (payload: Events[E]) => boolean = () => true,
): Promise<Events[E]> {
  return new Promise((resolve) => {
    const off = bus.subscribe((frame: EventFrame) => {
      if (frame.name !== name) return;
      const payload = frame.payload as Events[E];
      if (!match(payload)) return;
      off();
      resolve(payload);
    });
  });
}

/** A sale receipt with Chinese names, a rare character, a member QR and a receipt number: 10 item lines when `lines` = 10. */
export function sampleSaleReceipt(lines = 3, receiptNo = 'S001-7F3A-261122-0042'): ReceiptDocument {
  const names = ['羽绒服 长款', '针织开衫', '牛仔裤 直筒', 'T恤 圆领', '连衣裙', '围巾 羊毛', '运动鞋', '棒球帽', '衬衫 条纹', '卫衣 连帽'];
  const items = Array.from({ length: lines }, (_, i) => {
    const unitFen = 19900 + i * 1000;
    return {
      name: names[i % names.length]!,
      detail: `SF25W${String(i + 1).padStart(4, '0')}-001-M 黑色 M`,
      qty: 1,
      unitFen,
      discountFen: 0,
      totalFen: unitFen,
    };
  });
  const total = items.reduce((n, l) => n + l.totalFen, 0);
  return {
    kind: 'sale',
    language: 'zh-CN',
    receiptNo,
    store: { name: '上海南京路店', code: 'S001', address: '南京东路 100 号' },
    deviceCode: 'POS-1',
    staffName: '王小明',
    issuedAt: '2026-11-22T10:04:05.000Z',
    timezone: 'Asia/Shanghai',
    lines: items,
    totals: { subtotalFen: total, discountFen: 0, totalFen: total, tenderedFen: total + 100, changeFen: 100 },
    tenders: [{ method: 'cash', amountFen: total + 100 }],
    member: { name: '吉𠮷', code: 'M000123', tier: 'gold', pointsEarned: Math.floor(total / 100) },
    qr: { url: 'https://m.shopfloor.example/member/M000123', caption: '扫码查看会员权益' },
    footer: ['谢谢惠顾'],
  };
}
