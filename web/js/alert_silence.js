// Silences made from the alerts list: "Silence…" on an alert asks how long,
// for which hosts and why (a modal, so the list may refresh underneath),
// then POST /api/silences with the tab's token; an alert a silence covers
// shows until when, who made it and why, with "End silence" (DELETE
// /api/silences/{id}). The hub decides who may: a viewer token is refused,
// and its refusal is shown on the alert (docs/alerts.md, "Silences").

import { h } from './dom.js';
import { sendJson } from './auth.js';
import { modal } from './control_dialogs.js';
import { dateTime } from './format.js';

const DURATIONS = [[1, '1 hour'], [4, '4 hours'], [24, '24 hours'], [72, '3 days']];

// The hub's globs: `*` any run of characters, `?` one; nothing else is special.
export function globMatches(glob, text) {
  if (!glob) return true;
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(text ?? '');
}

// The silence (of GET /api/silences) that keeps `alert` from notifying, if any.
export function silenceFor(alert, silences) {
  return silences.find(s => globMatches(s.rule, alert.rule) &&
    (!s.host || globMatches(s.host, alert.host_id) || globMatches(s.host, alert.hostname))) || null;
}

// The controls under one alert: its silence with "End silence", or "Silence…";
// `message` is the outcome of the last attempt on this alert (an error).
export function silenceControls(alert, silence, message) {
  const row = h('div', { class: 'alert-actions' });
  if (silence) {
    row.append(
      h('span', { class: 'silenced', dataset: { silence: silence.id } },
        `Silenced until ${dateTime(silence.until_ms)}${silence.created_by ? ` by ${silence.created_by}` : ''}: ${silence.comment}`),
      h('button', { type: 'button', class: 'btn btn-small silence-end', dataset: { silence: silence.id } }, 'End silence'));
  } else {
    row.append(h('button', { type: 'button', class: 'btn btn-small silence-open', dataset: { rule: alert.rule, host: alert.host_id } }, 'Silence…'));
  }
  if (message) row.append(h('p', { class: 'alert-message', role: 'alert' }, message));
  return row;
}

// Asks for the silence of `alert`; the body for POST /api/silences, or null when cancelled.
export function askSilence(alert) {
  const label = alert.hostname || alert.host_id;
  const hours = h('select', { name: 'duration' }, ...DURATIONS.map(([n, text]) => h('option', { value: n, selected: n === 4 }, text)));
  const scope = h('select', { name: 'scope' },
    h('option', { value: 'host', selected: true }, `this rule on ${label}`),
    h('option', { value: 'all' }, 'this rule on every host'));
  const comment = h('input', { type: 'text', name: 'comment', required: true, autocomplete: 'off', placeholder: 'why: a maintenance window, a known job…' });
  return modal({
    title: `Silence “${alert.rule}”`,
    body: [
      h('p', {}, 'While silenced the alert still moves through its states and is kept in the history, but notifies nobody.'),
      h('label', { class: 'field' }, h('span', {}, 'For'), hours),
      h('label', { class: 'field' }, h('span', {}, 'Covering'), scope),
      h('label', { class: 'field' }, h('span', {}, 'Comment'), comment),
    ],
    confirmLabel: 'Silence',
    read: () => {
      const why = comment.value.trim();
      if (!why) throw new Error('Say why: the comment is kept with the silence.');
      const body = { rule: alert.rule, until: Math.floor(Date.now() / 1000) + Number(hours.value) * 3600, comment: why };
      if (scope.value === 'host') body.host = alert.host_id;
      return body;
    },
  });
}

export function createSilence(body) {
  return sendJson('POST', 'api/silences', body);
}

export function endSilence(id) {
  return sendJson('DELETE', `api/silences/${encodeURIComponent(id)}`);
}
