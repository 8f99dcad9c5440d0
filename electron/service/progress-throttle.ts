/**
 * Paces `bytes-read` progress for the UI: at most one every `minGapMs` (~20/s), and, while an
 * input is being read, at least one every `heartbeatMs` (the last known position is repeated)
 * so a progress bar never looks frozen. Reading ends with the file's last byte or the next
 * `stage-finished`; then the repeats stop. Every other event passes at once, in order: a pending
 * `bytes-read` is flushed before it so the reader never sees positions go backwards.
 */
import type { ProgressEvent } from '../../shared/pipeline';

type BytesRead = Extract<ProgressEvent, { type: 'bytes-read' }>;

export interface ThrottleOptions {
  minGapMs?: number;
  heartbeatMs?: number;
  now?: () => number;
}

export class ProgressThrottle {
  private readonly minGapMs: number;
  private readonly heartbeatMs: number;
  private readonly now: () => number;
  private lastSentAt = -Infinity;
  private lastBytes: BytesRead | null = null;
  private pending: BytesRead | null = null;
  private trailing: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly emit: (event: ProgressEvent) => void,
    options: ThrottleOptions = {},
  ) {
    this.minGapMs = options.minGapMs ?? 50;
    this.heartbeatMs = options.heartbeatMs ?? 250;
    this.now = options.now ?? (() => performance.now());
  }

  /** Starts the heartbeat; call when the run starts. */
  start(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      if (this.lastBytes && this.now() - this.lastSentAt >= this.heartbeatMs - 5)
        this.send(this.pending ?? this.lastBytes);
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  push(event: ProgressEvent): void {
    if (event.type !== 'bytes-read') {
      this.flush();
      if (event.type === 'stage-finished') this.lastBytes = null;
      this.emit(event);
      return;
    }
    if (this.now() - this.lastSentAt >= this.minGapMs) {
      this.send(event);
      return;
    }
    this.pending = event;
    if (!this.trailing) {
      const wait = Math.max(0, this.minGapMs - (this.now() - this.lastSentAt));
      this.trailing = setTimeout(() => {
        this.trailing = null;
        if (this.pending) this.send(this.pending);
      }, wait);
      this.trailing.unref();
    }
  }

  /** Sends what is pending and stops the timers; call when the run ends. */
  stop(): void {
    this.flush();
    this.stopHeartbeat();
    this.lastBytes = null;
  }

  private flush(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = null;
    if (this.pending) this.send(this.pending);
  }

  private send(event: BytesRead): void {
    this.pending = null;
    this.lastBytes = event.bytesRead < event.totalBytes ? event : null;
    this.lastSentAt = this.now();
    this.emit(event);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
