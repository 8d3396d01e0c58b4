import { VERDICT_TEXT, type VerdictKind } from './verdict';

/** A verdict in its colour, with an icon and words (never colour alone). */
export function Verdict({ kind, detected, testId }: { readonly kind: VerdictKind; readonly detected: boolean; readonly testId: string }) {
  const { icon, words } = VERDICT_TEXT[kind];
  return (
    <span className={`result-value verdict verdict-${kind}`} data-testid={testId} data-detected={String(detected)} data-verdict={kind}>
      <span className="verdict-icon" aria-hidden="true">
        {icon}
      </span>{' '}
      {words}
    </span>
  );
}
