import type { Migration } from '../migrate.js';
import m0001 from './0001-create-core.js';
import m0002 from './0002-create-print-queue.js';
import m0003 from './0003-create-checkout.js';
import m0004 from './0004-create-sync.js';
import m0005 from './0005-create-settlement.js';
import m0006 from './0006-create-payment-intents.js';
import m0007 from './0007-create-customer-book.js';
import m0008 from './0008-sku-ean-index.js';
import m0009 from './0009-guide-next-actions.js';
import m0010 from './0010-next-action-on-change.js';
import m0011 from './0011-phone-reveal-count.js';
import m0012 from './0012-sale-commit-order.js';
import m0013 from './0013-phone-lookup-count.js';
import m0014 from './0014-payment-intent-owner.js';

/** Every device migration, in order. Append only: never edit or remove one that has shipped. */
export const migrations: readonly Migration[] = [
  m0001,
  m0002,
  m0003,
  m0004,
  m0005,
  m0006,
  m0007,
  m0008,
  m0009,
  m0010,
  m0011,
  m0012,
  m0013,
  m0014,
];
