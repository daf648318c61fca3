/**
 * An SVG document as a `data:` URL for an <img>. An image cannot run scripts or reach the page,
 * so a receipt's SVG (which carries store and customer text) is never put into the DOM as markup.
 * Base64 of the UTF-8 bytes: Chinese text survives, and no character needs URL-escaping.
 */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  // In chunks: String.fromCharCode with a very long argument list overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}
