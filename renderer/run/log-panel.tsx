/** Log lines as they stream in; sticks to the bottom unless the user scrolled up to read. */
import { useLayoutEffect, useRef } from 'react';
import type { LogLine } from './run-state';

export function LogPanel({ logs }: { logs: LogLine[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [logs]);

  // The panel shrinks when warnings appear above it; stay at the bottom then too.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  return (
    <div
      className="log-panel"
      ref={ref}
      tabIndex={0}
      role="log"
      aria-label="Run log"
      aria-live="off"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {logs.length === 0 ? (
        <div className="muted">The run's log appears here.</div>
      ) : (
        logs.map((line) => (
          <div key={line.id} className={`log-line log-${line.level.toLowerCase()}`}>
            <span className="log-time">{line.at.slice(11, 23)}</span> <span className="log-level">{line.level}</span>{' '}
            <span className="log-message">{line.message}</span>
          </div>
        ))
      )}
    </div>
  );
}
