/**
 * Words a scan problem (segment-scan.ts) for the user: file, line, column and what to do. Apart
 * from the scanner, so the engine thread can report a worker's problem without loading it.
 */
import type { EtlErrorInfo } from '../../shared/pipeline';
import type { ScanProblem } from './segment-scan';

/** Turns a scan problem into the user-facing error info. */
export function describeProblem(
  file: string,
  name: string,
  problem: ScanProblem,
  line: number,
  column: number,
  excerpt?: string,
): EtlErrorInfo {
  const where = { file, line, column, offset: problem.offset, ...(excerpt !== undefined ? { excerpt } : {}) };
  if (problem.kind === 'utf8')
    return {
      kind: 'input',
      ...where,
      message: `${name} is not valid UTF-8 at line ${line}, column ${column} (byte ${problem.offset}). Save the file as UTF-8 and run again.`,
    };
  return {
    kind: 'input',
    ...where,
    message: `${name} is not valid JSON at line ${line}, column ${column} (byte ${problem.offset}): ${problem.what}. Fix the file, or save it as a JSON array or as newline-delimited JSON.`,
  };
}
