import { memo, useEffect, useMemo, useRef } from 'react';
import type { Thumbnails } from '../../protocol/api';

interface ImageGridProps {
  readonly thumbs: Thumbnails;
  readonly classNames: readonly string[];
  /** Displayed size of each thumbnail in CSS pixels. */
  readonly size?: number;
}

/** One RGBA thumbnail drawn on its own canvas (pixelated upscaling). */
function Thumb({ rgba, width, height, size, label }: { rgba: Uint8ClampedArray; width: number; height: number; size: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  }, [rgba, width, height]);
  return <canvas ref={ref} width={width} height={height} style={{ width: size, height: size }} role="img" aria-label={label} />;
}

/** Class-labelled grid of image thumbnails. */
export const ImageGrid = memo(function ImageGrid({ thumbs, classNames, size = 64 }: ImageGridProps) {
  const per = thumbs.width * thumbs.height * 4;
  const cells = useMemo(() => {
    const all = new Uint8ClampedArray(thumbs.rgba);
    return thumbs.labels.map((_, i) => all.subarray(i * per, (i + 1) * per));
  }, [thumbs, per]);
  return (
    <ul className="image-grid" data-testid="image-grid" aria-label="Sample images">
      {thumbs.labels.map((label, i) => {
        const name = classNames[label] ?? `class ${label}`;
        return (
          <li key={i} className="image-cell">
            <Thumb rgba={cells[i]} width={thumbs.width} height={thumbs.height} size={size} label={name} />
            <span className="image-label">{name}</span>
          </li>
        );
      })}
    </ul>
  );
});
