import { Component, type ErrorInfo, type ReactNode } from 'react';
import { errorMessage } from './common/format';
import { clearInjectedPanelFault, injectedPanelFault } from './testHooks';

interface PanelBoundaryProps {
  /** What the panel is called on the page ("Verify"), for the error card. */
  readonly title: string;
  /** A short id (`verify`), for the card's test id and the `?testHooks&panelFault=<id>` knob. */
  readonly id: string;
  readonly children: ReactNode;
}

interface PanelBoundaryState {
  readonly error: unknown;
  /** Bumped by "Reload panel": remounts the children with fresh state. */
  readonly generation: number;
}

/**
 * Keeps a panel that throws while rendering from taking the page down with it: the panel is
 * replaced by a card that says what failed and offers to reload it; every other panel keeps
 * working (the engine worker is not involved: a render error never reaches it).
 */
export class PanelBoundary extends Component<PanelBoundaryProps, PanelBoundaryState> {
  override state: PanelBoundaryState = { error: null, generation: 0 };

  static getDerivedStateFromError(error: unknown): Partial<PanelBoundaryState> {
    return { error: error ?? new Error('unknown error') };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`The ${this.props.title} panel failed: ${errorMessage(error)}`, info.componentStack ?? '');
  }

  private reload(): void {
    clearInjectedPanelFault(this.props.id);
    this.setState((s) => ({ error: null, generation: s.generation + 1 }));
  }

  override render() {
    const { error, generation } = this.state;
    const { title, id, children } = this.props;
    if (error !== null) {
      return (
        <section className="panel panel-wide panel-failed" role="alert" data-testid={`panel-error-${id}`}>
          <div className="panel-head">
            <h2>{title}</h2>
          </div>
          <p className="error">
            This panel stopped with an error: <strong>{errorMessage(error)}</strong>. The rest of the lab is unaffected; runs and settings are kept.
          </p>
          <button type="button" onClick={() => this.reload()}>
            Reload panel
          </button>
        </section>
      );
    }
    return (
      <PanelContent key={generation} id={id}>
        {children}
      </PanelContent>
    );
  }
}

function PanelContent({ id, children }: { readonly id: string; readonly children: ReactNode }) {
  injectedPanelFault(id);
  return children;
}
