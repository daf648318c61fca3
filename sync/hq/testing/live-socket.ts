import { WebSocket } from 'ws';
import { SYNC_PATHS } from '../../protocol/http.js';
import type { LiveMessage } from '../../protocol/live.js';

/**
 * A test's live socket to an HQ whose authenticate() trusts an `x-sf-device` header: the messages
 * HQ sent, in order, minus its `pulls` offer (that HQ answers pulls on the channel is
 * live-pull.test.ts's business, not what the nudge and revoke tests are about).
 */
export function connectLive(url: string, deviceId: string, options: { autoPong?: boolean; path?: string } = {}) {
  const ws = new WebSocket(`${url}${options.path ?? SYNC_PATHS.live}`, {
    headers: { 'x-sf-device': deviceId },
    autoPong: options.autoPong ?? true,
  });
  const messages: LiveMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as LiveMessage;
    if (message.type === 'pulls') return;
    messages.push(message);
    for (const w of waiters.splice(0)) w();
  });
  const status = new Promise<number>((resolve) => ws.on('unexpected-response', (_q, response) => resolve(response.statusCode ?? 0)));
  ws.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  const count = async (n: number): Promise<LiveMessage[]> => {
    while (messages.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return messages.slice(0, n);
  };
  return { ws, messages, count, closed, status };
}
