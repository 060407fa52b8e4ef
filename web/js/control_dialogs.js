// Modal dialogs for process control. Every dangerous action goes through one
// of these, so nothing is signalled or started by a stray click: the dialog
// names the process (name and pid) and the action before anything is sent.
// Each returns a promise of the user's choice, or null when cancelled.

import { h } from './dom.js';

export const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGSTOP', 'SIGCONT'];

// modal({title, body, confirmLabel, danger, read}) -> value of read() or null
// (the alerts list asks for a silence through it too).
export function modal({ title, body, confirmLabel, danger = false, read = () => true }) {
  return new Promise(resolve => {
    const error = h('p', { class: 'dialog-error', role: 'alert', hidden: true });
    const ok = h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn btn-primary', value: 'ok' }, confirmLabel);
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const form = h('form', { method: 'dialog' },
      h('h2', { class: 'dialog-title' }, title), ...body, error,
      h('div', { class: 'dialog-actions' }, cancel, ok));
    const dlg = h('dialog', { class: 'dialog', 'aria-label': title }, form);
    let result = null;
    form.addEventListener('submit', e => {
      let v;
      try { v = read(); } catch (err) {
        e.preventDefault();
        error.hidden = false;
        error.textContent = err.message;
        return;
      }
      result = v;
    });
    cancel.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => { dlg.remove(); resolve(result); });
    document.body.append(dlg);
    dlg.showModal();
    (body.find(n => n.querySelector?.('input, select'))?.querySelector('input, select') || cancel).focus();
  });
}

function procLabel(p) {
  return `${p.name ?? 'process'} (pid ${p.pid})`;
}

export function confirmKill(p) {
  const cmd = Array.isArray(p.cmdline) && p.cmdline.length ? p.cmdline.join(' ') : null;
  return modal({
    title: `Kill ${procLabel(p)}?`,
    body: [h('p', {}, `SIGKILL ends it at once, without a chance to clean up.${p.username ? ` It runs as ${p.username}.` : ''}`),
      cmd ? h('p', { class: 'dialog-cmd' }, cmd) : null].filter(Boolean),
    confirmLabel: `Kill ${p.name ?? p.pid}`,
    danger: true,
  });
}

export function chooseSignal(p) {
  const select = h('select', { name: 'signal' }, ...SIGNALS.map(s => h('option', { value: s, selected: s === 'SIGTERM' }, s)));
  return modal({
    title: `Send a signal to ${procLabel(p)}`,
    body: [h('label', { class: 'field' }, h('span', {}, 'Signal'), select)],
    confirmLabel: 'Send',
    danger: true,
    read: () => select.value,
  });
}

export function chooseNice(p) {
  const input = h('input', { type: 'number', name: 'priority', min: -20, max: 19, step: 1, value: String(p.nice ?? 0), required: true });
  return modal({
    title: `Renice ${procLabel(p)}`,
    body: [h('label', { class: 'field' }, h('span', {}, 'Nice (−20 highest priority … 19 lowest)'), input)],
    confirmLabel: 'Renice',
    read: () => {
      const v = Number(input.value);
      if (!Number.isInteger(v) || v < -20 || v > 19) throw new Error('Nice must be a whole number from -20 to 19.');
      return v;
    },
  });
}

export function askCommand(hostLabel, allowed) {
  const cmd = h('input', { type: 'text', name: 'cmd', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: allowed?.[0] || 'program' });
  const args = h('input', { type: 'text', name: 'args', autocomplete: 'off', spellcheck: 'false', placeholder: 'arguments, separated by spaces' });
  return modal({
    title: `Run a command on ${hostLabel}`,
    body: [
      h('p', {}, 'Started directly, not through a shell: no pipes, globs or variables.'),
      h('label', { class: 'field' }, h('span', {}, 'Program'), cmd),
      h('label', { class: 'field' }, h('span', {}, 'Arguments'), args),
    ],
    confirmLabel: 'Run',
    read: () => {
      const c = cmd.value.trim();
      if (!c) throw new Error('Name the program to run.');
      return { cmd: c, args: args.value.trim() ? args.value.trim().split(/\s+/) : [] };
    },
  });
}
