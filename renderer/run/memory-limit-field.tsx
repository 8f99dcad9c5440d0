/**
 * The run option "Memory limit": the same budget as the command line's `--memory-limit`, typed
 * as people write sizes (`1.5GB`, `400MB`). Empty means the engine's default (half of the
 * machine's memory). The text is checked here so the Run button can say what is wrong; main
 * (or the browser-mode server) validates the request again with the shared schema.
 */
import { useId } from 'react';
import { formatMemorySize, MIN_MEMORY_LIMIT, parseMemorySize } from '../../shared/memory-size';

/** The limit in bytes (undefined: the default), or why the text is not one. */
export function memoryLimitFromText(text: string): { bytes: number | undefined; problem: string | null } {
  if (text.trim() === '') return { bytes: undefined, problem: null };
  const bytes = parseMemorySize(text);
  if (bytes === null || bytes < MIN_MEMORY_LIMIT)
    return {
      bytes: undefined,
      problem: `The memory limit '${text.trim()}' is not a size of at least ${formatMemorySize(MIN_MEMORY_LIMIT)}; write it like 1.5GB or 400MB, or leave it empty.`,
    };
  return { bytes, problem: null };
}

export function MemoryLimitField({
  text,
  onText,
  disabled,
}: {
  text: string;
  onText: (text: string) => void;
  disabled: boolean;
}) {
  const id = useId();
  const { problem } = memoryLimitFromText(text);
  return (
    <div className="run-option">
      <label className="label" htmlFor={`${id}-input`}>
        Memory limit
      </label>
      <input
        id={`${id}-input`}
        className="run-option-input"
        type="text"
        inputMode="decimal"
        spellCheck={false}
        placeholder="half of this machine's memory"
        value={text}
        disabled={disabled}
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${id}-note`}
        data-testid="memory-limit"
        onChange={(e) => onText(e.currentTarget.value)}
      />
      <p id={`${id}-note`} className={problem ? 'note note-warning' : 'note'} role={problem ? 'alert' : undefined}>
        {problem ?? 'A larger run spills to a temporary folder beside the outputs and writes the same files.'}
      </p>
    </div>
  );
}
