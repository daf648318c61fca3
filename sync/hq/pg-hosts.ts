import pg from 'pg';

/** One PostgreSQL server of a multi-host URL. */
export type PgHost = { host: string; port: number };

/**
 * A PostgreSQL URL as libpq reads it, with one host or several:
 * `postgresql://user@h1:5432,h2:5433/db?target_session_attrs=read-write`. node-postgres (pg 8,
 * pg-connection-string 2) takes one host only and ignores target_session_attrs, so HQ picks the
 * host itself (createHostSelector) and hands pg a one-host URL (`urlFor`).
 */
export type PgTarget = {
  hosts: readonly PgHost[];
  /** target_session_attrs=read-write (or several hosts, where anything else is not what HQ needs): only a writable primary will do. */
  readWrite: boolean;
  /** The same URL naming only `host` (target_session_attrs dropped: pg does not know it). */
  urlFor(host: PgHost): string;
};

/** A database URL HQ cannot use: the message says what is wrong with it. */
export class DatabaseUrlError extends Error {
  readonly code = 'bad_database_url';
}

/** No server of the URL is reachable and writable right now (a failover under way): retry later. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'SF_DB_UNAVAILABLE';
}

const URL_SHAPE = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)(.*)$/;

/**
 * Whether HQ must choose the host itself: several hosts, or `target_session_attrs` (pg 8 reads
 * neither). Any other URL goes to pg as it is, with whatever pg accepts (sockets, PGHOST, …).
 */
export function needsHostSelection(url: string): boolean {
  const match = URL_SHAPE.exec(url);
  return match !== null && ((match[3] ?? '').includes(',') || /[?&]target_session_attrs=/.test(match[4] ?? ''));
}

export function parsePgTarget(url: string): PgTarget {
  const match = URL_SHAPE.exec(url);
  if (!match) throw new DatabaseUrlError('DATABASE_URL must start with postgresql:// (or postgres://)');
  const [, scheme = '', userInfo, hostList = '', rest = ''] = match;
  const hosts = hostList === '' ? [] : hostList.split(',').map((text) => parseHost(text));
  if (hosts.length === 0) throw new DatabaseUrlError('DATABASE_URL names no host (postgresql://user@host:5432/db)');
  const [path, query = ''] = splitOnce(rest, '?');
  const params = new URLSearchParams(query);
  const attrs = params.get('target_session_attrs');
  if (attrs !== null && attrs !== 'read-write' && attrs !== 'any' && attrs !== 'primary')
    throw new DatabaseUrlError(`DATABASE_URL: target_session_attrs=${attrs} is not supported (HQ writes: use read-write)`);
  params.delete('target_session_attrs');
  const search = params.toString();
  return {
    hosts,
    readWrite: attrs === 'read-write' || attrs === 'primary' || (attrs === null && hosts.length > 1),
    urlFor: (h) =>
      `${scheme}${userInfo === undefined ? '' : `${userInfo}@`}${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}${path}${search ? `?${search}` : ''}`,
  };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function parseHost(text: string): PgHost {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text);
  const port = match?.[3] === undefined ? 5432 : Number(match[3]);
  const host = match?.[1] ?? match?.[2];
  if (!host || port < 1 || port > 65535) throw new DatabaseUrlError(`DATABASE_URL: "${text}" is not a host[:port]`);
  return { host: decodeURIComponent(host), port };
}

export type HostSelector = {
  /** The writable server: the one found last, else each is asked (at once) and the first writable in the URL's order wins. */
  pick(): Promise<PgHost>;
  /** `host` failed or turned read-only: the next pick() asks every server again. */
  invalidate(host: PgHost): void;
};

/** How long a probe may take to connect and answer: a host that vanished must not hold up the others. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Finds the writable server of a multi-host URL the way libpq's target_session_attrs=read-write
 * does: connect, ask `pg_is_in_recovery()` (a standby answers true), take a primary. After a
 * failover the old primary refuses connections (or comes back as a standby) and the connection
 * that notices calls invalidate(); one probe round then finds the promoted standby. Concurrent
 * pick()s share one probe round.
 */
export function createHostSelector(target: PgTarget, log?: (message: string, detail?: unknown) => void): HostSelector {
  let current: PgHost | null = null;
  let probing: Promise<PgHost> | null = null;
  const probe = async (host: PgHost): Promise<boolean> => {
    const client = new pg.Client({ connectionString: target.urlFor(host), connectionTimeoutMillis: PROBE_TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ standby: boolean }>({
        text: 'SELECT pg_is_in_recovery() AS standby',
        query_timeout: PROBE_TIMEOUT_MS,
      } as pg.QueryConfig);
      return rows[0]?.standby === false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const discover = async (): Promise<PgHost> => {
    // Every host is asked at once; the first writable one in URL order wins as soon as it and the
    // hosts before it have answered (a later host that vanished silently is not waited for).
    const probes = target.hosts.map((h) =>
      probe(h).then(
        (writable) => ({ status: 'fulfilled' as const, value: writable }),
        (error: unknown) => ({ status: 'rejected' as const, reason: error }),
      ),
    );
    const results: Awaited<(typeof probes)[number]>[] = [];
    let found: PgHost | undefined;
    for (const [i, pending] of probes.entries()) {
      const result = await pending;
      results.push(result);
      if (result.status === 'fulfilled' && result.value) {
        found = target.hosts[i];
        break;
      }
    }
    if (!found) {
      const why = results.map((r, i) => `${hostText(target.hosts[i])}: ${r.status === 'fulfilled' ? 'read-only' : reason(r.reason)}`);
      throw new DatabaseUnavailableError(`no writable PostgreSQL server (${why.join('; ')})`);
    }
    if (!current || hostText(current) !== hostText(found)) log?.('postgres primary', hostText(found));
    current = found;
    return found;
  };
  return {
    pick() {
      if (current) return Promise.resolve(current);
      probing ??= discover().finally(() => {
        probing = null;
      });
      return probing;
    },
    invalidate(host) {
      if (current && hostText(current) === hostText(host)) current = null;
    },
  };
}

function hostText(host: PgHost | undefined): string {
  return host ? `${host.host}:${host.port}` : '?';
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

type ConnectCallback = (error: Error | undefined) => void;

const failedConnects = new WeakSet<Error>();

/**
 * The error came from connecting to the server HQ last knew as primary, before any statement was
 * sent: trying again (the selector then asks every host) cannot do anything twice. What the first
 * request after a failover meets when its pool had no connection to notice the loss with.
 */
export function isFailedConnect(error: unknown): boolean {
  return error instanceof Error && failedConnects.has(error);
}

/**
 * A pg.Client class whose connect() goes to the selector's writable server and checks it still is
 * one (a demoted primary that came back as a standby accepts connections but refuses writes).
 * For pg.Pool's `Client` option and HQ's LISTEN connections.
 */
export function failoverClientClass(target: PgTarget, selector: HostSelector): typeof pg.Client {
  class FailoverClient extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<pg.Client> | void {
      const connecting = this.connectToPrimary();
      if (!callback) return connecting;
      connecting.then(
        () => callback(undefined),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    private async connectToPrimary(): Promise<pg.Client> {
      const host = await selector.pick();
      // pg connects to this.host/this.port (set from the URL at construction): point them at the primary.
      const self = this as unknown as { host: string; port: number; connectionParameters: { host: string; port: number } };
      self.host = self.connectionParameters.host = host.host;
      self.port = self.connectionParameters.port = host.port;
      try {
        await super.connect();
      } catch (error) {
        selector.invalidate(host);
        if (error instanceof Error) failedConnects.add(error);
        throw error;
      }
      const { rows } = await this.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
      if (rows[0]?.standby !== false) {
        selector.invalidate(host);
        await this.end().catch(() => undefined);
        throw new DatabaseUnavailableError(`${hostText(host)} is a standby now`);
      }
      // A connection the server ended (not we: pg sets _ending in end()) means the primary may be
      // gone: the next connect asks every host again instead of trying the dead one first.
      this.once('end', () => {
        if (!(this as unknown as { _ending?: boolean })._ending) selector.invalidate(host);
      });
      return this;
    }
  }
  return target.readWrite ? FailoverClient : pg.Client;
}
