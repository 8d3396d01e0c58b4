/** What the trained model carries: verdict, p-value, BER, the decoded message or image, per-tensor errors. */
import { useEffect, useRef } from 'react';
import type { WatermarkReport } from '../../protocol/api';
import { formatPercent } from '../common/format';
import { Verdict } from '../common/Verdict';
import { verdictOf } from '../common/verdict';
import { formatPValue } from './watermarkDefaults';

interface PixelImageProps {
  readonly image: { readonly width: number; readonly height: number; readonly channels: number; readonly pixels: ArrayLike<number> };
  readonly label: string;
  readonly testId?: string;
}

/** Draws a uint8 HWC image (1 or 3 channels) scaled up without smoothing. */
export function PixelImage({ image, label, testId }: PixelImageProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const { width, height, channels, pixels } = image;
    const data = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < 3; c++) data.data[4 * i + c] = pixels[i * channels + (channels === 3 ? c : 0)];
      data.data[4 * i + 3] = 255;
    }
    ctx.putImageData(data, 0, 0);
  }, [image]);
  return (
    <canvas
      ref={ref}
      className="wm-image"
      width={image.width}
      height={image.height}
      role="img"
      aria-label={label}
      data-testid={testId}
    />
  );
}

/** The verification of the last watermarked run (WaterMAS, Uchida or FCW). */
export function WatermarkResult({ report }: { readonly report: WatermarkReport }) {
  if (report.fcw) return <FcwResult report={report} fcw={report.fcw} />;
  const p = formatPValue(report.pValue, report.log10PValue);
  const u = report.uchida;
  return (
    <div className={`result wm-result verdict-card-${verdictOf(report.detected, report.log10PValue)}`} aria-live="polite">
      <div className="result-main">
        <span className="result-label">Verdict</span>
        <Verdict kind={verdictOf(report.detected, report.log10PValue)} detected={report.detected} testId="watermark-verdict" />
      </div>
      <p className="muted">
        p-value {p} (threshold {report.threshold.toExponential(0)}) · BER <span data-testid="watermark-report-ber">{formatPercent(report.ber, 2)}</span> ({report.errors} of {report.bits}
        {report.erasures > 0 ? `, ${report.erasures} erasures` : ''})
        {u ? ` · Uchida mark on ${u.layer} (X: ${u.rows}×${u.cols}, λ ${u.lambda})` : ` · marked weights ${report.frozenUnchanged ? 'bitwise unchanged' : 'CHANGED'}`}
      </p>
      {report.message !== undefined && (
        <p>
          Extracted message: <q className="wm-message" data-testid="watermark-message">{report.message}</q>
        </p>
      )}
      {report.image && (
        <div className="wm-image-row">
          <PixelImage
            image={report.image}
            label={`Extracted image, ${report.image.width} by ${report.image.height}, correlation ${report.image.correlation.toFixed(3)}`}
            testId="watermark-image"
          />
          <p>
            Extracted image · correlation with the embedded one{' '}
            <strong data-testid="watermark-correlation">{report.image.correlation.toFixed(3)}</strong>
          </p>
        </div>
      )}
      {report.payloadKind === 'bits' && <p className="muted">Random-bit payload: the decoded bits are compared with the key's bits.</p>}
      <details>
        <summary>Errors per tensor ({report.keyTensors} tensors)</summary>
        <table className="wm-table">
          <thead>
            <tr>
              <th scope="col">tensor</th>
              <th scope="col">marked</th>
              <th scope="col">errors</th>
              <th scope="col">erasures</th>
            </tr>
          </thead>
          <tbody>
            {report.perTensor.map((t) => (
              <tr key={t.tensor}>
                <td>{t.tensor}</td>
                <td>{t.n}</td>
                <td>{t.errors}</td>
                <td>{t.erasures}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

/** FCW verdict: trigger accuracy against the chance rate, binomial p-value. */
function FcwResult({ report, fcw }: { readonly report: WatermarkReport; readonly fcw: NonNullable<WatermarkReport['fcw']> }) {
  const p = formatPValue(report.pValue, report.log10PValue);
  return (
    <div className={`result wm-result verdict-card-${verdictOf(report.detected, report.log10PValue)}`} aria-live="polite">
      <div className="result-main">
        <span className="result-label">Verdict</span>
        <Verdict kind={verdictOf(report.detected, report.log10PValue)} detected={report.detected} testId="watermark-verdict" />
      </div>
      <p className="muted">
        trigger accuracy{' '}
        <strong data-testid="watermark-report-trigger-accuracy" data-value={fcw.accuracy}>
          {formatPercent(fcw.accuracy, 1)}
        </strong>{' '}
        ({fcw.hits} of {fcw.n} triggers to class {fcw.target}) · p-value {p} against a chance rate of {formatPercent(fcw.chanceRate, 1)} (1 / classes; threshold{' '}
        {report.threshold.toExponential(0)})
      </p>
      <p className="muted small">
        {fcw.mode} fusion · {fcw.perBatch} triggers per batch · {fcw.maskEvents} masking events ({formatPercent(fcw.maskFraction, 2)} of the conv weights every {fcw.maskPeriod} steps)
        {!report.detected && fcw.accuracy === 1 ? ` · all triggers hit, but ${fcw.n} triggers are too few for p < ${report.threshold.toExponential(0)}` : ''}
      </p>
    </div>
  );
}
