/**
 * One generated event as written to `raw_events.json`, and its serialisation. Fields left
 * `undefined` are left out of the JSON object; values are kept as raw JSON text where the
 * generator needs an exact spelling (`3.0`, `"12.50"`).
 */

/** The `metadata` object of an event (docs/rules.md "Events"). */
export interface EventMetadata {
  device?: string | null;
  page?: string | null;
}

/** A generated event. `undefined` fields are absent from the written object. */
export interface EventRecord {
  userId?: string | number | null;
  eventType?: string | null;
  timestamp?: string | number | null;
  /** The exact JSON text of `value` (`12.5`, `"12.50"`, `null`, `true`...). */
  valueText?: string;
  metadata?: EventMetadata | null;
  /** An unknown top-level field, as `"key":value` JSON text (the rules ignore it). */
  extraText?: string;
}

/** Strings that need no JSON escaping (the common case) are quoted without JSON.stringify. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;

function jsonScalar(v: string | number | null): string {
  if (typeof v !== 'string') return String(v);
  return NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
}

/** Event types, devices and pages come from small fixed lists: quote each once. */
const quotedNames = new Map<string, string>();

function quotedName(v: string | null): string {
  if (v === null) return 'null';
  let q = quotedNames.get(v);
  if (q === undefined) {
    q = jsonScalar(v);
    if (quotedNames.size < 1000) quotedNames.set(v, q);
  }
  return q;
}

/** The event as one line of compact JSON, keys in a fixed order. */
export function serializeEvent(e: EventRecord): string {
  // String concatenation rather than an array and join: this runs once per generated event.
  let s = '';
  if (e.userId !== undefined) s += `,"user_id":${jsonScalar(e.userId)}`;
  if (e.eventType !== undefined) s += `,"event_type":${quotedName(e.eventType)}`;
  if (e.timestamp !== undefined) s += `,"timestamp":${jsonScalar(e.timestamp)}`;
  if (e.valueText !== undefined) s += `,"value":${e.valueText}`;
  if (e.metadata === null) s += ',"metadata":null';
  else if (e.metadata !== undefined) {
    let m = '';
    if (e.metadata.device !== undefined) m += `,"device":${quotedName(e.metadata.device)}`;
    if (e.metadata.page !== undefined) m += `,"page":${quotedName(e.metadata.page)}`;
    s += `,"metadata":{${m.slice(1)}}`;
  }
  if (e.extraText !== undefined) s += `,${e.extraText}`;
  return `{${s.slice(1)}}`;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * The value the rules read from `value`'s JSON text: a number, a decimal-number string
 * (sign, digits, optional fraction; no exponent, no white space) as that number, else null.
 */
export function effectiveValue(valueText: string | undefined): number | null {
  if (valueText === undefined || valueText === 'null') return null;
  const c = valueText.charCodeAt(0);
  if (c === 34 /* " */) {
    const s = JSON.parse(valueText) as string;
    return DECIMAL.test(s) ? Number(s) : null;
  }
  if (c === 45 /* - */ || (c >= 48 && c <= 57)) return Number(valueText);
  return null;
}
