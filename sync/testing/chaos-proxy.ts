import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

/**
 * What the proxy does to one TCP connection. HTTP clients keep connections alive, so a fault
 * applies to a whole connection (every request sent on it), and byte counts run over the
 * connection, not per request. A test that wants one fault per request makes its client open a
 * connection per request (e.g. `Connection: close`), or checks `stats` to see how many were opened.
 */
export type Fault =
  /** Forward both ways, untouched. */
  | { kind: 'pass' }
  /** Accept and reset at once; the upstream is never contacted. */
  | { kind: 'refuse' }
  /** Forward both ways, holding every chunk (and the end of stream) for `ms`. */
  | { kind: 'delay'; ms: number }
  /**
   * Forward only the first `afterBytes` bytes of what the client sends, then end the upstream
   * (it sees a body cut mid-way, then end of stream) and reset the client. If the client sends
   * fewer bytes, the connection behaves like `pass` until it does.
   */
  | { kind: 'reset_mid_request'; afterBytes: number }
  /**
   * Forward the request, wait for the upstream's answer to start arriving (so the upstream has
   * done its work and committed), then reset the client without forwarding a byte of it.
   */
  | { kind: 'drop_response' }
  /** Forward the request; forward only the first `afterBytes` bytes of the answer, then close both. */
  | { kind: 'reset_mid_response'; afterBytes: number }
  /**
   * Accept, then nothing: the upstream is never contacted, what the client sends is swallowed, no
   * answer and no close (a host that vanished behind a NAT that still accepts).
   */
  | { kind: 'blackhole' };

export type FaultKind = Fault['kind'];

/** Picks the fault for the n-th accepted connection (0-based, counted over the proxy's life). */
export type FaultPolicy = (connectionIndex: number) => Fault;

export type ChaosProxyStats = {
  /** Connections accepted so far. */
  connections: number;
  /** Connections currently open (client side). */
  active: number;
  /** Connections accepted per fault kind. */
  byFault: Record<FaultKind, number>;
  /** Bytes a blackholed or silenced connection received and dropped (either side). */
  swallowed: number;
};

export type ChaosProxy = {
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** Live counters (read them; do not write). */
  stats: ChaosProxyStats;
  /** Changes the faults for connections accepted from now on; open connections keep theirs. */
  setPolicy(policy: FaultPolicy): void;
  /**
   * Every open connection stops forwarding, both ways, and stays open: bytes are swallowed, no end
   * or reset reaches either side (a silent socket). Connections accepted later follow the policy.
   */
  silence(): void;
  /** Resolves once no connection is open (e.g. before asserting what the upstream kept). */
  idle(): Promise<void>;
  /** Stops accepting, destroys every open connection, resolves when the listener is closed. */
  close(): Promise<void>;
};

export type ChaosProxyOptions = {
  upstream: { host: string; port: number };
  policy?: FaultPolicy;
  /** Listen on this port (a proxy started again where a closed one was, so clients keep their url); default: a free one. */
  port?: number;
};

// If the far side never closes after a cut, give up on it after this long so close()/idle() end.
const LINGER_MS = 10_000;

/** A TCP proxy on 127.0.0.1 (free port) in front of `upstream` that injects faults per connection. */
export async function startChaosProxy(options: ChaosProxyOptions): Promise<ChaosProxy> {
  let policy: FaultPolicy = options.policy ?? (() => ({ kind: 'pass' }));
  const stats: ChaosProxyStats = {
    connections: 0,
    active: 0,
    byFault: { pass: 0, refuse: 0, delay: 0, reset_mid_request: 0, drop_response: 0, reset_mid_response: 0, blackhole: 0 },
    swallowed: 0,
  };
  // resume(): unpipe() paused the socket, and a paused socket would hold the bytes instead of dropping them.
  const swallow = (socket: Socket) =>
    socket
      .on('data', (chunk: Buffer) => {
        stats.swallowed += chunk.length;
      })
      .resume();
  const sockets = new Set<Socket>();
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let idleWaiters: Array<() => void> = [];

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    });
  };

  // allowHalfOpen: a client that half-closes after its request still gets the answer.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const fault = policy(stats.connections);
    stats.connections += 1;
    stats.byFault[fault.kind] += 1;
    stats.active += 1;
    client.once('close', () => {
      stats.active -= 1;
    });
    track(client);
    client.on('error', () => undefined);
    if (fault.kind === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (fault.kind === 'blackhole') {
      swallow(client);
      return;
    }
    const upstream = connect({ host: options.upstream.host, port: options.upstream.port, allowHalfOpen: true });
    track(upstream);
    const pair = { client, upstream };
    pairs.add(pair);
    client.once('close', () => pairs.delete(pair));
    upstream.on('error', () => {
      // The upstream went away (or refused): the client sees a reset, as it would without us.
      if (!client.destroyed) client.resetAndDestroy();
    });
    client.on('error', () => upstream.destroy());
    applyFault(fault, client, upstream);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('Chaos proxy has no address');
  const port = address.port;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stats,
    setPolicy(next) {
      policy = next;
    },
    silence() {
      for (const { client, upstream } of pairs) {
        for (const socket of [client, upstream]) {
          socket.unpipe();
          // The relays' own listeners go too (delayed chunks, the end of stream): nothing more is forwarded.
          socket.removeAllListeners('data');
          socket.removeAllListeners('end');
          swallow(socket);
        }
      }
    },
    idle() {
      if (sockets.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function applyFault(fault: Exclude<Fault, { kind: 'refuse' | 'blackhole' }>, client: Socket, upstream: Socket): void {
  switch (fault.kind) {
    case 'pass':
      relay(client, upstream, 0);
      relay(upstream, client, 0);
      return;
    case 'delay':
      relay(client, upstream, fault.ms);
      relay(upstream, client, fault.ms);
      return;
    case 'reset_mid_request':
      relay(upstream, client, 0);
      cutAfter(client, upstream, fault.afterBytes, () => {
        // The client gets a reset; the upstream gets the bytes so far and then end of stream,
        // so it surely receives exactly those bytes before it notices.
        upstream.unpipe(client);
        upstream.resume(); // discard whatever it still says, so its end (and close) can arrive
        client.resetAndDestroy();
      });
      return;
    case 'drop_response':
      relay(client, upstream, 0);
      upstream.once('end', () => client.end());
      upstream.once('data', () => {
        // The answer has started: the upstream finished the request. Nobody hears of it.
        client.resetAndDestroy();
        upstream.destroy();
      });
      return;
    case 'reset_mid_response':
      relay(client, upstream, 0);
      cutAfter(upstream, client, fault.afterBytes, () => {
        client.unpipe(upstream);
        client.resume(); // discard the rest of the client's talk, so its end (and close) can arrive
        upstream.destroy();
      });
      return;
  }
}

/** Copies `from` → `to`, each chunk (and the end) held for `delayMs` when > 0, with backpressure. */
function relay(from: Socket, to: Socket, delayMs: number): void {
  if (delayMs <= 0) {
    from.pipe(to);
    return;
  }
  // Timers of equal duration fire in the order they were set, so chunks keep their order.
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed && !to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    }, delayMs);
  });
  from.once('end', () => setTimeout(() => to.end(), delayMs));
  from.once('close', () => setTimeout(() => to.destroy(), delayMs + 1));
}

/**
 * Copies `from` → `to` until `limit` bytes have passed, then ends `to` after exactly those bytes
 * and calls `onCut` to tear the rest down.
 */
function cutAfter(from: Socket, to: Socket, limit: number, onCut: () => void): void {
  let passed = 0;
  let cut = false;
  const onData = (chunk: Buffer): void => {
    if (cut) return;
    const room = limit - passed;
    if (chunk.length < room) {
      passed += chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
      return;
    }
    cut = true;
    from.off('data', onData);
    // end() flushes the bytes and then sends FIN; a destroy() here could drop bytes still queued.
    to.end(chunk.subarray(0, room));
    const linger = setTimeout(() => to.destroy(), LINGER_MS);
    linger.unref();
    to.once('close', () => clearTimeout(linger));
    onCut();
    if (!from.destroyed) from.destroy();
  };
  from.on('data', onData);
  from.once('end', () => {
    if (!cut) to.end();
  });
}
