import { describe, expect, it } from 'vitest';
import { isAppPage, senderProblem } from './trusted-page.js';
import type { FrameInfo } from './trusted-page.js';

const page = '/opt/Shopfloor/resources/app.asar/dist/renderer/index.html';
const pageUrl = 'file:///opt/Shopfloor/resources/app.asar/dist/renderer/index.html';

describe('isAppPage', () => {
  it('accepts the app page, whatever its hash route or query', () => {
    expect(isAppPage(pageUrl, page, false)).toBe(true);
    expect(isAppPage(`${pageUrl}#/checkout`, page, false)).toBe(true);
    expect(isAppPage(`${pageUrl}?lang=en#x`, page, false)).toBe(true);
  });

  it('accepts the spellings Chromium may use for the same file', () => {
    expect(isAppPage('file:///opt/Shopfloor/resources/app.asar/dist/main/../renderer/index.html', page, false)).toBe(true);
    expect(isAppPage('file:///opt/My%20Apps/index.html', '/opt/My Apps/index.html', false)).toBe(true);
  });

  it('refuses other files, other schemes and file URLs with a host', () => {
    expect(isAppPage('file:///opt/Shopfloor/resources/app.asar/dist/renderer/other.html', page, false)).toBe(false);
    expect(isAppPage('file:///tmp/index.html', page, false)).toBe(false);
    expect(isAppPage('https://evil.example/opt/Shopfloor/resources/app.asar/dist/renderer/index.html', page, false)).toBe(false);
    expect(isAppPage('file://evil.example/opt/Shopfloor/resources/app.asar/dist/renderer/index.html', page, false)).toBe(false);
    expect(isAppPage('file:///opt/Shopfloor/resources/app.asar/dist/renderer%2Findex.html', page, false)).toBe(false);
    expect(isAppPage('about:blank', page, false)).toBe(false);
    expect(isAppPage('not a url', page, false)).toBe(false);
  });

  it('compares case-insensitively only when asked (Windows paths)', () => {
    const upper = pageUrl.replace('Shopfloor', 'SHOPFLOOR');
    expect(isAppPage(upper, page, false)).toBe(false);
    expect(isAppPage(upper, page, true)).toBe(true);
  });
});

describe('senderProblem', () => {
  const mainFrame: FrameInfo = { processId: 4, routingId: 1, url: pageUrl, parent: null };

  it('accepts our main frame showing the app page', () => {
    expect(senderProblem({ ...mainFrame, url: `${pageUrl}#/` }, mainFrame, page)).toBeUndefined();
  });

  it('refuses a gone frame, a sub-frame, another frame and another page', () => {
    expect(senderProblem(null, mainFrame, page)).toMatch(/gone/);
    expect(senderProblem({ ...mainFrame, routingId: 7, parent: mainFrame }, mainFrame, page)).toMatch(/sub-frame/);
    expect(senderProblem({ ...mainFrame, processId: 5 }, mainFrame, page)).toMatch(/main frame/);
    expect(senderProblem({ ...mainFrame, url: 'https://evil.example/' }, mainFrame, page)).toMatch(/evil\.example/);
  });
});
