import type { HqMigration } from '../migrate.js';
import m0001 from './0001-create-hq.js';
import m0002 from './0002-facts-as-of.js';
import m0003 from './0003-settle-redemptions.js';
import m0004 from './0004-move-customer-children.js';
import m0005 from './0005-customer-book.js';
import m0006 from './0006-projection-queue.js';
import m0007 from './0007-projection-row-checks.js';
import m0008 from './0008-inline-sf-iso.js';
import m0009 from './0009-event-body-json.js';
import m0010 from './0010-change-chunks.js';
import m0011 from './0011-compact-change-chunks.js';
import m0012 from './0012-event-body-text.js';
import m0013 from './0013-change-chunks-lz4.js';
import m0014 from './0014-takeover-in-customer-book.js';
import m0015 from './0015-manager-as-of.js';
import m0016 from './0016-refund-money.js';
import m0017 from './0017-finance-resolves.js';
import m0018 from './0018-settle-chunk-younger-changes.js';
import m0019 from './0019-notify-moved-staff.js';
import m0020 from './0020-overtaken-transfers.js';
import m0021 from './0021-shared-auth-limits.js';
import m0022 from './0022-admin-roles.js';
import m0023 from './0023-admin-disabled.js';

/** Every HQ migration, in order. Add a new file and one line here; never edit a shipped one. */
export const HQ_MIGRATIONS: readonly HqMigration[] = [
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
  m0015,
  m0016,
  m0017,
  m0018,
  m0019,
  m0020,
  m0021,
  m0022,
  m0023,
];
