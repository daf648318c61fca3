import type { Migration } from '../migrate.js';
import m0001 from './0001-create-core.js';

/** Every device migration, in order. Append only: never edit or remove one that has shipped. */
export const migrations: readonly Migration[] = [m0001];
