// The dashboard's assembly of /ws/live summaries sets (web/js/summaries_parts.js):
// a set is applied whole or not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SummariesAssembler } from '../../web/js/summaries_parts.js';

const part = (ts, p, n, ...ids) => ({
  type: 'summaries', ts_ms: ts, part: p, parts: n, counts: { total: 9 }, hosts: ids.map(host_id => ({ host_id })),
});
const ids = msg => msg.hosts.map(h => h.host_id);

test('the parts of a set come out as one message, once the last is in', () => {
  const a = new SummariesAssembler();
  assert.equal(a.take(part(5, 0, 3, 'a', 'b')), null);
  assert.equal(a.take(part(5, 1, 3, 'c', 'd')), null);
  const whole = a.take(part(5, 2, 3, 'e'));
  assert.deepEqual(ids(whole), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(whole.ts_ms, 5);
  assert.deepEqual(whole.counts, { total: 9 });
});

test('a frame without parts, or a set of one, is whole', () => {
  const a = new SummariesAssembler();
  assert.deepEqual(ids(a.take({ type: 'summaries', ts_ms: 1, hosts: [{ host_id: 'x' }] })), ['x']);
  assert.deepEqual(ids(a.take(part(2, 0, 1, 'y'))), ['y']);
});

test('a set cut short is dropped, and the next whole set still comes out', () => {
  const a = new SummariesAssembler();
  assert.equal(a.take(part(5, 0, 3, 'a')), null);
  // The hub replaced the rest of set 5 with set 6.
  assert.equal(a.take(part(6, 0, 2, 'a', 'b')), null);
  assert.deepEqual(ids(a.take(part(6, 1, 2, 'c'))), ['a', 'b', 'c']);
  // A later part of a set whose start was never seen is not applied.
  assert.equal(a.take(part(7, 1, 2, 'z')), null);
  // Nor one that skips a part.
  assert.equal(a.take(part(8, 0, 3, 'a')), null);
  assert.equal(a.take(part(8, 2, 3, 'c')), null);
});

test('a reset (snapshot, reconnect) drops a set begun before it', () => {
  const a = new SummariesAssembler();
  assert.equal(a.take(part(5, 0, 2, 'a')), null);
  a.reset();
  assert.equal(a.take(part(5, 1, 2, 'b')), null);
});
