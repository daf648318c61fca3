import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * Where the device's database key lives. The Electron app keeps it sealed by the OS keystore
 * (`safeStorage`: DPAPI on Windows, libsecret/kwallet on Linux); the browser host and tests use
 * a 0600 key file, which only protects against other users of the machine, not against someone
 * holding the disk. A remote wipe calls `destroy()`: without the key the database is noise.
 */
export type KeyStore = {
  /** A short name for logs and the status screen, e.g. `file` or `safeStorage`. */
  readonly kind: string;
  /** The existing 32-byte key, or null if this device has none yet. */
  load(): Buffer | null;
  /** Creates, persists and returns a new random 32-byte key. Refuses to overwrite an existing one. */
  create(): Buffer;
  /** Irrecoverably forgets the key. */
  destroy(): void;
};

export const KEY_BYTES = 32;

export class KeyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

/** Seals/unseals a key for storage at rest; identity for the plain key file. */
export type KeySealer = { seal(key: Buffer): Buffer; unseal(blob: Buffer): Buffer };

/** A key kept in one file, optionally sealed (the Electron adapter passes safeStorage as the sealer). */
export function fileKeyStore(path: string, sealer?: KeySealer, kind = 'file'): KeyStore {
  return {
    kind,
    load() {
      if (!existsSync(path)) return null;
      if (!sealer && process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
        throw new KeyStoreError(`Key file ${path} is readable by other users; expected mode 0600`);
      }
      const blob = readFileSync(path);
      const key = sealer ? sealer.unseal(blob) : Buffer.from(blob.toString('utf8').trim(), 'hex');
      if (key.length !== KEY_BYTES) throw new KeyStoreError(`Key file ${path} does not hold a ${KEY_BYTES}-byte key`);
      return key;
    },
    create() {
      if (existsSync(path)) throw new KeyStoreError(`Key file ${path} exists; refusing to replace a device key`);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const key = randomBytes(KEY_BYTES);
      const blob = sealer ? sealer.seal(key) : Buffer.from(key.toString('hex') + '\n');
      // Durable before the first sale is: a power cut must not leave a store whose key is lost.
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, blob);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      chmodSync(path, 0o600);
      syncDirectory(dirname(path));
      return key;
    },
    destroy() {
      if (!existsSync(path)) return;
      // Overwrite before unlinking so the key does not linger in the file's old blocks.
      writeFileSync(path, randomBytes(256));
      rmSync(path);
    },
  };
}

/** Makes a new file's directory entry durable (a no-op where directories cannot be opened, e.g. Windows). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported on this platform; the file's own fsync is the best there is.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
