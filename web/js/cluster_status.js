// The cluster this hub belongs to (--cluster), in the top bar: which hub the
// dashboard is on, how many of the cluster's hubs are heard from, and
// whether its Redis link is up. With the link down the hub shows its own
// hosts only, and the indicator says so. Hidden on a hub that is alone.
// Read from /healthz, which needs no token, every few seconds.

import { Poller } from './poll.js';
import { setText, setAttr } from './dom.js';

const POLL_MS = 5000;

// What the indicator shows for /healthz's "cluster" object; null: no cluster.
export function clusterView(cluster) {
  if (!cluster || typeof cluster !== 'object') return null;
  const peers = Array.isArray(cluster.peers) ? cluster.peers : [];
  const live = peers.filter(p => p.live).length;
  const hubs = peers.length + 1;
  const lines = [`This dashboard is on hub ${cluster.hub}, joined through ${cluster.redis}.`];
  for (const p of peers) {
    const heard = Number.isFinite(p.age_ms) ? `${(p.age_ms / 1000).toFixed(1)} s ago` : 'not yet';
    lines.push(`${p.hub}: ${p.hosts} online host${p.hosts === 1 ? '' : 's'}, last heard ${heard}${p.live ? '' : ' (silent: its hosts are shown offline)'}`);
  }
  if (cluster.warning) lines.push(cluster.warning);
  if (cluster.state !== 'up') {
    lines.splice(1, 0, `Redis is unreachable${cluster.error ? ` (${cluster.error})` : ''}: this hub shows only its own hosts until the link is back.`);
    return { state: 'down', text: `${cluster.hub} · cluster down`, title: lines.join('\n') };
  }
  const state = cluster.warning || live < peers.length ? 'partial' : 'up';
  return { state, text: `${cluster.hub} · ${live + 1} of ${hubs} hub${hubs === 1 ? '' : 's'}`, title: lines.join('\n') };
}

export class ClusterStatus {
  constructor() {
    this.el = document.getElementById('cluster');
    this.text = document.getElementById('cluster-text');
    this.poller = new Poller('healthz', POLL_MS, {
      onData: health => this.render(clusterView(health?.cluster)),
      // The live connection's own indicator already says the hub cannot be reached.
      onError: () => {},
    });
    this.poller.start();
  }

  render(view) {
    if (this.el.hidden !== !view) this.el.hidden = !view;
    if (!view) return;
    this.el.dataset.state = view.state;
    setText(this.text, view.text);
    setAttr(this.el, 'title', view.title);
  }
}
