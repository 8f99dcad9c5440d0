/**
 * Accepts one or both input files by drag and drop. The drop itself is all it does: turning a
 * File into a path the service may read is the client's job (desktop: its path; browser: upload).
 */
import { useState, type DragEvent } from 'react';

export function DropZone({
  onFiles,
  busy,
  disabled,
}: {
  onFiles: (files: File[]) => void;
  busy: boolean;
  disabled?: boolean;
}) {
  const [over, setOver] = useState(false);

  function onDragOver(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    if (disabled) return;
    e.dataTransfer.dropEffect = 'copy';
    setOver(true);
  }

  function onDrop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    setOver(false);
    if (disabled) return;
    const files = Array.from(e.dataTransfer.files);
    if (files.length) onFiles(files);
  }

  return (
    <div
      className={`drop-zone ${over ? 'drop-zone-over' : ''} ${disabled ? 'drop-zone-disabled' : ''}`}
      data-testid="drop-zone"
      onDragOver={onDragOver}
      onDragEnter={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      aria-busy={busy}
    >
      <svg className="drop-icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
        <path
          d="M12 3v12m0 0l-4-4m4 4l4-4M4 17v2a2 2 0 002 2h12a2 2 0 002-2v-2"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      <div>
        <strong>{busy ? 'Reading files…' : 'Drop raw_events.json and users.csv here'}</strong>
        <div className="muted">Both at once or one at a time; each is recognised by its name and content.</div>
      </div>
    </div>
  );
}
