import { describe, expect, it } from 'vitest';
import { loadSession, mayWorkFinanceLists, saveSession } from './session.js';

/** sessionStorage as the browser has it, in memory. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

describe('the console’s session', () => {
  const now = new Date('2026-12-08T09:00:00Z');

  it('keeps the signed-in account’s role, and lets only finance and owners work the lists', () => {
    const storage = memoryStorage();
    saveSession(storage, { name: 'fin', token: 't'.repeat(40), expiresAt: '2026-12-08T21:00:00Z', role: 'finance' });
    expect(loadSession(storage, now)).toEqual({ name: 'fin', token: 't'.repeat(40), expiresAt: '2026-12-08T21:00:00Z', role: 'finance' });
    expect(['owner', 'finance', 'it', 'operations'].map((role) => mayWorkFinanceLists(role))).toEqual([true, true, false, false]);
  });

  it('asks to sign in again for a session saved before HQ said roles', () => {
    const storage = memoryStorage();
    storage.setItem(
      'shopfloor.console.session',
      JSON.stringify({ name: 'admin', token: 't'.repeat(40), expiresAt: '2026-12-08T21:00:00Z' }),
    );
    expect(loadSession(storage, now)).toBeNull();
  });
});
