/** Client-side file exports (Blob downloads): CSV, JSON, PNG of a canvas or of a recharts SVG. */

/** Saves `blob` as `filename` through a temporary link; the Blob URL is revoked shortly after. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text: string, filename: string, type: string): void {
  downloadBlob(new Blob([text], { type }), filename);
}

/** PNG of a canvas. */
export function downloadCanvasPng(canvas: HTMLCanvasElement, filename: string): void {
  canvas.toBlob((b) => {
    if (b) downloadBlob(b, filename);
  }, 'image/png');
}

/**
 * PNG of the first chart SVG inside `container` (recharts draws SVG): serialised, drawn on a
 * white canvas at twice the size, saved.
 */
export function downloadSvgPng(container: HTMLElement | null, filename: string): void {
  const svg = container?.querySelector('svg.recharts-surface') ?? container?.querySelector('svg');
  if (!svg) return;
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const text = new XMLSerializer().serializeToString(clone);
  const img = new Image();
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  img.onload = () => {
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (ctx) {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0, width, height);
      downloadCanvasPng(canvas, filename);
    }
    URL.revokeObjectURL(url);
  };
  img.src = url;
}
