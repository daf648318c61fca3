import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyStore, KeyStoreError } from '../store/key-store.js';
import { safeStorageSealer } from './safe-storage-sealer.js';
import type { SafeStorageLike } from './safe-storage-sealer.js';

/** Stands in for the OS keystore: a reversible transform, so a test can tell sealed from plain. */
function fakeSafeStorage(state: { available?: boolean; backend?: ReturnType<SafeStorageLike['getSelectedStorageBackend']> } = {}) {
  return {
    isEncryptionAvailable: () => state.available ?? true,
    getSelectedStorageBackend: () => state.backend ?? 'gnome_libsecret',
    encryptString: (text: string) => Buffer.from(`sealed:${Buffer.from(text).toString('base64')}`),
    decryptString: (blob: Buffer) => {
      const text = blob.toString();
      if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice('sealed:'.length), 'base64').toString();
    },
  } satisfies SafeStorageLike;
}

const dirs: string[] = [];
function keyPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shopfloor-sealer-'));
  dirs.push(dir);
  return join(dir, 'store.key.sealed');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('safeStorageSealer', () => {
  it('keeps the key sealed on disk and gives the same key back', () => {
    const path = keyPath();
    const store = fileKeyStore(path, safeStorageSealer(fakeSafeStorage(), { platform: 'linux' }), 'safeStorage');
    const key = store.create();
    expect(store.load()?.equals(key)).toBe(true);
    expect(readFileSync(path, 'utf8')).not.toContain(key.toString('hex'));
  });

  it('refuses to seal or unseal when the OS keystore is unavailable', () => {
    const path = keyPath();
    const storage = { available: true };
    const store = fileKeyStore(path, safeStorageSealer(fakeSafeStorage(storage), { platform: 'win32' }));
    store.create();
    storage.available = false;
    expect(() => store.load()).toThrow(/OS keystore is not available/);
    expect(() => fileKeyStore(keyPath(), safeStorageSealer(fakeSafeStorage(storage))).create()).toThrow(KeyStoreError);
  });

  it("treats Linux's basic_text backend as no keystore unless allowed", () => {
    const storage = fakeSafeStorage({ backend: 'basic_text' });
    expect(() => safeStorageSealer(storage, { platform: 'linux' }).seal(Buffer.alloc(32, 1))).toThrow(/basic_text/);
    const allowed = safeStorageSealer(storage, { platform: 'linux', allowBasicText: true });
    expect(allowed.unseal(allowed.seal(Buffer.alloc(32, 1))).equals(Buffer.alloc(32, 1))).toBe(true);
  });

  it('explains a key sealed by another keystore instead of returning garbage', () => {
    const sealer = safeStorageSealer(fakeSafeStorage(), { platform: 'linux' });
    expect(() => sealer.unseal(Buffer.from('from another machine'))).toThrow(/cannot be opened by this user's keystore/);
  });
});
