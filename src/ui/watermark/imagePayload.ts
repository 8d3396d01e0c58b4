/** Turns an uploaded picture into a small grey image payload (decoded in the page, pixels sent to the worker). */
import type { WatermarkPayload } from '../../protocol/api';

/** Side of the uploaded logo after resizing (16x16 = 256 marked weights). */
export const UPLOAD_SIDE = 16;

/** Decodes a PNG/JPEG file, scales it to 16x16 and converts it to grey (ITU-R BT.601 luma). */
export async function imageFileToPayload(file: File, side: number = UPLOAD_SIDE): Promise<WatermarkPayload> {
  const bitmap = await createImageBitmap(file);
  try {
    const canvas = document.createElement('canvas');
    canvas.width = side;
    canvas.height = side;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser has no 2-D canvas');
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, side, side);
    ctx.drawImage(bitmap, 0, 0, side, side);
    const rgba = ctx.getImageData(0, 0, side, side).data;
    const pixels: number[] = [];
    for (let i = 0; i < side * side; i++) {
      pixels.push(Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]));
    }
    return { kind: 'image', width: side, height: side, channels: 1, pixels, label: file.name };
  } finally {
    bitmap.close();
  }
}
