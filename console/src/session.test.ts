import { describe, expect, it } from 'vitest';
import { loadSession, mayWorkFinanceLists, saveSession, signOut } from './session.js';

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

describe('signing out', () => {
  const session = { name: 'fin', token: 't'.repeat(40), expiresAt: '2026-12-08T21:00:00Z', role: 'finance' };

  it('ends the token at HQ and forgets it here', async () => {
    const storage = memoryStorage();
    saveSession(storage, session);
    const ended: string[] = [];
    const outcome = await signOut(storage, session, async (token) => void ended.push(token));
    expect(ended).toEqual([session.token]);
    expect(outcome).toBe('ended');
    expect(loadSession(storage, new Date('2026-12-08T09:00:00Z'))).toBeNull();
  });

  it('still forgets the token here when HQ cannot be reached, and says HQ did not hear it', async () => {
    const storage = memoryStorage();
    saveSession(storage, session);
    const outcome = await signOut(storage, session, () => Promise.reject(new Error('HQ cannot be reached')));
    expect(outcome).toBe('local-only');
    expect(loadSession(storage, new Date('2026-12-08T09:00:00Z'))).toBeNull();
  });
});
