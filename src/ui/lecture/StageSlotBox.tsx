/** A place in the page that a preset's stage shows or hides (see ViewState.stage). */
import type { CSSProperties, ReactNode } from 'react';
import type { StageSlot } from './viewState';

interface StageSlotBoxProps {
  readonly id: StageSlot;
  /** The stage's slots in order, or null when no stage is on (the box is then invisible to layout). */
  readonly stage: readonly StageSlot[] | null;
  readonly children: ReactNode;
}

/** Off the stage: `display: contents` (the page lays out as before). On it: shown in the stage's order, or not at all. */
export function StageSlotBox({ id, stage, children }: StageSlotBoxProps) {
  const at = stage ? stage.indexOf(id) : -1;
  const style: CSSProperties | undefined = at >= 0 ? { order: at } : undefined;
  return (
    <div className="stage-slot" data-slot={id} data-off={stage && at < 0 ? '' : undefined} style={style}>
      {children}
    </div>
  );
}
