import type { z } from 'zod';
import { fromYearOne } from './fields.js';
import { saleCompletedSchema } from './sale.js';

/**
 * A fast check of a `sale.completed` payload, for HQ's push (a store back online pushes thousands
 * of sales at once): `true` only for a payload `saleCompletedSchema` accepts. `false` means "not sure":
 * the caller then asks the schema, which decides and says what is wrong. So the schema stays the
 * one definition of a valid sale; this only skips it for the payloads a till writes.
 *
 * It may be stricter than the schema, never looser: sale-fast-check.test.ts checks that against
 * the schema on valid sales of every shape and on thousands of broken ones, breaking every field
 * the schema has (read from the schema itself: a field added there is broken too, and fails the
 * test until this checks it).
 */
export function surelySaleCompleted(p: unknown): boolean {
  if (!isObject(p)) return false;
  return (
    isId(p.saleId) &&
    isText(p.receiptNo, 1, 64) &&
    (p.kind === 'sale' || p.kind === 'return' || p.kind === 'exchange') &&
    typeof p.businessDay === 'string' &&
    DATE.test(p.businessDay) &&
    fromYearOne(p.businessDay) &&
    isId(p.tillSessionId) &&
    isId(p.staffId) &&
    (p.customerId === null || isId(p.customerId)) &&
    (p.originalSaleId === null || isId(p.originalSaleId)) &&
    every(p.lines, 1000, isLine) &&
    every(p.tenders, 100, isTender) &&
    every(p.coupons, 50, isCoupon) &&
    (p.points === null || isPoints(p.points)) &&
    isTotals(p.totals) &&
    typeof p.offline === 'boolean' &&
    typeof p.createdAt === 'string' &&
    DATETIME.test(p.createdAt) &&
    fromYearOne(p.createdAt) &&
    (p.serviceGuideId === undefined || p.serviceGuideId === null || isId(p.serviceGuideId))
  );
}

/** The schema's own patterns for `businessDay` (`z.iso.date()`) and `createdAt` (`z.iso.datetime()`), so the two never differ. */
const DATE = patternOf(saleCompletedSchema.shape.businessDay);
const DATETIME = patternOf(saleCompletedSchema.shape.createdAt);

/** A string format's own pattern; where a schema has none (a zod that keeps it elsewhere), one that matches nothing, so nothing is sure. */
export function patternOf(schema: z.ZodType): RegExp {
  return (schema._zod.def as { pattern?: RegExp }).pattern ?? /(?!)/;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isText(v: unknown, min: number, max: number): boolean {
  return typeof v === 'string' && v.length >= min && v.length <= max;
}

function isId(v: unknown): boolean {
  return isText(v, 1, 64);
}

function isInt(v: unknown, min: number, max: number): boolean {
  // Number.isSafeInteger is false for anything but a number (NaN, infinities, fractions, past 2^53 too).
  return Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
}

function isFen(v: unknown): boolean {
  return isInt(v, -1e12, 1e12);
}

function every(v: unknown, max: number, check: (item: unknown) => boolean): boolean {
  if (!Array.isArray(v) || v.length > max) return false;
  for (const item of v) if (!check(item)) return false;
  return true;
}

function isLine(l: unknown): boolean {
  return (
    isObject(l) &&
    isId(l.lineId) &&
    isText(l.sku, 1, 64) &&
    isInt(l.qty, -100_000, 100_000) &&
    isFen(l.listUnitFen) &&
    isFen(l.unitFen) &&
    isFen(l.discountFen) &&
    isFen(l.totalFen) &&
    every(l.promotions, 50, (x) => isObject(x) && isId(x.id) && isFen(x.discountFen)) &&
    (l.originalLineId === null || isId(l.originalLineId))
  );
}

function isTender(t: unknown): boolean {
  return (
    isObject(t) &&
    isText(t.method, 1, 32) &&
    isFen(t.amountFen) &&
    (t.reference === null || isText(t.reference, 0, 200)) &&
    (t.providerRef === null || isText(t.providerRef, 0, 200)) &&
    (t.insteadOf === undefined || isText(t.insteadOf, 1, 32))
  );
}

function isCoupon(c: unknown): boolean {
  return isObject(c) && isText(c.code, 1, 64) && isFen(c.discountFen) && typeof c.spentOffline === 'boolean';
}

function isPoints(p: unknown): boolean {
  return isObject(p) && isInt(p.redeemed, 0, 1e9) && isFen(p.valueFen) && typeof p.spentOffline === 'boolean' && isInt(p.earned, -1e9, 1e9);
}

function isTotals(t: unknown): boolean {
  return (
    isObject(t) &&
    isFen(t.subtotalFen) &&
    isFen(t.discountFen) &&
    isFen(t.totalFen) &&
    isFen(t.refundFen) &&
    isFen(t.netFen) &&
    isFen(t.changeFen)
  );
}
