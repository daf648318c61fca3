import type { PullRequest } from '../protocol/feed.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { LiveUnavailableError } from './live.js';
import type { LiveAnswer, LiveChannel } from './live.js';
import { DEFAULT_TIMEOUT_MS, readAnswer } from './signed-http.js';
import type { SignedClient } from './signed-http.js';

/**
 * A signed client whose pulls go over the live channel while it is up: no signature and nonce per
 * request (HQ checked the device when the socket opened), HQ's answer signed as over HTTP and
 * checked the same way. Everything else, and a pull the channel cannot carry (down, dropped
 * before the answer, an answer HQ did not sign), goes over HTTP.
 */
export function liveFirstClient(
  http: SignedClient,
  live: () => LiveChannel | null,
  options: { timeoutMs?: number; log: (message: string, detail?: unknown) => void },
): SignedClient {
  return {
    async post(path, body, schema, post) {
      const channel = live();
      if (path !== SYNC_PATHS.pull || !channel?.canPull()) return http.post(path, body, schema, post);
      let answer: LiveAnswer;
      try {
        answer = await channel.pull(body as PullRequest, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      } catch (error) {
        if (!(error instanceof LiveUnavailableError)) throw error;
        options.log('sync: a pull went over HTTP instead of the live channel', error.message);
        return http.post(path, body, schema, post);
      }
      // Signed by HQ: the live channel checked it before handing it over.
      return readAnswer({ status: answer.status, text: answer.text, distrust: null, path }, schema);
    },
  };
}
