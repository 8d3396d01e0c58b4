/** "Share": copies the link of the current view; where the clipboard is unavailable, shows the link to copy by hand. */
import { useEffect, useRef, useState } from 'react';

/** Copies `getUrl()` with navigator.clipboard, or shows it in a selected text field. */
export function ShareButton({ getUrl }: { readonly getUrl: () => string }) {
  const [copied, setCopied] = useState(false);
  const [fallback, setFallback] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (fallback !== null) inputRef.current?.select();
  }, [fallback]);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2500);
    return () => clearTimeout(t);
  }, [copied]);

  const share = () => {
    const url = getUrl();
    const clip = typeof navigator !== 'undefined' ? navigator.clipboard : undefined;
    if (!clip) {
      setFallback(url);
      return;
    }
    clip.writeText(url).then(
      () => {
        setFallback(null);
        setCopied(true);
      },
      () => setFallback(url),
    );
  };

  return (
    <span className="share">
      <button type="button" onClick={share} data-testid="share-button">
        Share
      </button>
      <span className="share-status" role="status">
        {copied ? 'Link copied' : ''}
      </span>
      {fallback !== null && (
        <span className="share-fallback" data-testid="share-fallback">
          <label htmlFor="share-url">Copy this link:</label>
          <input id="share-url" ref={inputRef} type="text" readOnly value={fallback} onFocus={(e) => e.target.select()} />
          <button type="button" className="link-button" onClick={() => setFallback(null)}>
            close
          </button>
        </span>
      )}
    </span>
  );
}
