import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventTimeline, TIMELINE_START_S } from '../../electron/generator/event-timeline';
import { Rng } from '../../electron/generator/prng';
import {
  INVALID_TIMESTAMP_PATTERNS,
  invalidTimestamp,
  LOSSY_FORMS,
  validTimestamp,
  type ValidTimestampForm,
} from '../../electron/generator/timestamp-forms';
import { isValidTimestamp } from '../model/spec-model';

const FORMS: ValidTimestampForm[] = [
  'canonical',
  'fraction_3',
  'fraction_6',
  'fraction_9',
  'fraction_comma',
  'fraction_1',
  'offset_+05:30',
  'offset_-0800',
  'offset_+01',
  'offset_+00:00',
  'offset_-05:00',
  'space_separator_z',
  'space_separator_no_zone',
  'no_zone',
  'lowercase_z',
  'minutes_only_z',
  'minutes_only_no_zone',
  'date_only',
];

// 2025-03-14T09:26:53Z
const INSTANT = { seconds: Date.UTC(2025, 2, 14, 9, 26, 53) / 1000, millis: 0 };

test('the canonical form looks like 2025-03-14T09:26:53Z', () => {
  assert.equal(validTimestamp(INSTANT, false, 'canonical', new Rng(1)), '2025-03-14T09:26:53Z');
  assert.equal(validTimestamp({ ...INSTANT, millis: 7 }, true, 'canonical', new Rng(1)), '2025-03-14T09:26:53.007Z');
});

test('every valid form is valid under the rules and, unless lossy, names the same instant', () => {
  const rng = new Rng(2);
  for (const withMillis of [false, true]) {
    for (const form of FORMS) {
      const instant = { ...INSTANT, millis: withMillis ? 123 : 0 };
      const text = validTimestamp(instant, withMillis, form, rng);
      assert.ok(isValidTimestamp(text), `${form}: ${text}`);
      if (LOSSY_FORMS.has(form)) continue;
      const iso = text
        .replace(' ', 'T')
        .replace(',', '.')
        .replace(/z$/, 'Z')
        .replace(/([+-]\d\d)(\d\d)$/, '$1:$2')
        .replace(/([+-]\d\d)$/, '$1:00');
      const withZone = /[Zz]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`;
      assert.equal(Math.floor(Date.parse(withZone) / 1000), instant.seconds, `${form}: ${text}`);
    }
  }
});

test('every invalid pattern is invalid under the rules', () => {
  for (const pattern of INVALID_TIMESTAMP_PATTERNS) {
    for (let i = 0; i < 20; i++) {
      const value = invalidTimestamp({ seconds: INSTANT.seconds + i * 86_400 * 17, millis: 0 }, pattern, i);
      assert.ok(!isValidTimestamp(value), `${pattern}: ${JSON.stringify(value)}`);
    }
  }
  assert.equal(invalidTimestamp(INSTANT, 'slashes'), '2025/03/14 09:26:53');
  assert.equal(invalidTimestamp(INSTANT, 'basic_format'), '20250314T092653Z');
  assert.equal(invalidTimestamp(INSTANT, 'week_date'), '2025-W11-5');
  assert.equal(invalidTimestamp(INSTANT, 'epoch_number'), INSTANT.seconds);
  assert.equal(invalidTimestamp(INSTANT, 'missing'), undefined);
  assert.equal(invalidTimestamp(INSTANT, 'impossible_date'), '2025-02-30T09:26:53Z');
});

test('the timeline is strictly increasing and stays in 2025', () => {
  for (const count of [10, 5000]) {
    const timeline = new EventTimeline(count);
    const rng = new Rng(4);
    let last = -1;
    for (let i = 0; i < count; i++) {
      const t = timeline.next(rng);
      assert.ok(t.seconds > last);
      last = t.seconds;
    }
    assert.ok(last < TIMELINE_START_S + 365 * 86_400);
  }
});

test('past 12 million natural events the timeline counts milliseconds, still increasing', () => {
  const timeline = new EventTimeline(13_000_000);
  assert.equal(timeline.millisecondUnit, true);
  const rng = new Rng(5);
  let last = -1;
  for (let i = 0; i < 10_000; i++) {
    const t = timeline.next(rng);
    const unit = t.seconds * 1000 + t.millis;
    assert.ok(unit > last);
    last = unit;
  }
  assert.match(validTimestamp(timeline.current(), true, 'canonical', rng), /^2025-01-01T\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(new EventTimeline(12_000_000).millisecondUnit, false);
});
