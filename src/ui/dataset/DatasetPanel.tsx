import { useCallback, useRef, useState } from 'react';
import type { DatasetInfo, Thumbnails } from '../../protocol/api';
import { ImageGrid } from './ImageGrid';
import { formatCount } from '../common/format';

interface DatasetPanelProps {
  readonly dataset: DatasetInfo | null;
  readonly thumbs: Thumbnails | null;
  readonly importing: boolean;
  readonly importMessage: string | null;
  readonly locked: boolean;
  readonly onImport: (file: File) => void;
  readonly onResample: () => void;
}

/** Dataset summary, class-labelled sample grid and the drop zone for the official tarball. */
export function DatasetPanel({ dataset, thumbs, importing, importMessage, locked, onImport, onResample }: DatasetPanelProps) {
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const disabled = importing || locked;

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      e.preventDefault();
      setDragging(false);
      const file = e.dataTransfer.files[0];
      if (file && !disabled) onImport(file);
    },
    [onImport, disabled],
  );

  return (
    <section className="panel" aria-labelledby="dataset-title">
      <div className="panel-head">
        <h2 id="dataset-title">Dataset</h2>
        {dataset && (
          <p className="panel-sub">
            <strong>{dataset.label}</strong> · {formatCount(dataset.trainCount)} train / {formatCount(dataset.testCount)} test images ·{' '}
            {dataset.classNames.length} classes
          </p>
        )}
      </div>
      {dataset?.name === 'synthetic' && (
        <p className="notice" role="note">
          These images are <strong>synthetic</strong>: a seeded, procedurally generated 10-class set so the lab works offline.
          {dataset.note ? ` ${dataset.note}.` : ''} Drop the official CIFAR-10 tarball below to use real images.
        </p>
      )}
      {thumbs && dataset ? (
        <>
          <ImageGrid thumbs={thumbs} classNames={dataset.classNames} />
          <button type="button" className="link-button" onClick={onResample} disabled={locked}>
            Show other images
          </button>
        </>
      ) : (
        <p className="muted">Loading images…</p>
      )}
      <div
        className={`drop-zone${dragging ? ' drop-zone-active' : ''}${disabled ? ' drop-zone-disabled' : ''}`}
        data-testid="tarball-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>
          {importing ? 'Unpacking and checking the tarball…' : 'Drop cifar-10-binary.tar.gz here'}
          {!importing && (
            <>
              {' '}
              or{' '}
              <button type="button" className="link-button" onClick={() => inputRef.current?.click()} disabled={disabled}>
                choose the file
              </button>
            </>
          )}
        </p>
        <p className="muted small">It is unpacked in your browser and kept for later visits; nothing is uploaded.</p>
        <input
          ref={inputRef}
          type="file"
          accept=".gz,.tgz,application/gzip"
          aria-label="CIFAR-10 tarball"
          className="sr-only"
          disabled={disabled}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onImport(file);
            e.target.value = '';
          }}
        />
        {importMessage && (
          <p className="import-message" role="status" data-testid="import-message">
            {importMessage}
          </p>
        )}
      </div>
    </section>
  );
}
