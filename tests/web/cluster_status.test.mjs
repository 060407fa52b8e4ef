// The top bar's cluster indicator (web/js/cluster_status.js), without a browser:
// what it shows for each state /healthz's "cluster" object can be in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterView } from '../../web/js/cluster_status.js';

const peer = (hub, live, hosts = 3) => ({ hub, hosts, age_ms: live ? 400 : 9000, live });

test('a hub that is alone shows no indicator', () => {
  assert.equal(clusterView(undefined), null);
  assert.equal(clusterView(null), null);
});

test('every hub heard from: this hub and the count of live hubs', () => {
  const v = clusterView({ hub: 'hub-a', redis: 'redis://10.0.0.5:6379', state: 'up', peers: [peer('hub-b', true), peer('hub-c', true, 1)] });
  assert.equal(v.state, 'up');
  assert.equal(v.text, 'hub-a · 3 of 3 hubs');
  assert.match(v.title, /hub-b: 3 online hosts, last heard 0\.4 s ago/);
  assert.match(v.title, /hub-c: 1 online host, /);
});

test('a silent hub makes it partial, and is named as such', () => {
  const v = clusterView({ hub: 'hub-a', redis: 'redis://r:6379', state: 'up', peers: [peer('hub-b', true), peer('hub-c', false)] });
  assert.equal(v.state, 'partial');
  assert.equal(v.text, 'hub-a · 2 of 3 hubs');
  assert.match(v.title, /hub-c: .*silent: its hosts are shown offline/);
});

test('the first hub of a cluster counts itself', () => {
  const v = clusterView({ hub: 'solo', redis: 'redis://r:6379', state: 'up', peers: [] });
  assert.equal(v.text, 'solo · 1 of 1 hub');
  assert.equal(v.state, 'up');
});

test('Redis down: said, with why, and that only this hub\'s hosts are shown', () => {
  const v = clusterView({ hub: 'hub-a', redis: 'redis://r:6379', state: 'down', error: 'connection refused', peers: [peer('hub-b', false)] });
  assert.equal(v.state, 'down');
  assert.equal(v.text, 'hub-a · cluster down');
  assert.match(v.title, /Redis is unreachable \(connection refused\): this hub shows only its own hosts/);
});

test('two hubs of one name: the warning is shown and the state is not "up"', () => {
  const v = clusterView({ hub: 'hub-a', redis: 'redis://r:6379', state: 'up', peers: [], warning: 'another hub also calls itself \'hub-a\'' });
  assert.equal(v.state, 'partial');
  assert.match(v.title, /another hub also calls itself/);
});
