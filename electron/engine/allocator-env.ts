/**
 * Environment for a process that runs the engine, for glibc's malloc (which Polars' native code
 * and Node's array buffers use on Linux). malloc reads it only when a process starts, so it is
 * set for the processes the app and the command line start to run the engine; other systems
 * ignore it. (The values live in allocator-env.json so the plain-JS CLI launcher reads the same
 * ones.) Measured in docs/performance.md:
 * - MALLOC_ARENA_MAX=2: malloc gives busy threads their own arenas, up to eight per core, and
 *   memory freed in one is not reused by the others, which raises the peak.
 * - MALLOC_MMAP_THRESHOLD_ (1 GiB) and MALLOC_TOP_PAD_ (64 MiB): by default every block over a
 *   few MB (a column, a read batch) is a fresh mmap, returned on free, whose every page the
 *   kernel must fault in and zero again. Served from the arenas, freed blocks are reused.
 * - GLIBC_TUNABLES=glibc.malloc.hugetlb=1: malloc asks for transparent huge pages (2 MB) where
 *   the system allows them, so the kernel faults in one page where it faulted 512, and the CPU
 *   misses its address cache less, for a slightly higher peak.
 */
import values from './allocator-env.json';
import spilledValues from './allocator-env-spilled.json';

/**
 * `base` with the engine's allocator settings added; a value the user set wins. A run that will
 * spill under its memory budget (memory-plan.ts `runWillSpill`) gets others: two arenas, huge
 * pages, and a fixed 4 MiB mmap threshold, so freed large blocks (columns, batches) go back to
 * the system at once (the 1 GiB threshold above keeps freed memory in the process, which a
 * budget cannot afford), while the many smaller ones are reused from the arenas instead of
 * being mapped, faulted in and zeroed again each time (docs/performance.md "Memory budget").
 */
export function withAllocatorEnv(base: NodeJS.ProcessEnv = process.env, spills = false): NodeJS.ProcessEnv {
  return { ...((spills ? spilledValues : values) as Record<string, string>), ...base };
}
