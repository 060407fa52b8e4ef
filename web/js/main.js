// Boot and routing: one live connection and one host store for the whole
// page; the overview (#/), the fleet's processes (#/processes) and a host
// page (#/host/ID) take turns on screen, under the alerts bar.

import { initToken } from './auth.js';
import { LiveConnection } from './live.js';
import { HostStore } from './store.js';
import { Overview } from './overview.js';
import { HostPage } from './detail.js';
import { AlertsBar } from './alerts.js';
import { FleetPage } from './fleet.js';
import { ClusterStatus } from './cluster_status.js';
import { frameScheduler, setText } from './dom.js';
import { int } from './format.js';

initToken();

const store = new HostStore();
const overviewSection = document.getElementById('view-overview');
const hostSection = document.getElementById('view-host');
let hostPage = null;
let lastHostId = null;

// Declared before the overview reads it; rows are marked once alerts arrive.
const alerts = new AlertsBar({ onChange: () => renderOverview() });
const fleetPage = new FleetPage();
new ClusterStatus();

const overview = new Overview({
  store,
  onFilter: () => resubscribe(),
  onOpen: id => { location.hash = `#/host/${encodeURIComponent(id)}`; },
  alertsOn: id => alerts.firingOn(id),
});

const renderOverview = frameScheduler(() => {
  renderCounts();
  if (!overviewSection.hidden) overview.render();
});

const live = new LiveConnection({
  onMessage: msg => {
    switch (msg.type) {
      case 'snapshot':
        store.applySnapshot(msg);
        overview.hubThreshold(store.highCpu);
        renderOverview();
        break;
      case 'summaries':
        store.applySummaries(msg);
        overview.hubThreshold(store.highCpu);
        renderOverview();
        if (hostPage) {
          const rec = store.hosts.get(hostPage.id);
          if (rec && store.shown.includes(rec)) hostPage.onSummary(rec.summary);
        }
        break;
      case 'sample':
        if (hostPage && msg.host_id === hostPage.id) hostPage.onSample(msg);
        break;
      case 'error':
        console.warn(`hub refused a message: ${msg.code}: ${msg.message}`);
        break;
      default:
        break; // fields and types may be added later; unknown ones are ignored
    }
  },
  onState: state => renderConnection(state),
});

function resubscribe() {
  live.subscribe(overview.filter(), hostPage ? [hostPage.id] : []);
}

// --- connection status and banner -----------------------------------------

const conn = document.getElementById('conn');
const connText = document.getElementById('conn-text');
const banner = document.getElementById('banner');
const bannerText = document.getElementById('banner-text');
let countdown = 0;
let agesTimer = 0;
document.getElementById('banner-retry').addEventListener('click', () => live.retryNow());

function renderConnection(state) {
  conn.dataset.state = state;
  clearInterval(countdown);
  // Without frames nothing redraws the rows: their "Last seen" ages would
  // stay "just now" through an outage. Redraw them once a second meanwhile.
  store.connected = state === 'open';
  clearInterval(agesTimer);
  if (!store.connected) agesTimer = setInterval(renderOverview, 1000);
  hostPage?.renderStatus();
  if (state === 'open') {
    setText(connText, 'Live');
    banner.hidden = true;
    document.body.classList.remove('disconnected');
    return;
  }
  const everConnected = store.loaded;
  setText(connText, state === 'connecting' ? 'Connecting…' : 'Disconnected');
  if (state === 'waiting') {
    const update = () => {
      const s = Math.max(0, Math.ceil((live.retryAt - Date.now()) / 1000));
      setText(bannerText, `${everConnected ? 'Lost the connection to the hub' : 'Cannot reach the hub'}. Retrying in ${s} s (attempt ${live.attempt}). Figures on screen are stale.`);
    };
    update();
    countdown = setInterval(update, 500);
    banner.hidden = false;
    document.body.classList.add('disconnected');
  } else if (!banner.hidden) {
    setText(bannerText, 'Reconnecting to the hub…');
  }
}

// --- header counts ----------------------------------------------------------

const countEls = {
  online: document.getElementById('count-online'),
  offline: document.getElementById('count-offline'),
  hot: document.getElementById('count-hot'),
  total: document.getElementById('count-total'),
};
const hotLabel = document.getElementById('count-hot-label');

function renderCounts() {
  const c = store.counts || {};
  for (const [k, el] of Object.entries(countEls)) setText(el, int(c[k]));
  setText(hotLabel, store.highCpu != null ? `Hot ≥ ${store.highCpu} %` : 'Hot');
  document.querySelector('[data-count="hot"]').classList.toggle('has-hot', c.hot > 0);
  document.querySelector('[data-count="offline"]').classList.toggle('has-offline', c.offline > 0);
}

// --- routing ----------------------------------------------------------------

function markNav(page) {
  for (const [id, p] of [['nav-hosts', 'hosts'], ['nav-processes', 'processes']]) {
    const a = document.getElementById(id);
    if (p === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function route() {
  // #/host/ID, or #/host/ID?at=MS: the host page at a past moment (an alert's).
  const m = location.hash.match(/^#\/host\/([^?]+)(?:\?at=(\d+))?$/);
  let id = null;
  const at = m?.[2] ? Number(m[2]) : null;
  if (m) {
    try { id = decodeURIComponent(m[1]); } catch { id = null; }
  }
  if (location.hash === '#/processes') {
    hostPage?.destroy();
    hostPage = null;
    hostSection.hidden = true;
    overviewSection.hidden = true;
    fleetPage.show();
    markNav('processes');
    document.title = 'Processes across the fleet · telehub';
    document.getElementById('fleet-title').focus();
  } else if (id != null) {
    fleetPage.hide();
    markNav(null);
    if (hostPage && hostPage.id === id) {
      if (hostPage.at !== at) hostPage.setMoment(at);
      return;
    }
    hostPage?.destroy();
    overviewSection.hidden = true;
    hostSection.hidden = false;
    hostPage = new HostPage({
      section: hostSection, id, at, store,
      threshold: () => overview.thresholdValue,
      onBack: goBack,
    });
    lastHostId = id;
    document.title = `${id} · telehub`;
    window.scrollTo(0, 0);
    hostPage.focus();
  } else {
    fleetPage.hide();
    markNav('hosts');
    hostPage?.destroy();
    hostPage = null;
    hostSection.hidden = true;
    overviewSection.hidden = false;
    document.title = 'telehub';
    overview.render();
    if (lastHostId && !overview.focusRow(lastHostId)) document.getElementById('filter-q').focus();
  }
  resubscribe();
}

function goBack() {
  location.hash = '#/';
}

window.addEventListener('hashchange', route);
document.addEventListener('keydown', e => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  const typing = e.target.closest?.('input, textarea, select');
  if (e.key === 'Escape' && hostPage) {
    e.preventDefault();
    goBack();
  } else if (e.key === '/' && !typing && !overviewSection.hidden) {
    e.preventDefault();
    document.getElementById('filter-q').focus();
  }
});

route();
live.start();
alerts.start();
