/**
 * Reads a file front to back, either through the page cache as usual or, for an events file
 * larger than the run's memory (a spilled run), around it (`O_DIRECT`, Linux). Such a file is
 * read once by the scan and once by the hash; caching it evicts the user's other files and
 * costs the kernel a fresh page for every 4 KiB (docs/performance.md "2026-12-07,
 * evening"). Where direct reads are unavailable (other systems, file systems that refuse them)
 * the reader falls back to plain reads; the bytes are the same either way.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Direct reads need file offsets, lengths and buffer addresses aligned to the device's block. */
const ALIGN = 4096;
/** A WebAssembly memory page: its buffers start on a page boundary, as direct reads need. */
const WASM_PAGE = 65536;

export interface SequentialReader {
  /** True when reads bypass the page cache. */
  readonly uncached: boolean;
  /**
   * Reads up to `length` bytes at `position` into `target` at `offset`; returns the count, 0
   * at the end of the file. Calls are meant to follow each other through the file: the direct
   * reader reads the next block ahead while the caller works on this one.
   */
  read(target: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface SequentialReadOptions {
  /** Bypass the page cache where the system allows it. */
  uncached?: boolean;
  /** The largest read the caller asks for (the direct reader sizes its buffers by it). */
  blockBytes: number;
}

/** Opens `path` for reading front to back. Rejects as `open` does (the caller words the error). */
export async function openSequential(path: string, opts: SequentialReadOptions): Promise<SequentialReader> {
  const direct = (constants as { O_DIRECT?: number }).O_DIRECT;
  if (opts.uncached && direct !== undefined) {
    const fh = await open(path, constants.O_RDONLY | direct).catch(() => null);
    if (fh) {
      const reader = directReader(fh, opts.blockBytes, path);
      if (reader && (await reader.probe())) return reader;
      await fh.close();
    }
  }
  return new PlainReader(await open(path, 'r'));
}

/** Null where the aligned buffers cannot be made (a WebAssembly memory: a limit on address space can refuse it). */
function directReader(fh: FileHandle, blockBytes: number, path: string): DirectReader | null {
  try {
    return new DirectReader(fh, blockBytes, path);
  } catch {
    return null;
  }
}

class PlainReader implements SequentialReader {
  readonly uncached = false;
  constructor(private readonly fh: FileHandle) {}
  async read(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return (await this.fh.read(target, offset, length, position)).bytesRead;
  }
  close(): Promise<void> {
    return this.fh.close();
  }
}

/** A direct read in flight: `length` bytes wanted at `position`, read into `buf` from `skip`. */
interface Fetch {
  position: number;
  length: number;
  done: Promise<{ buf: Uint8Array; skip: number; got: number }>;
}

const roundUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

class DirectReader implements SequentialReader {
  uncached = true;
  /** Two aligned buffers: one is copied out while the next block is read into the other. */
  private readonly bufs: [Uint8Array, Uint8Array];
  private turn = 0;
  private ahead: Fetch | null = null;
  /** Plain reads, once a direct one was refused after the probe passed. */
  private plain: FileHandle | null = null;

  constructor(
    private readonly fh: FileHandle,
    blockBytes: number,
    private readonly path: string,
  ) {
    const size = roundUp(blockBytes) + ALIGN;
    const pages = Math.ceil((2 * size) / WASM_PAGE);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.bufs = [new Uint8Array(memory.buffer, 0, size), new Uint8Array(memory.buffer, size, size)];
  }

  /** Whether this file system takes direct reads (some refuse them only when read). */
  async probe(): Promise<boolean> {
    try {
      await this.fh.read(this.bufs[0], 0, ALIGN, 0);
      return true;
    } catch {
      return false;
    }
  }

  private fetch(position: number, length: number): Fetch {
    const buf = this.bufs[this.turn];
    this.turn ^= 1;
    const aligned = position - (position % ALIGN);
    const skip = position - aligned;
    const want = Math.min(roundUp(skip + length), buf.length);
    const done = this.fh
      .read(buf, 0, want, aligned)
      .then(({ bytesRead }) => ({ buf, skip, got: Math.max(0, Math.min(bytesRead - skip, length)) }));
    done.catch(() => undefined); // a read ahead nobody asks for must not be an unhandled rejection
    return { position, length, done };
  }

  async read(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    if (!this.plain) {
      try {
        return await this.readDirect(target, offset, length, position);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        // Refused past the probe (some file systems decide per read): go on reading plainly.
        this.plain = await open(this.path, 'r');
        this.uncached = false;
      }
    }
    return (await this.plain.read(target, offset, length, position)).bytesRead;
  }

  private async readDirect(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    let mine = this.ahead;
    this.ahead = null;
    if (mine && (mine.position !== position || mine.length < length)) {
      // Not the read expected: let it land (its buffer is in use until then) and read anew.
      await mine.done.catch(() => undefined);
      mine = null;
    }
    const { buf, skip, got } = await (mine ?? this.fetch(position, length)).done;
    const n = Math.min(got, length);
    target.set(buf.subarray(skip, skip + n), offset);
    if (n > 0) this.ahead = this.fetch(position + n, length);
    return n;
  }

  async close(): Promise<void> {
    await this.ahead?.done.catch(() => undefined);
    this.ahead = null;
    await this.plain?.close();
    await this.fh.close();
  }
}
