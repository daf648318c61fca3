import type { HqMigration } from '../migrate.js';
import { CATALOG_FEEDS, CATALOG_TABLES } from './0001-create-hq/catalog.js';
import { CHANGE_LOG_TABLES } from './0001-create-hq/change-log.js';
import { IDENTITY_FEEDS, IDENTITY_TABLES } from './0001-create-hq/identity.js';
import { SALES_TABLES } from './0001-create-hq/sales.js';
import { STORE_FEEDS, STORE_TABLES } from './0001-create-hq/stores.js';
import { feedTriggersV1 } from './feed-triggers.js';
import type { FedTable } from './feed-triggers.js';

/**
 * HQ's first schema, in parts by area (./0001-create-hq/). It has shipped: what it sends the
 * database must never change, and 0001-create-hq-sql.test.ts pins it call by call. The parts are
 * joined in the order the single file had them; the four spaces at the end were the indentation
 * before the closing backtick of that file's one table batch.
 */
const TABLES = [CHANGE_LOG_TABLES, CATALOG_TABLES, STORE_TABLES, IDENTITY_TABLES, SALES_TABLES].join('') + '    ';

/** The tables 0001 feeds to devices, in the order it created their triggers. Frozen with 0001. */
export const FED_TABLES_0001: readonly FedTable[] = [...CATALOG_FEEDS, ...STORE_FEEDS, ...IDENTITY_FEEDS];

const migration: HqMigration = {
  version: 1,
  name: 'create-hq',
  up: async (sql) => {
    await sql.exec(TABLES);
    for (const { table, feeds } of FED_TABLES_0001) await sql.exec(feedTriggersV1(table, feeds));
  },
};

export default migration;
