/**
 * Catches a render error in one screen (a file with a column shape nobody expected, say) so the
 * rest of the app keeps working and the user can try again.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Changing this key clears the error (e.g. a new run or a new tab). */
  resetKey?: unknown;
  label: string;
}

interface State {
  error: Error | null;
  resetKey: unknown;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: null, resetKey: props.resetKey } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.label} failed to render`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="banner banner-error" role="alert">
        <div className="banner-body">
          <strong className="banner-title">{this.props.label} could not be shown</strong>
          <span className="banner-message">{this.state.error.message}</span>
          <span className="banner-advice">The rest of the app still works. Try again, or run the pipeline again.</span>
        </div>
        <button type="button" className="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
