import { z } from 'zod';
import { normalizeFingerprint } from './signing.js';

/**
 * Enrolment: IT creates a one-time code for a store; the device makes an Ed25519 key pair and
 * sends the code with its public key, signed with the new private key (proof it holds it).
 */
export const ENROL_CODE_PATTERN = /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/;
const uuidv7 = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
/** Raw 32-byte Ed25519 public key, base64. */
export const publicKeySchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);
const signature = z.string().regex(/^[A-Za-z0-9+/]{86}==$/);

export const enrolRequestSchema = z
  .object({
    code: z.string().regex(ENROL_CODE_PATTERN),
    /** The device's own id (made at its first start, already on its outbox events). */
    deviceId: uuidv7,
    publicKey: publicKeySchema,
    /** Signature of enrolProofText(code, deviceId) with the new private key. */
    proof: signature,
    appVersion: z.string().min(1).max(64),
    hostname: z.string().max(128),
  })
  .strict();
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

export function enrolProofText(code: string, deviceId: string, publicKey: string): string {
  return `SF1-ENROL\n${code}\n${deviceId}\n${publicKey}`;
}

export const enrolResponseSchema = z
  .object({
    deviceId: uuidv7,
    storeId: z.string(),
    storeCode: z.string(),
    brand: z.string(),
    /** Unique among the store's devices: the device part of receipt numbers. */
    receiptCode: z.string().regex(/^[0-9A-Z]{2,4}$/),
    scopes: z.array(z.string()),
  })
  .strict();
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;

export const rotateKeyRequestSchema = z.object({ publicKey: publicKeySchema, proof: signature }).strict();
export type RotateKeyRequest = z.infer<typeof rotateKeyRequestSchema>;
export function rotateProofText(deviceId: string, publicKey: string): string {
  return `SF1-ROTATE\n${deviceId}\n${publicKey}`;
}

/**
 * What IT hands a store: the one-time code, and HQ's key fingerprint after an `@`
 * (`ABCD-EFGH-JKLM@7QKM-2WXR-C9DP-H4TN`), so a device enrolling over plain HTTP can tell the
 * real HQ from a machine posing as it. The fingerprint may also come on its own
 * (`--hq-fingerprint`); over HTTPS the certificate already proves who answers.
 */
/** Splits `CODE` or `CODE@FINGERPRINT` (any case, blanks around it ignored); null when it is neither. */
export function parseEnrolment(text: string): { code: string; fingerprint: string | null } | null {
  const [code = '', fingerprint, ...rest] = text.trim().toUpperCase().split('@');
  if (rest.length > 0 || !ENROL_CODE_PATTERN.test(code)) return null;
  if (fingerprint === undefined) return { code, fingerprint: null };
  const normal = normalizeFingerprint(fingerprint);
  return normal ? { code, fingerprint: normal } : null;
}

/** The text IT hands out (and the QR encodes): the code with HQ's fingerprint. */
export function enrolmentText(code: string, fingerprint: string): string {
  return `${code}@${fingerprint}`;
}
