/**
 * Starts a private PostgreSQL and prints its URL; it stops on SIGINT/SIGTERM, when this process
 * dies, or after its lifetime. Handy by hand (`DATABASE_URL=… npx vitest run sync`) and used by the
 * watchdog test, which SIGKILLs this process. Prints one JSON line: { url, port, pid, dataDir }.
 * Usage: tsx sync/testing/start-postgres-cli.ts [lifetimeS] [--no-fsync]
 */
import { startPostgres } from './postgres-server.js';

const lifetimeArg = process.argv.slice(2).find((arg) => /^\d+$/.test(arg));
const server = await startPostgres({ lifetimeS: lifetimeArg ? Number(lifetimeArg) : 900, fsync: !process.argv.includes('--no-fsync') });
process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, pid: server.pid, dataDir: server.dataDir })}\n`);
const stop = (): void => {
  server.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Stay alive until a signal: the watchdog ends the server if we die otherwise.
setInterval(() => undefined, 1 << 30);
