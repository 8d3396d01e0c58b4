/** The Verify panel's result card: verdict, BER, p-value with its meaning, payload, per-tensor error bars, fingerprint. */
import type { ReactNode } from 'react';
import type { VerifyReport, VerifyTensorErrors, VerifyVerdict, WatermarkMethodId } from '../../protocol/api';
import { keyMethod } from '../watermark/methods/registry';
import { formatPercent } from '../common/format';
import { Verdict } from '../common/Verdict';
import { verdictOf } from '../common/verdict';
import { formatPValue } from '../watermark/watermarkDefaults';
import { PixelImage } from '../watermark/WatermarkResult';

const FORMAT_LABELS: Record<string, string> = {
  'watermas-lab': 'WaterMAS Lab model (model.json + weights.bin)',
  'tfjs-layers': 'TensorFlow.js LayersModel (model.json + shards)',
  'tfjs-graph': 'TensorFlow.js graph model (model.json + shards)',
  safetensors: 'safetensors',
};

/** "an unrelated model matches this well with probability …", in words a reader can weigh. */
export function pValueMeaning(pValue: number, log10: number, method: WatermarkMethodId): string {
  const what = keyMethod(method).chanceEvent;
  return `An unrelated model ${what} with probability ${formatPValue(pValue, log10)}${log10 < -3 ? ` (about 1 in 10^${Math.floor(-log10)})` : ''}.`;
}

/**
 * What the calibrated test took into account: an unmarked model's weights lean to one sign, so
 * it matches a key bit with a probability other than ½ (README, "When is a mark present?").
 */
export function calibrationNote(c: NonNullable<VerifyVerdict['calibration']>): string {
  const shares = c.signRates.map((s) => s.positiveFraction);
  const lo = Math.round(100 * Math.min(...shares));
  const hi = Math.round(100 * Math.max(...shares));
  const range = lo === hi ? `${lo} %` : `${lo}–${hi} %`;
  return `Calibrated for sign bias: ${range} of the unmarked weights in the marked tensors are positive, so an unrelated model matches each key bit with its own chance, not ½ (the plain ½ test would say ${formatPValue(10 ** c.uniformLog10PValue, c.uniformLog10PValue)}).`;
}

/** One horizontal bar per marked tensor: errors (erasures darker) out of its marked weights. */
function TensorErrorBars({ rows }: { readonly rows: readonly VerifyTensorErrors[] }) {
  return (
    <ul className="verify-bars" aria-label="Errors per tensor" data-testid="verify-tensor-bars">
      {rows.map((t) => {
        const frac = t.n > 0 ? t.errors / t.n : 0;
        const erasureFrac = t.n > 0 ? t.erasures / t.n : 0;
        return (
          <li key={t.tensor} className="verify-bar-row">
            <span className="verify-bar-name" title={t.tensor}>{t.tensor}</span>
            <span className="verify-bar-track" role="img" aria-label={`${t.errors} of ${t.n} wrong`}>
              <span className="verify-bar-fill" style={{ width: `${Math.min(100, frac * 100)}%` }} />
              <span className="verify-bar-erasure" style={{ width: `${Math.min(100, erasureFrac * 100)}%` }} />
            </span>
            <span className="verify-bar-value">
              {t.errors}/{t.n}
              {t.erasures > 0 ? ` (${t.erasures} erased)` : ''}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** The outcome of a successful check (with or without a key); `children` (the "Stress it" block) go at the end of the card. */
export function VerifyResultCard({ report, children }: { readonly report: VerifyReport; readonly children?: ReactNode }) {
  const v = report.verification;
  return (
    <div className={`result verify-result${v ? ` verdict-card-${verdictOf(v.detected, v.log10PValue)}` : ''}`} aria-live="polite" data-testid="verify-result">
      {v ? (
        <>
          <div className="result-main">
            <span className="result-label">Verdict</span>
            <Verdict kind={verdictOf(v.detected, v.log10PValue)} detected={v.detected} testId="verify-verdict" />
          </div>
          <p className="muted">
            {keyMethod(v.method).keyLabel} key <code>{v.keyFile}</code>
          </p>
          <dl className="verify-facts">
            {v.ber !== null ? (
              <>
                <dt>BER</dt>
                <dd data-testid="verify-ber" data-ber={String(v.ber)}>
                  {formatPercent(v.ber, 2)} ({v.errors} of {v.n} bits wrong)
                </dd>
                <dt>Erasures</dt>
                <dd data-testid="verify-erasures">{v.erasures}</dd>
              </>
            ) : (
              <>
                <dt>Trigger accuracy</dt>
                <dd data-testid="verify-trigger-accuracy">
                  {formatPercent(v.triggerAccuracy ?? null, 1)} ({v.n - v.errors} of {v.n} triggers)
                </dd>
              </>
            )}
            <dt>p-value</dt>
            <dd data-testid="verify-pvalue">
              {formatPValue(v.pValue, v.log10PValue)} (threshold {v.threshold.toExponential(0)})
            </dd>
          </dl>
          <p className="verify-meaning">{pValueMeaning(v.pValue, v.log10PValue, v.method)}</p>
          {v.calibration?.test === 'poisson-binomial' && <p className="muted small" data-testid="verify-calibration">{calibrationNote(v.calibration)}</p>}
          {v.commitment && (
            <p className="muted small" data-testid="verify-commitment">
              {v.commitment.committed ? (
                <>
                  Committed key, digest <code>{v.commitment.digest.slice(0, 16)}…</code>: its positions and signs follow from its secret, so a forger would need
                  about 10<sup>{Math.round(v.commitment.forgeryLog10Tries)}</sup> tries to match this well. Publish the digest before releasing the model.
                </>
              ) : (
                <>Uncommitted key (version 1): its positions could have been picked after looking at the model, so it is forgeable evidence.</>
              )}
            </p>
          )}
          {v.message !== undefined && (
            <p>
              Embedded message: <q className="wm-message" data-testid="verify-message">{v.message}</q>
            </p>
          )}
          {v.image && (
            <div className="wm-image-row">
              <PixelImage image={v.image} label={`Extracted image, ${v.image.width} by ${v.image.height}`} testId="verify-image" />
              <p>
                Extracted image · correlation with the embedded one <strong>{v.image.correlation.toFixed(3)}</strong>
              </p>
            </div>
          )}
          {v.payloadKind === 'bits' && v.decodedBits !== undefined && (
            <p className="muted small verify-bits" title={v.decodedBits}>
              Decoded bits: <code>{v.decodedBits.length > 64 ? `${v.decodedBits.slice(0, 64)}…` : v.decodedBits}</code>
            </p>
          )}
          {v.perTensor.length > 0 && <TensorErrorBars rows={v.perTensor} />}
        </>
      ) : (
        <p className="notice" data-testid="verify-no-key">
          Model read, but no key was given: add the key.json to check the watermark.
        </p>
      )}
      <dl className="verify-facts">
        <dt>Format</dt>
        <dd data-testid="verify-format">
          {FORMAT_LABELS[report.format] ?? report.format}
          {report.layout === 'pytorch' ? ', a PyTorch state_dict (names and layouts mapped to the lab’s)' : ''}
        </dd>
        <dt>SHA-256</dt>
        <dd>
          <code className="verify-sha" data-testid="verify-sha256">{report.sha256}</code>
        </dd>
        <dt>Files</dt>
        <dd>
          {report.files.map((f) => `${f.name} (${f.bytes.toLocaleString('en-US')} bytes)`).join(', ')}
        </dd>
        <dt>Tensors</dt>
        <dd>
          {report.tensorCount}
          {report.skipped > 0 ? ` (+${report.skipped} non-float skipped)` : ''} · checked in {Math.round(report.ms)} ms
        </dd>
      </dl>
      {children}
    </div>
  );
}
