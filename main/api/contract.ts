/**
 * The renderer ↔ main API, declared once. Both transports (Electron MessagePort and the
 * browser host's WebSocket) carry exactly these calls and events, and main validates every
 * input against the schemas here before a handler sees it.
 *
 * This file is shared with the renderer as a *type-only* import: keep it free of Node,
 * DOM and database code (zod and plain types only).
 */
import { z } from 'zod';

/**
 * The closed set of error codes a call can answer with. The UI translates each one;
 * adding a code means adding its translation (renderer/src/i18n).
 *
 * - `BAD_INPUT`: the input did not match the method's schema (details in `issues`).
 * - `UNKNOWN_METHOD`: no such domain/method on this version of the terminal.
 * - `NOT_FOUND`: a well-formed key that is not in the local store (e.g. an unknown barcode).
 * - `INVALID_BARCODE`: a code that looks like a barcode but is malformed (wrong check digit, bad length).
 * - `STORE_UNAVAILABLE`: the local store could not be opened (corrupt, wrong key, newer than the app).
 * - `UNAUTHORIZED`: the caller is not allowed to drive this terminal.
 * - `CONFLICT`: the change conflicts with the current state.
 * - `INTERNAL`: a bug; the message is safe to show, the details are in the log.
 */
export const ERROR_CODES = [
  'BAD_INPUT',
  'UNKNOWN_METHOD',
  'NOT_FOUND',
  'INVALID_BARCODE',
  'STORE_UNAVAILABLE',
  'UNAUTHORIZED',
  'CONFLICT',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type ApiError = {
  code: ErrorCode;
  message: string;
  /** Field-level problems for BAD_INPUT: a path like `query` and what is wrong with it. */
  issues?: { path: string; message: string }[];
};

/** Every call answers with this; nothing is thrown across the wire. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** A name in both UI languages. */
export type I18nName = { zh: string; en: string };

export type Language = 'zh-CN' | 'en';

export type SkuView = {
  sku: string;
  ean: string;
  styleCode: string;
  colourCode: string;
  colour: I18nName;
  size: string;
  priceFen: number;
  active: boolean;
  /** On hand in this device's store; negative never appears (clamped by the store). */
  stock: number;
};

export type StyleSummary = {
  styleCode: string;
  name: I18nName;
  category: I18nName;
  priceFen: number;
  skuCount: number;
  stock: number;
};

export type StyleView = StyleSummary & {
  brand: string;
  season: string;
  colours: { code: string; name: I18nName }[];
  sizes: string[];
  skus: SkuView[];
};

export type LookupResult =
  | { match: 'sku'; by: 'ean' | 'upc' | 'sku'; sku: SkuView; style: StyleView }
  | { match: 'style'; style: StyleView }
  | { match: 'search'; styles: StyleSummary[]; truncated: boolean };

export type ScanKind = 'product' | 'unknown' | 'malformed';

/** A classified scan, from any scanner (keyboard-wedge now; serial and USB-HID drivers feed the same event). */
export type ScanEvent = {
  id: string;
  source: 'wedge' | 'serial' | 'hid';
  raw: string;
  kind: ScanKind;
  /** For products: the code normalised to EAN-13 (UPC-A gains its leading 0). */
  code?: string;
  symbology?: 'ean13' | 'upca' | 'ean8';
  /** For malformed scans: why (`empty`, `bad_length`, `bad_check_digit`), for the UI to translate. */
  reason?: 'empty' | 'bad_length' | 'bad_check_digit';
  at: string;
};

export const wedgeSettingsSchema = z
  .object({
    /** Longest gap between two keys of one scan. Fast scanners ~10 ms, slow ones up to ~80–100 ms. */
    maxInterKeyMs: z.number().int().min(5).max(200),
    /** Shorter bursts are treated as typing. */
    minLength: z.number().int().min(3).max(64),
    terminator: z.enum(['Enter', 'Tab']),
    /** Characters some scanners send before/after the code; stripped. */
    prefix: z.string().max(8),
    suffix: z.string().max(8),
  })
  .strict();
export type WedgeSettings = z.infer<typeof wedgeSettingsSchema>;

export const settingsSchema = z
  .object({
    language: z.enum(['zh-CN', 'en']),
    kiosk: z.boolean(),
    wedge: wedgeSettingsSchema,
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export type StoreProblem = {
  reason: 'corrupt' | 'unreadable' | 'too_new' | 'io';
  path: string;
  message: string;
};

export type SystemStatus =
  | {
      state: 'ready';
      appVersion: string;
      deviceId: string;
      store: { id: string; code: string; name: I18nName; timezone: string };
      catalog: { styles: number; skus: number };
      settings: Settings;
      sync: SyncState;
    }
  | { state: 'store_error'; appVersion: string; problem: StoreProblem };

export type SyncState = {
  /** HQ sync arrives with the sync issue; until then the terminal runs standalone. */
  hq: 'not_configured' | 'online' | 'offline';
  pendingEvents: number;
  lastSyncAt: string | null;
};

const code = z.string().trim().min(1).max(64);
const empty = z.object({}).strict();

/** Binds a method's output type to its input schema (the output is not validated at runtime: main produces it). */
function method<O>() {
  return <I extends z.ZodType>(input: I) => ({ input, output: undefined as unknown as O });
}

export const contract = {
  system: {
    /** What the terminal is, whether its store opened, and its sync state. Never fails. */
    status: method<SystemStatus>()(empty),
  },
  catalog: {
    /** EAN-13 / UPC-A / EAN-8 (check digit verified), SKU, style code, or a name (prefix or part). */
    lookup: method<LookupResult>()(z.object({ query: code }).strict()),
    /** A style's size/colour matrix with store stock. */
    style: method<StyleView>()(z.object({ styleCode: code }).strict()),
  },
  scanner: {
    /** A scan seen by the renderer's keyboard-wedge detector. Main classifies it and emits `scanned`. */
    submit: method<ScanEvent>()(
      z
        .object({
          raw: z.string().min(1).max(512),
          source: z.literal('wedge'),
        })
        .strict(),
    ),
  },
  settings: {
    get: method<Settings>()(empty),
    /** Partial update; writes the settings and an audit event to the outbox in one transaction. */
    update: method<Settings>()(
      z
        .object({
          language: settingsSchema.shape.language.optional(),
          kiosk: z.boolean().optional(),
          wedge: wedgeSettingsSchema.partial().strict().optional(),
        })
        .strict(),
    ),
  },
} as const;

export type Contract = typeof contract;
export type Domain = keyof Contract;
export type MethodName<D extends Domain> = keyof Contract[D] & string;
type MethodDef<D extends Domain, M extends MethodName<D>> = Contract[D][M] extends {
  input: infer I;
  output: infer O;
}
  ? { input: I; output: O }
  : never;
/** What a caller passes (before defaults/transforms). */
export type Input<D extends Domain, M extends MethodName<D>> =
  MethodDef<D, M>['input'] extends z.ZodType ? z.input<MethodDef<D, M>['input']> : never;
/** What a handler receives (validated, transformed). */
export type ParsedInput<D extends Domain, M extends MethodName<D>> =
  MethodDef<D, M>['input'] extends z.ZodType ? z.output<MethodDef<D, M>['input']> : never;
export type Output<D extends Domain, M extends MethodName<D>> = MethodDef<D, M>['output'];

/** Events main pushes to every connected renderer. */
export type Events = {
  scanned: ScanEvent;
  'sync.state': SyncState;
  'settings.changed': Settings;
};
export type EventName = keyof Events;

/** Frames on the wire, the same on both transports. */
export type RequestFrame = { t: 'req'; id: number; domain: string; method: string; input: unknown };
export type ResponseFrame = { t: 'res'; id: number; result: Result<unknown> };
export type EventFrame<E extends EventName = EventName> = { t: 'evt'; name: E; payload: Events[E] };
export type ServerFrame = ResponseFrame | EventFrame;

export const requestFrameSchema = z
  .object({
    t: z.literal('req'),
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    domain: z.string().max(64),
    method: z.string().max(64),
    input: z.unknown().optional(),
  })
  .strict();

/** The WebSocket subprotocol of this contract's version; the token travels as a second subprotocol. */
export const WS_PROTOCOL = 'shopfloor.v1';
export const WS_TOKEN_PREFIX = 'token.';
