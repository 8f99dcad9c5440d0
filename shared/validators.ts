/**
 * Runtime checks for every request channel's payload (the channel map is in
 * `service-contract.ts`). Both transports validate before anything touches the service, so a
 * malformed payload from a page is refused with a message naming the bad field.
 */
import { z } from 'zod';
import { formatMemorySize, MIN_MEMORY_LIMIT } from './memory-size';
import { DROP_REASONS, PARQUET_OUTPUTS, type EtlErrorInfo } from './pipeline';
import type { RequestChannel, RequestChannels, Result } from './service-contract';

/** Type errors say "is missing" when the field is absent, else what was expected. */
const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is missing' : `must be ${what}`),
});

const filePath = z
  .string(expected('a path (a string)'))
  .min(1, 'must not be empty')
  .max(4096, 'is longer than 4096 characters')
  .refine((p) => !p.includes('\0'), 'must not contain a NUL character');

const noPayload = z.union([z.undefined(), z.null()], { error: 'must be empty: this request takes none' });
const dropReason = z.enum(DROP_REASONS, { error: `must be one of ${DROP_REASONS.join(', ')}` });

const memoryLimit = z
  .number(expected('a number of bytes'))
  .int('must be a whole number of bytes')
  .min(MIN_MEMORY_LIMIT, `must be at least ${formatMemorySize(MIN_MEMORY_LIMIT)}`)
  .max(Number.MAX_SAFE_INTEGER, 'is too large');

const runRequest = z.strictObject({
  eventsPath: filePath,
  usersPath: filePath,
  outDir: filePath,
  memoryLimit: memoryLimit.optional(),
});

const columnName = z.string(expected('a column name')).min(1, 'must not be empty').max(200, 'is too long');
const filterText = z.string(expected('text')).max(1000, 'is longer than 1000 characters');
const columnFilter = z.discriminatedUnion(
  'op',
  [
    z.strictObject({ column: columnName, op: z.literal(['contains', 'equals']), value: filterText }),
    z
      .strictObject({
        column: columnName,
        op: z.literal('range'),
        min: filterText.optional(),
        max: filterText.optional(),
      })
      .refine((f) => f.min !== undefined || f.max !== undefined, 'needs a min, a max or both'),
  ],
  { error: 'must have an op of contains, equals or range' },
);
const outputFile = z.enum(PARQUET_OUTPUTS, { error: `must be one of ${PARQUET_OUTPUTS.join(', ')}` });
const onlyDropped = {
  check: (r: { dropReason?: unknown; file: string }) => r.dropReason === undefined || r.file === 'dropped_rows.parquet',
  params: { message: 'applies to dropped_rows.parquet only', path: ['dropReason'] },
};

const profileRequest = z
  .strictObject({
    outDir: filePath,
    file: outputFile,
    column: columnName,
    dropReason: dropReason.optional(),
    filter: columnFilter.optional(),
  })
  .refine(onlyDropped.check, onlyDropped.params);

const pageRequest = z
  .strictObject({
    outDir: filePath,
    file: outputFile,
    offset: z
      .number(expected('a number'))
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(Number.MAX_SAFE_INTEGER, 'is too large'),
    limit: z
      .number(expected('a number'))
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000'),
    sort: z
      .strictObject({
        column: columnName,
        descending: z.boolean(expected('true or false')),
      })
      .optional(),
    dropReason: dropReason.optional(),
    filter: columnFilter.optional(),
  })
  .refine(onlyDropped.check, onlyDropped.params);

/** A history entry's id as RunHistory makes it: the finish time's digits, a dash, 8 hex digits. */
const runId = z
  .string(expected('a run id (a string)'))
  .regex(/^[0-9]{1,17}-[0-9a-f]{8}$/, 'must be a run id from the history, like 20261204153146123-1a2b3c4d');

/** The payload type of a channel (`undefined` for channels without one). */
export type RequestPayload<C extends RequestChannel> = Parameters<RequestChannels[C]> extends [infer P] ? P : undefined;

/**
 * A schema per channel whose parsed value is that channel's payload type (a channel without a
 * payload also takes null, which JSON carries for "nothing"): a schema that drifts from the
 * contract's type fails to compile.
 */
type PayloadSchemas = {
  [C in RequestChannel]: z.ZodType<RequestPayload<C> | (RequestPayload<C> extends undefined ? null : never)>;
};

/** One schema per channel; `satisfies` keeps this list in step with the channel map. */
export const REQUEST_SCHEMAS = {
  'etl:defaults': noPayload,
  'etl:inspect-input': z.strictObject({ path: filePath }),
  'etl:run': runRequest,
  'etl:cancel': noPayload,
  'etl:read-page': pageRequest,
  'etl:dropped-summary': z.strictObject({ outDir: filePath }),
  'etl:export-dropped-csv': z.strictObject({ outDir: filePath, dropReason: dropReason.optional() }),
  'etl:daily-counts': z.strictObject({ outDir: filePath }),
  'etl:pick-inputs': noPayload,
  'etl:pick-output-dir': noPayload,
  'etl:show-in-folder': z.strictObject({ path: filePath }),
  'etl:profile-column': profileRequest,
  'etl:run-history': noPayload,
  'etl:output-report': z.strictObject({ outDir: filePath }),
  'etl:html-report': z.strictObject({ outDir: filePath }),
  'etl:reopen-run': z.strictObject({ id: runId }),
} satisfies PayloadSchemas;

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(REQUEST_SCHEMAS, name);
}

/** Checks `payload` for `channel`; the error message names the channel and the bad field. */
export function validateRequest<C extends RequestChannel>(channel: C, payload: unknown): Result<RequestPayload<C>>;
export function validateRequest(channel: string, payload: unknown): Result<unknown>;
export function validateRequest(channel: string, payload: unknown): Result<unknown> {
  if (!isRequestChannel(channel)) {
    return refuse(`Unknown request channel "${channel}". Expected one of: ${Object.keys(REQUEST_SCHEMAS).join(', ')}.`);
  }
  const parsed = (REQUEST_SCHEMAS[channel] as z.ZodType).safeParse(payload);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return refuse(`Invalid request to ${channel}: ${describeIssue(issue)}.`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? `field "${issue.path.join('.')}"` : 'the payload';
  if (issue.code === 'unrecognized_keys')
    return `${field} has unexpected field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.path.length && /received undefined/.test(issue.message))
    return `${field} is missing`;
  if (issue.code === 'invalid_type' && !issue.path.length)
    return `the payload must be an object with the request's fields`;
  return `${field} ${issue.message}`;
}

function refuse(message: string): { ok: false; error: EtlErrorInfo } {
  return { ok: false, error: { kind: 'input', message } };
}
