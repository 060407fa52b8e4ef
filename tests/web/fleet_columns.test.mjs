// The fleet processes table's cells (web/js/fleet.js), without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetColumns } from '../../web/js/fleet.js';

const cells = row => Object.fromEntries(fleetColumns().filter(c => c.text).map(c => [c.id, c.text(row)]));

test('a name among the hosts\' top processes shows its count and CPU', () => {
  const c = cells({ name: 'nginx', hosts: 2, processes: 3, cpu_total: 12.25, cpu_max: 7.5, sockets: { total: 40 } });
  assert.equal(c.processes, '3');
  assert.equal(c.cpu, '12.3');
  assert.equal(c.cpu_max, '7.5');
  assert.equal(c.sockets, '40');
});

test('a name that is only a top socket holder has no CPU figures, not zeros', () => {
  const c = cells({ name: 'telehub', hosts: 1, processes: 0, cpu_total: 0, cpu_max: 0, sockets: { total: 48 } });
  assert.equal(c.processes, '–');
  assert.equal(c.cpu, '–');
  assert.equal(c.cpu_max, '–');
  assert.equal(c.sockets, '48');
});

test('a top process measured idle keeps its 0.0', () => {
  const c = cells({ name: 'sleepy', hosts: 1, processes: 1, cpu_total: 0, cpu_max: 0, sockets: { total: 0 } });
  assert.equal(c.cpu, '0.0');
  assert.equal(c.sockets, '0');
});
