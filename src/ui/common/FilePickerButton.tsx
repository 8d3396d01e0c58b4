import { useRef, type ReactNode } from 'react';

/**
 * A button that opens the file chooser for one file, through a visually hidden `<input type=file>`
 * (kept reachable for assistive technology and for tests that set its files). The input is
 * cleared after each pick, so choosing the same file again is seen.
 */
export function FilePickerButton({
  children,
  accept,
  ariaLabel,
  testId,
  disabled = false,
  onFile,
}: {
  readonly children: ReactNode;
  readonly accept: string;
  readonly ariaLabel: string;
  readonly testId: string;
  readonly disabled?: boolean;
  readonly onFile: (file: File) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" disabled={disabled} onClick={() => input.current?.click()}>
        {children}
      </button>
      <input
        ref={input}
        type="file"
        accept={accept}
        className="sr-only"
        aria-label={ariaLabel}
        data-testid={testId}
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
          e.target.value = '';
        }}
      />
    </>
  );
}
