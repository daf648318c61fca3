import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';

/** Where the PostgreSQL server binaries are and how to run them (as `postgres` when we are root). */
export type PostgresBinaries = {
  binDir: string;
  /** Non-null when we are root: PostgreSQL refuses to run as root, so commands go through runuser. */
  runAs: { user: string; uid: number; gid: number } | null;
};

/**
 * Finds initdb/pg_ctl: `PG_BIN` if set, else the newest /usr/lib/postgresql/<major>/bin (Debian's
 * layout; CI apt-installs `postgresql`, whose major version follows the distribution). Null when
 * absent, or when we are root and there is no `postgres` user to run them as.
 */
export function findPostgresBinaries(): PostgresBinaries | null {
  const binDir = process.env.PG_BIN ?? newestDebianBinDir();
  if (!binDir || !existsSync(join(binDir, 'initdb')) || !existsSync(join(binDir, 'pg_ctl'))) return null;
  if (userInfo().uid !== 0) return { binDir, runAs: null };
  const runAs = lookUpUser('postgres');
  return runAs ? { binDir, runAs } : null;
}

/** The argv that runs a PostgreSQL tool with these binaries (through runuser when root). */
export function postgresCommand(bins: PostgresBinaries, tool: string, args: string[]): [string, string[]] {
  const path = join(bins.binDir, tool);
  return bins.runAs ? ['runuser', ['-u', bins.runAs.user, '--', path, ...args]] : [path, args];
}

/** Runs a PostgreSQL tool to completion; rejects with its output when it fails. */
export function runPostgresTool(bins: PostgresBinaries, tool: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const [file, argv] = postgresCommand(bins, tool, args);
  return new Promise((resolve, reject) => {
    execFile(file, argv, { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${tool} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

function newestDebianBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => b - a);
  return majors.length > 0 ? join(root, String(majors[0]), 'bin') : null;
}

function lookUpUser(user: string): { user: string; uid: number; gid: number } | null {
  try {
    const passwd = execFileSync('getent', ['passwd', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const [, , uid, gid] = passwd.trim().split(':');
    return uid && gid ? { user, uid: Number(uid), gid: Number(gid) } : null;
  } catch {
    return null;
  }
}
