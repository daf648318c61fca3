import { describe, expect, it } from 'vitest';
import { svgDataUrl } from './svg-data-url.js';

const decode = (url: string) => {
  const base64 = url.replace(/^data:image\/svg\+xml;base64,/, '');
  return new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
};

describe('svg data url', () => {
  it('round-trips Chinese text, rare characters and markup characters', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>合计 ￥129.00 𠮷 䶮 &amp; "q" #1</text></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(url).not.toMatch(/[<>"#\s]/);
    expect(decode(url)).toBe(svg);
  });

  it('handles a large receipt (longer than one chunk)', () => {
    const svg = `<svg>${'<text>行</text>'.repeat(20_000)}</svg>`;
    expect(decode(svgDataUrl(svg))).toBe(svg);
  });
});
