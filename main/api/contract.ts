/**
 * The renderer ↔ main API, declared once. Both transports (Electron MessagePort and the
 * browser host's WebSocket) carry exactly these calls and events, and main validates every
 * input against the schemas here before a handler sees it.
 *
 * This file is shared with the renderer as a *type-only* import: keep it free of Node,
 * DOM and database code (zod and plain types only).
 */
import { z } from 'zod';
import { catalogContract } from './domains/catalog.js';
import { cashupContract } from './domains/cashup.js';
import type { CashupEvents } from './domains/cashup.js';
import { checkoutContract, returnsContract, salesContract } from './domains/checkout.js';
import type { CheckoutEvents } from './domains/checkout.js';
import { staffContract } from './domains/staff.js';
import type { StaffEvents } from './domains/staff.js';
import { devicesContract } from './domains/devices.js';
import type { DevicesEvents } from './domains/devices.js';
import { scannerContract } from './domains/scanner.js';
import type { ScannerEvents } from './domains/scanner.js';
import { settingsContract } from './domains/settings.js';
import type { SettingsEvents } from './domains/settings.js';
import { systemContract } from './domains/system.js';
import type { SystemEvents } from './domains/system.js';
import { syncContract } from './domains/sync.js';
import { customersContract } from './domains/customers.js';
import type { CustomersEvents } from './domains/customers.js';

/**
 * The closed set of error codes a call can answer with. The UI translates each one;
 * adding a code means adding its translation (renderer/src/i18n).
 *
 * - `BAD_INPUT`: the input did not match the method's schema (details in `issues`).
 * - `UNKNOWN_METHOD`: no such domain/method on this version of the terminal.
 * - `NOT_FOUND`: a well-formed key that is not in the local store (e.g. an unknown barcode).
 * - `INVALID_BARCODE`: a code that looks like a barcode but is malformed (wrong check digit, bad length).
 * - `STORE_UNAVAILABLE`: the local store could not be opened (corrupt, wrong key, newer than the app).
 * - `CONFLICT`: the change conflicts with the current state.
 * - `INTERNAL`: a bug; the message is safe to show, the details are in the log.
 * - `DEVICE_NOT_CONFIGURED`: the peripheral (printer, drawer) is not in the device profile.
 * - `DEVICE_UNAVAILABLE`: the peripheral is configured but cannot be reached or refused (offline, unplugged).
 * - Checkout: `NOT_LOGGED_IN` (no staff session), `SESSION_LOCKED` (screen locked: unlock with the PIN),
 *   `WRONG_PIN` (message says attempts left), `STAFF_LOCKED` (too many wrong PINs; wait), `FORBIDDEN`
 *   (the role may not do this), `APPROVAL_REQUIRED` (a manager's approval token is needed),
 *   `SKU_INACTIVE` (discontinued, not sellable), `COUPON_EXPIRED`, `COUPON_USED` (already spent, also
 *   on this device), `COUPON_NOT_APPLICABLE` (threshold, stacking, other member), `POINTS_INSUFFICIENT`,
 *   `TENDER_SHORT` (something still due), `PAYMENT_OFFLINE` (mobile payment needs the network),
 *   `PAYMENT_DECLINED`, `RETURN_EXCEEDS_SALE` (more than was sold on this device), `TILL_NOT_OPEN`
 *   (open the business day with a float first), `CART_EMPTY`.
 * - Customer book: `CONTACT_LIMIT` (the store's do-not-disturb rule: contacted too often lately),
 *   `OPTED_OUT` (the customer opted out of contact, or never consented), `REVEAL_LIMIT` (this staff
 *   member saw as many full phone numbers as allowed, 20 an hour and 60 a day; the message says when
 *   to try again), `LOOKUP_LIMIT` (this staff member searched by a full mobile number that found
 *   nobody too often, 30 times an hour or 100 a day: searches by a full number wait; the message
 *   says until when).
 */
export const ERROR_CODES = [
  'BAD_INPUT',
  'UNKNOWN_METHOD',
  'NOT_FOUND',
  'INVALID_BARCODE',
  'STORE_UNAVAILABLE',
  'CONFLICT',
  'INTERNAL',
  'DEVICE_NOT_CONFIGURED',
  'DEVICE_UNAVAILABLE',
  'NOT_LOGGED_IN',
  'SESSION_LOCKED',
  'WRONG_PIN',
  'STAFF_LOCKED',
  'FORBIDDEN',
  'APPROVAL_REQUIRED',
  'SKU_INACTIVE',
  'COUPON_EXPIRED',
  'COUPON_USED',
  'COUPON_NOT_APPLICABLE',
  'POINTS_INSUFFICIENT',
  'TENDER_SHORT',
  'PAYMENT_OFFLINE',
  'PAYMENT_DECLINED',
  'RETURN_EXCEEDS_SALE',
  'TILL_NOT_OPEN',
  'CART_EMPTY',
  'CONTACT_LIMIT',
  'OPTED_OUT',
  'REVEAL_LIMIT',
  'LOOKUP_LIMIT',
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

export type { I18nName, Language } from './domains/common.js';
export type { LookupResult, SkuView, StyleSummary, StyleView } from './domains/catalog.js';
export type { ScanEvent, ScanKind } from './domains/scanner.js';
export { settingsSchema, wedgeSettingsSchema } from './domains/settings.js';
export type { Settings, WedgeSettings } from './domains/settings.js';
export type { Provisioning, StoreProblem, SyncState, SystemStatus } from './domains/system.js';
export type { DeadLetterView } from './domains/sync.js';
export { APPROVAL_ACTIONS } from './domains/staff.js';
export type { Approval, ApprovalAction, Capability, SessionState, StaffPermissions, StaffRole, StaffView } from './domains/staff.js';
export type {
  AppliedCoupon,
  AppliedPromotion,
  CartLine,
  CartState,
  CartTender,
  CartTotals,
  CouponKind,
  ManualDiscount,
  MemberCoupon,
  MemberView,
  ParkedCart,
  PromotionKind,
  ReturnLine,
  SaleKind,
  SaleLineView,
  SaleResult,
  SaleSummary,
  SaleView,
  ScanOutcome,
  TenderInput,
  TenderMethod,
  Tier,
} from './domains/checkout.js';
export type { CashReport, TenderTotal, TillDrawer, TillMoved, TillState } from './domains/cashup.js';
export { CUSTOMER_PAGE_MAX } from './domains/customers.js';
export type {
  ContactChannel,
  ContactOutcome,
  ContactView,
  CustomerPage,
  CustomerProfile,
  CustomerScope,
  CustomerSummary,
  CustomerTag,
  GuideView,
  MonthResult,
  NoteView,
  PurchaseView,
  RequestKind,
  RequestView,
  ResultsView,
  StaffRef,
  TaskPage,
  TaskStatus,
  TaskView,
} from './domains/customers.js';
export {
  deviceProfileSchema,
  drawerProfileSchema,
  printerProfileSchema,
  scannerProfileSchema,
  serialLineSchema,
} from './domains/devices.js';
export type {
  DeviceProfile,
  DevicesStatus,
  DrawerOpening,
  DrawerProfile,
  DrawerPulse,
  DrawerStatus,
  HidDeviceInfo,
  PrinterConnection,
  PrinterProblem,
  PrinterProfile,
  PrinterStatus,
  PrintHoldReason,
  PrintJobState,
  PrintJobView,
  PrintQueueSummary,
  ReceiptPreview,
  ScannerErrorCounts,
  ScannerProfile,
  ScannerStatus,
  ScanTerminator,
  SerialLine,
  SerialPortInfo,
} from './domains/devices.js';

/**
 * Every domain's methods. A new domain: declare it in `domains/<name>.ts` (its schemas, output
 * types and events), add it here and to `Events`, implement its handlers — each with its guard —
 * in `main/<domain>/<domain>-module.ts`, and plug the module into `main/app/terminal.ts`.
 */
export const contract = {
  system: systemContract,
  catalog: catalogContract,
  scanner: scannerContract,
  settings: settingsContract,
  devices: devicesContract,
  staff: staffContract,
  checkout: checkoutContract,
  returns: returnsContract,
  sales: salesContract,
  cashup: cashupContract,
  sync: syncContract,
  customers: customersContract,
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
export type Input<D extends Domain, M extends MethodName<D>> = MethodDef<D, M>['input'] extends z.ZodType
  ? z.input<MethodDef<D, M>['input']>
  : never;
/** What a handler receives (validated, transformed). */
export type ParsedInput<D extends Domain, M extends MethodName<D>> = MethodDef<D, M>['input'] extends z.ZodType
  ? z.output<MethodDef<D, M>['input']>
  : never;
export type Output<D extends Domain, M extends MethodName<D>> = MethodDef<D, M>['output'];

/** Events main pushes to every connected renderer. */
export type Events = ScannerEvents &
  SettingsEvents &
  SystemEvents &
  DevicesEvents &
  StaffEvents &
  CheckoutEvents &
  CashupEvents &
  CustomersEvents;
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
