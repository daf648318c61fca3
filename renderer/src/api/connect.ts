import { ApiClient } from './api-client.js';
import { MessagePortChannel } from './message-port-channel.js';
import { WebSocketChannel } from './websocket-channel.js';
import type { Channel } from './channel.js';

const TOKEN_KEY = 'shopfloor.token';

/**
 * Picks the transport. The browser host opens the page as `/#token=<hex>`: a token means
 * WebSocket. Without one we are in Electron and wait for the preload's MessagePort.
 *
 * The token is taken out of the visible URL (history, screenshots) and kept in sessionStorage,
 * which is per tab and per origin, so a reload of the same tab still connects.
 */
export function openChannel(win: Window): Channel {
  const token = takeHashToken(win) ?? readStoredToken(win);
  if (token === undefined) return new MessagePortChannel(win);
  return new WebSocketChannel({ url: `ws://${win.location.host}/api`, token });
}

export function connect(win: Window): ApiClient {
  return new ApiClient(openChannel(win));
}

function takeHashToken(win: Window): string | undefined {
  const params = new URLSearchParams(win.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (!token) return undefined;
  const { pathname, search } = win.location;
  win.history.replaceState(win.history.state, '', pathname + search);
  try {
    win.sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage can be disabled; the page then just cannot reconnect after a reload.
  }
  return token;
}

function readStoredToken(win: Window): string | undefined {
  try {
    return win.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
