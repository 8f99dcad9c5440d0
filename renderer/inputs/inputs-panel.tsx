/**
 * The inputs: drop zone, pickers, sample data, the two recognised files and the output folder.
 * Every chosen file is inspected at once, so a broken file shows its error before any run.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { AppDefaults, EtlClient, InputInfo, MenuCommand, UploadProgress } from '../../shared/service-contract';
import { ProgressBar } from '../components/progress-bar';
import { useClient } from '../components/client-context';
import { ErrorBanner } from '../components/error-banner';
import type { EtlErrorInfo } from '../../shared/pipeline';
import { baseName, formatBytes } from '../lib/format';
import { DropZone } from './drop-zone';
import { InputCard } from './input-card';
import { FOCUS_IDS, focusById } from '../components/focus';
import {
  kindFromName,
  placeInputs,
  slotNeedingAttention,
  swapSlots,
  type InputSlots,
  type UnusedInput,
} from './input-slots';

/** Inspects a path; a failure becomes an InputInfo carrying the error, so it shows in its card. */
export async function inspectOrError(
  client: EtlClient,
  path: string,
  fallback?: { name: string; bytes: number },
): Promise<InputInfo> {
  const name = fallback?.name ?? baseName(path);
  try {
    const result = await client.inspectInput({ path });
    if (result.ok) return result.value;
    return errorInfo(path, name, fallback?.bytes ?? 0, result.error);
  } catch (err) {
    return errorInfo(path, name, fallback?.bytes ?? 0, {
      kind: 'internal',
      message: err instanceof Error ? err.message : String(err),
    });
  }
}

function errorInfo(path: string, name: string, bytes: number, error: EtlErrorInfo): InputInfo {
  return {
    path,
    name,
    bytes,
    kind: kindFromName(name),
    format: 'unknown',
    rowEstimate: 0,
    peek: { columns: [], rows: [] },
    error,
  };
}

export function InputsPanel({
  slots,
  onSlots,
  outDir,
  onOutDir,
  defaults,
  running,
  menuCommand,
  options,
}: {
  slots: InputSlots;
  onSlots: (update: (current: InputSlots) => InputSlots) => void;
  outDir: string;
  onOutDir: (dir: string) => void;
  defaults: AppDefaults | null;
  running: boolean;
  /** The desktop menu's Open inputs / Choose output folder, forwarded by the app. */
  menuCommand?: { command: MenuCommand; seq: number } | null;
  /** The run options, shown under the output folder (the memory limit). */
  options?: ReactNode;
}) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<EtlErrorInfo | null>(null);
  const [unused, setUnused] = useState<UnusedInput[]>([]);
  // Browser mode uploads each chosen file: bytes sent per file name, while it goes.
  const [uploads, setUploads] = useState<Record<string, { sent: number; total: number }>>({});
  const onUpload: UploadProgress = ({ name, sent, total }) => setUploads((u) => ({ ...u, [name]: { sent, total } }));
  const slotsRef = useRef(slots);
  slotsRef.current = slots;

  async function place(load: () => Promise<InputInfo[]>) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const infos = await load();
      if (!infos.length) return;
      const placed = placeInputs(slotsRef.current, infos);
      onSlots(() => placed.slots);
      setUnused(placed.unused);
      // On to what needs the user next: a card to fix, or Run.
      const slot = slotNeedingAttention(placed.slots);
      focusById(slot ? cardId(slot) : FOCUS_IDS.run);
    } catch (err) {
      setError({ kind: 'internal', message: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
      setUploads({});
    }
  }

  function onDropFiles(files: File[]) {
    void place(() =>
      Promise.all(
        files.map(async (file) => {
          const path = await client.pathForDroppedFile(file, onUpload);
          if (!path.ok) return errorInfo(file.name, file.name, file.size, path.error);
          return inspectOrError(client, path.value, { name: file.name, bytes: file.size });
        }),
      ),
    );
  }

  function onPick() {
    void place(async () => {
      const picked = await client.pickInputs(onUpload);
      if (!picked.ok) {
        setError(picked.error);
        return [];
      }
      return Promise.all(picked.value.map((p) => inspectOrError(client, p)));
    });
  }

  function onSample() {
    const sample = defaults?.sample;
    if (!sample) return;
    void place(() =>
      Promise.all([inspectOrError(client, sample.eventsPath), inspectOrError(client, sample.usersPath)]),
    );
  }

  function remove(slot: 'events' | 'users') {
    onSlots((s) => ({ ...s, [slot]: null }));
    // The Remove button goes with the file: the focus stays on the now empty card.
    focusById(cardId(slot));
  }

  async function onChangeOutDir() {
    const picked = await client.pickOutputDir();
    if (!picked.ok) setError(picked.error);
    else if (picked.value) onOutDir(picked.value);
  }

  // Browser mode: an upload that no slot holds any more (replaced, removed) is deleted on the server.
  const heldUploads = useRef(new Set<string>());
  useEffect(() => {
    const discard = client.browser?.discardUpload;
    if (!discard) return;
    const held = new Set([slots.events?.path, slots.users?.path].filter((p): p is string => !!p));
    for (const p of heldUploads.current) if (!held.has(p)) void discard(p);
    heldUploads.current = held;
  }, [client, slots.events?.path, slots.users?.path]);

  const menuRef = useRef({ onPick, onChangeOutDir });
  menuRef.current = { onPick, onChangeOutDir };
  const handledSeq = useRef(0);
  useEffect(() => {
    // Each menu command acts once, and not during a run.
    if (!menuCommand || menuCommand.seq === handledSeq.current) return;
    handledSeq.current = menuCommand.seq;
    if (running) return;
    if (menuCommand.command === 'open-inputs') menuRef.current.onPick();
    else if (menuCommand.command === 'choose-output-dir') void menuRef.current.onChangeOutDir();
  }, [menuCommand, running]);

  return (
    <section className="panel inputs-panel" aria-labelledby="inputs-heading">
      <div className="panel-head">
        <h2 id="inputs-heading">Inputs</h2>
        <div className="button-row">
          <button type="button" className="button" onClick={onPick} disabled={running} aria-busy={busy}>
            Choose files…
          </button>
          <button
            type="button"
            className="button"
            onClick={onSample}
            disabled={running || !defaults?.sample}
            aria-busy={busy}
            title={defaults?.sample ? defaults.sample.eventsPath : 'No sample data found'}
          >
            Use sample data
          </button>
        </div>
      </div>
      <DropZone onFiles={onDropFiles} busy={busy} disabled={running} />
      {Object.keys(uploads).length > 0 && <UploadStatus uploads={uploads} />}
      {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
      {unused.length > 0 && (
        <div className="note note-warning unused-inputs" role="status" data-testid="unused-inputs">
          <div>
            <strong>Not used:</strong>
            <ul>
              {unused.map((u) => (
                <li key={u.path} title={u.path}>
                  <code>{u.name}</code>: {u.why}
                </li>
              ))}
            </ul>
          </div>
          <button type="button" className="button button-quiet button-small" onClick={() => setUnused([])}>
            Dismiss
          </button>
        </div>
      )}
      <div className="input-cards">
        <InputCard
          slot="events"
          info={slots.events}
          disabled={running}
          onRemove={() => remove('events')}
          onSwap={() => onSlots(swapSlots)}
        />
        <div className="swap-row">
          <button
            type="button"
            className="button button-small"
            onClick={() => onSlots(swapSlots)}
            disabled={running || (!slots.events && !slots.users)}
            aria-label="Swap events and users files"
          >
            ⇅ Swap
          </button>
        </div>
        <InputCard
          slot="users"
          info={slots.users}
          disabled={running}
          onRemove={() => remove('users')}
          onSwap={() => onSlots(swapSlots)}
        />
      </div>
      <div className="out-dir">
        <div className="out-dir-text">
          <span className="label">Output folder</span>
          <code className="out-dir-path" title={outDir} data-testid="out-dir">
            {outDir || '—'}
          </code>
        </div>
        {client.browser ? (
          <p className="note" data-testid="out-dir-fixed">
            Browser mode writes here, the folder set when the server started. To use another, restart with{' '}
            <code>npm run serve -- --out &lt;folder&gt;</code>.
          </p>
        ) : (
          <button
            type="button"
            className="button button-small"
            onClick={() => void onChangeOutDir()}
            disabled={running}
          >
            Change…
          </button>
        )}
      </div>
      {options}
    </section>
  );
}

/** The id of a slot's card, which takes the focus when that slot needs the user. */
export function cardId(slot: 'events' | 'users'): string {
  return slot === 'events' ? FOCUS_IDS.eventsCard : FOCUS_IDS.usersCard;
}

/** Bytes sent of the files being uploaded (browser mode), with a bar. */
function UploadStatus({ uploads }: { uploads: Record<string, { sent: number; total: number }> }) {
  const files = Object.entries(uploads);
  const sent = files.reduce((n, [, u]) => n + u.sent, 0);
  const total = files.reduce((n, [, u]) => n + u.total, 0);
  const names = files.map(([name]) => name).join(', ');
  const text = `Uploading ${names}… ${formatBytes(sent)} of ${formatBytes(total)}`;
  return (
    <div className="upload-status" data-testid="upload-status">
      <ProgressBar value={total ? sent / total : 0} label="Upload progress" state="running" valueText={text} />
      <span className="muted">{text}</span>
    </div>
  );
}
