import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdminAccount, AdminLoginAnswer } from '../../protocol/finance.js';
import type { HqDb, Sql } from '../db.js';
import { HqHttpError } from '../http-error.js';
import type { AdminRole, AdminSession } from './admin-roles.js';

/** Admin passwords: scrypt, per-user salt. Logins are rare, so the cost can be higher than a PIN's. */
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;
/** An admin session lasts a working day. */
export const ADMIN_TOKEN_TTL_MS = 12 * 3600_000;

function scryptHex(password: string, saltHex: string): Promise<string> {
  const { N, r, p, keylen } = SCRYPT;
  return new Promise((resolve, reject) => {
    scrypt(password, Buffer.from(saltHex, 'hex'), keylen, { N, r, p }, (error, key) =>
      error ? reject(error) : resolve(key.toString('hex')),
    );
  });
}

/** Tokens are random and stored only as a hash: a leaked table opens no session. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Sets an admin's password. A new one ends every session opened with the old (a password reset
 * after a leak must lock the holder of a stolen token out too); the same one again changes
 * nothing, so HQ's start, which sets SHOPFLOOR_ADMIN_PASSWORD every time, logs no one out.
 * An account it creates gets `role` (default owner: HQ's first `admin`); an existing one keeps its role.
 */
export async function setAdminPassword(sql: Sql, name: string, password: string, role: AdminRole = 'owner'): Promise<void> {
  const [user] = await sql.query<{ password_salt: string; password_hash: string }>(
    'SELECT password_salt, password_hash FROM admin_user WHERE name = $1',
    [name],
  );
  if (user && (await passwordMatches(password, user))) return;
  const salt = randomBytes(16).toString('hex');
  const hash = await scryptHex(password, salt);
  await sql.query(
    `INSERT INTO admin_user (name, password_salt, password_hash, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET password_salt = excluded.password_salt, password_hash = excluded.password_hash`,
    [name, salt, hash, role],
  );
  await sql.query('DELETE FROM admin_token WHERE admin = $1', [name]);
}

/** Whether `password` is the one `user` has (compared in constant time). */
async function passwordMatches(password: string, user: { password_salt: string; password_hash: string }): Promise<boolean> {
  const actual = Buffer.from(await scryptHex(password, user.password_salt), 'hex');
  const expected = Buffer.from(user.password_hash, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export async function adminLogin(db: HqDb, name: string, password: string, now: Date): Promise<AdminLoginAnswer> {
  const [user] = await db.query<{ password_salt: string; password_hash: string; role: AdminRole; disabled: boolean }>(
    'SELECT password_salt, password_hash, role, disabled_at IS NOT NULL AS disabled FROM admin_user WHERE name = $1',
    [name],
  );
  // Hash even for an unknown name, so the answer time does not tell which names exist.
  const known = await passwordMatches(password, user ?? { password_salt: '00', password_hash: '' });
  if (!user || !known) throw new HqHttpError(401, 'unauthenticated', 'wrong name or password');
  // Said only to whoever knows the password: the clerk who left, not a guesser.
  if (user.disabled) throw new HqHttpError(401, 'unauthenticated', `${name} is disabled: ask an owner`);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ADMIN_TOKEN_TTL_MS);
  await db.query('DELETE FROM admin_token WHERE expires_at < $1', [now]);
  // Stored only while the password checked above is still the admin's: a new password (another HQ
  // process starting with a new SHOPFLOOR_ADMIN_PASSWORD) deletes the sessions that exist when it
  // commits, and a token inserted after that delete would outlive it. FOR SHARE waits for a
  // password change under way and then re-reads the row, so the check sees the committed hash. The
  // same holds for an owner disabling the account meanwhile.
  const stored = await db.query(
    `INSERT INTO admin_token (token_hash, admin, expires_at)
     SELECT $1, u.name, $3 FROM admin_user u WHERE u.name = $2 AND u.password_hash = $4 AND u.disabled_at IS NULL FOR SHARE
     RETURNING token_hash`,
    [tokenHash(token), name, expiresAt, user.password_hash],
  );
  if (stored.length === 0) throw new HqHttpError(401, 'unauthenticated', 'wrong name or password');
  return { token, expiresAt: expiresAt.toISOString(), name, role: user.role };
}

/** The token of an `Authorization: Bearer …` header; 401 when there is none or it is malformed. */
function bearerToken(authorization: string | undefined): string {
  const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(authorization ?? '');
  if (!m) throw new HqHttpError(401, 'unauthenticated', 'an admin token is required (Authorization: Bearer …)');
  return m[1] as string;
}

/**
 * The admin a bearer token belongs to, with their role as it is now (an owner's change holds for
 * sessions already open); 401 when the token is missing, unknown, expired, signed out or its
 * account disabled.
 */
export async function adminOfToken(db: HqDb, authorization: string | undefined, now: Date): Promise<AdminSession> {
  const token = bearerToken(authorization);
  const [row] = await db.query<AdminSession>(
    `SELECT u.name, u.role FROM admin_token t JOIN admin_user u ON u.name = t.admin
     WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.disabled_at IS NULL`,
    [tokenHash(token), now],
  );
  if (!row) throw new HqHttpError(401, 'unauthenticated', 'the admin token is unknown or expired');
  return { name: row.name, role: row.role };
}

/**
 * Signs a session out: the token of `authorization` stops working at HQ at once (someone who copied
 * it off a shared PC cannot go on). Idempotent: a token already signed out, expired or never known
 * ends nothing and is no error, so the console may retry a sign-out whose answer it did not get.
 */
export async function adminLogout(db: HqDb, authorization: string | undefined): Promise<void> {
  await db.query('DELETE FROM admin_token WHERE token_hash = $1', [tokenHash(bearerToken(authorization))]);
}

/** What a request's token was found to be: the admin routes' hook checks it, their handlers ask again. */
const requestAdmins = new WeakMap<object, Promise<AdminSession>>();

/**
 * The admin of an admin API request (`adminOfToken` on its Authorization header), read once per
 * request: the hook that checks every admin route's token before its body is read and the handler
 * that then acts as that admin share the one lookup.
 */
export function adminSessionOfRequest(
  db: HqDb,
  request: { headers: { authorization?: string | undefined } },
  now: Date,
): Promise<AdminSession> {
  let admin = requestAdmins.get(request);
  if (!admin) {
    admin = adminOfToken(db, request.headers.authorization, now);
    requestAdmins.set(request, admin);
  }
  return admin;
}

/** The name of the admin of an admin API request (adminSessionOfRequest): who a handler acts as. */
export async function adminOfRequest(db: HqDb, request: { headers: { authorization?: string | undefined } }, now: Date): Promise<string> {
  return (await adminSessionOfRequest(db, request, now)).name;
}

/** The owners' rows and `name`'s, locked: two owners demoting or disabling each other at once cannot both pass the check. */
async function lockOwnersAnd(sql: Sql, name: string): Promise<AdminAccount[]> {
  return sql.query<AdminAccount>(
    `SELECT name, role, disabled_at IS NOT NULL AS disabled FROM admin_user
     WHERE role = 'owner' OR name = $1 ORDER BY name FOR UPDATE`,
    [name],
  );
}

/** Whether `rows` (lockOwnersAnd) hold an enabled owner other than `name`: a disabled one manages nothing. */
function anotherOwner(rows: AdminAccount[], name: string): boolean {
  return rows.some((r) => r.role === 'owner' && !r.disabled && r.name !== name);
}

/**
 * Creates an admin account with `role` and `password`, or changes an existing one's role (and its
 * password, when given: a new one ends its sessions, and opens a disabled account again — an owner
 * giving a returning clerk a password means it). A new account needs a password. The last owner
 * cannot give up the role: no one would be left to manage accounts.
 */
export async function saveAdminAccount(db: HqDb, account: { name: string; role: AdminRole; password?: string }): Promise<AdminAccount> {
  const { name, role, password } = account;
  return db.tx(async (sql) => {
    const rows = await lockOwnersAnd(sql, name);
    const existing = rows.find((r) => r.name === name);
    if (!existing && password === undefined) throw new HqHttpError(400, 'bad_request', `${name} is a new account: give it a password`);
    if (existing?.role === 'owner' && !existing.disabled && role !== 'owner' && !anotherOwner(rows, name))
      throw new HqHttpError(409, 'bad_request', `${name} is the last owner: make another account an owner first`);
    if (password !== undefined) await setAdminPassword(sql, name, password, role);
    const [saved] = await sql.query<AdminAccount>(
      `UPDATE admin_user SET role = $2, disabled_at = CASE WHEN $3::boolean THEN NULL ELSE disabled_at END WHERE name = $1
       RETURNING name, role, disabled_at IS NOT NULL AS disabled`,
      [name, role, password !== undefined],
    );
    return saved as AdminAccount;
  });
}

/**
 * Disables an admin account (a clerk who left): it cannot log in and every session it has open
 * ends at once. The row stays for the audit trail. Idempotent; 404 for an unknown name; the last
 * enabled owner cannot be disabled (themselves included): no one would be left to manage accounts.
 */
export async function disableAdminAccount(db: HqDb, name: string, now: Date): Promise<AdminAccount> {
  return db.tx(async (sql) => {
    const rows = await lockOwnersAnd(sql, name);
    const existing = rows.find((r) => r.name === name);
    if (!existing) throw new HqHttpError(404, 'not_found', `no admin account ${name}`);
    if (existing.role === 'owner' && !existing.disabled && !anotherOwner(rows, name))
      throw new HqHttpError(409, 'bad_request', `${name} is the last owner: make another account an owner first`);
    await sql.query('UPDATE admin_user SET disabled_at = coalesce(disabled_at, $2) WHERE name = $1', [name, now]);
    await sql.query('DELETE FROM admin_token WHERE admin = $1', [name]);
    return { name, role: existing.role, disabled: true };
  });
}

/** Every admin account, its role and whether it is disabled, by name. */
export function adminAccounts(db: HqDb): Promise<AdminAccount[]> {
  return db.query<AdminAccount>('SELECT name, role, disabled_at IS NOT NULL AS disabled FROM admin_user ORDER BY name');
}

export type FirstAdmin = { name: string; created: boolean; passwordFile: string | null };

/**
 * Makes sure HQ has an admin. SHOPFLOOR_ADMIN_PASSWORD (when given) sets the `admin` password;
 * otherwise a fresh HQ gets a generated one, written to a 0600 file in its data folder and shown
 * once by the caller — never a default password anyone could guess.
 */
export async function ensureFirstAdmin(
  db: HqDb,
  options: { password?: string; dataDir?: string },
): Promise<FirstAdmin & { password?: string }> {
  const name = 'admin';
  if (options.password) {
    await setAdminPassword(db, name, options.password);
    return { name, created: true, passwordFile: null };
  }
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM admin_user');
  if ((row?.n ?? 0) > 0) return { name, created: false, passwordFile: null };
  const password = randomBytes(18).toString('base64url');
  await setAdminPassword(db, name, password);
  let passwordFile: string | null = null;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    passwordFile = join(options.dataDir, 'admin-password.txt');
    writeFileSync(passwordFile, `${name}\n${password}\n`, { mode: 0o600 });
    chmodSync(passwordFile, 0o600);
  }
  return { name, created: true, passwordFile, password };
}
