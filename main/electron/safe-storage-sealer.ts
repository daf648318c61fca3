import type { SafeStorage } from 'electron';
import { KeyStoreError } from '../store/key-store.js';
import type { KeySealer } from '../store/key-store.js';

/** The part of Electron's `safeStorage` the sealer uses; tests pass a fake. */
export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'>;

export type SafeStorageSealerOptions = {
  platform?: NodeJS.Platform;
  /**
   * Accept Linux's `basic_text` backend. Without a keyring (libsecret/kwallet) Electron "encrypts"
   * with a password hard-coded in Chromium, so the sealed key is as good as plain text on a
   * stolen disk. Only for devices where IT has decided that is acceptable.
   */
  allowBasicText?: boolean;
};

/** Throws, with what to do about it, when safeStorage cannot actually protect the key. */
function assertProtected(safeStorage: SafeStorageLike, options: SafeStorageSealerOptions): void {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new KeyStoreError(
      'The OS keystore is not available (safeStorage), so the database key cannot be protected; ' +
        'the store stays closed. On Linux, install and unlock a keyring (gnome-keyring or kwallet).',
    );
  }
  const platform = options.platform ?? process.platform;
  if (platform === 'linux' && !options.allowBasicText && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    throw new KeyStoreError(
      'No keyring found (safeStorage backend is basic_text: a hard-coded password), so the database key ' +
        'cannot be protected; the store stays closed. Install and unlock gnome-keyring or kwallet, or set ' +
        'SHOPFLOOR_ALLOW_BASIC_TEXT_KEYSTORE=1 if IT accepts an unprotected key on this device.',
    );
  }
}

/**
 * Seals the database key with the OS keystore (DPAPI on Windows, Keychain on macOS, libsecret or
 * kwallet on Linux). The check runs on every seal/unseal rather than once at start-up because
 * safeStorage only answers after the app is ready, and a keyring can disappear between runs.
 */
export function safeStorageSealer(safeStorage: SafeStorageLike, options: SafeStorageSealerOptions = {}): KeySealer {
  return {
    seal(key) {
      assertProtected(safeStorage, options);
      return safeStorage.encryptString(key.toString('hex'));
    },
    unseal(blob) {
      assertProtected(safeStorage, options);
      let hex: string;
      try {
        hex = safeStorage.decryptString(blob);
      } catch (error) {
        // Another user's or another machine's keystore: the key file was copied or the profile was reset.
        throw new KeyStoreError(`The sealed database key cannot be opened by this user's keystore: ${String(error)}`);
      }
      if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) throw new KeyStoreError('The sealed database key is not a hex key');
      return Buffer.from(hex, 'hex');
    },
  };
}
