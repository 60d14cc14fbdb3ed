// The kicc-mock dashboard: everything it shows and does goes through the
// admin JSON API (docs/admin-api.md) and GET /__admin/events. Data from
// requests is shown with textContent only: a request body is the caller's
// text, never markup.
'use strict';

const maxRequests = 500; // entries kept on the page; the journal keeps its own count
const state = { requests: [], keys: new Set(), open: new Set(), scenarios: [], defaults: {}, clock: null, clockAt: 0 };

function $(sel) { return document.querySelector(sel); }

// el builds an element: attributes (on* are listeners), then children
// (strings become text).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

function showError(msg) {
  const p = $('#error');
  p.textContent = msg;
  p.hidden = !msg;
}

// api calls the admin API. The admin token, when the mock has one, rides in
// the dashboard's cookie (set by opening /__admin/ui?token=...).
async function api(method, path, body, contentType) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.body = typeof body === 'string' ? body : JSON.stringify(body);
    opts.headers['Content-Type'] = contentType || 'application/json';
  }
  const res = await fetch(path, opts);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = { message: text }; }
  if (res.status === 401) {
    showError('The admin token is missing or wrong: open /__admin/ui?token=<token> once.');
  }
  if (!res.ok) {
    const err = new Error((data && (data.message || data.resMsg)) || res.status + ' ' + res.statusText);
    err.status = res.status;
    err.data = data;
    throw err;
  }
  return data;
}

// attempt runs an action and shows its error, if any, instead of throwing.
async function attempt(f) {
  try { await f(); } catch (e) { showError(e.message); }
}

// ---- requests

function entryKey(v) { return v.requestId + '|' + v.time; }

function resCd(v) { return v.response && typeof v.response === 'object' ? v.response.resCd || '' : ''; }

function pgCnos(v) {
  const out = [];
  for (const o of [v.body, v.response]) {
    if (o && typeof o === 'object') {
      if (o.pgCno) out.push(String(o.pgCno));
      if (o.cancelPgCno) out.push(String(o.cancelPgCno));
    }
  }
  return out;
}

async function loadRequests() {
  const data = await api('GET', '/__admin/requests?limit=' + maxRequests);
  state.requests = data.requests || [];
  state.keys = new Set(state.requests.map(entryKey));
  renderRequests();
}

function addRequest(v) {
  const k = entryKey(v);
  if (state.keys.has(k)) return;
  state.keys.add(k);
  state.requests.unshift(v);
  while (state.requests.length > maxRequests) state.keys.delete(entryKey(state.requests.pop()));
  renderRequests();
}

function filters() {
  const f = new FormData($('#filters'));
  return { scenario: (f.get('scenario') || '').trim(), resCd: (f.get('resCd') || '').trim(), pgCno: (f.get('pgCno') || '').trim() };
}

// clockTime is the time of day of an RFC 3339 time, to the millisecond
// (the journal's times are KST).
function clockTime(t) {
  const m = /T(\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(t || '');
  return m ? m[1] + (m[2] || '') : t;
}

function pretty(v) {
  if (v === null || v === undefined) return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

function renderRequests() {
  const f = filters();
  const shown = state.requests.filter(v =>
    (!f.scenario || (v.scenario || '') === f.scenario) &&
    (!f.resCd || resCd(v) === f.resCd) &&
    (!f.pgCno || pgCnos(v).includes(f.pgCno)));
  const box = $('#requests');
  box.replaceChildren();
  $('#requests-count').textContent = shown.length === state.requests.length ?
    '(' + shown.length + ')' : '(' + shown.length + ' of ' + state.requests.length + ')';
  if (shown.length === 0) {
    box.append(el('p', { class: 'empty', text: state.requests.length ? 'No request matches the filters.' : 'No requests yet: send one to a KICC endpoint.' }));
    return;
  }
  for (const v of shown) {
    const k = entryKey(v);
    const code = resCd(v);
    const d = el('details', { class: 'request', open: state.open.has(k), 'data-request-id': v.requestId, 'data-rescd': code, 'data-scenario': v.scenario || '' },
      el('summary', {},
        el('span', { class: 'time', title: v.time, text: clockTime(v.time) }),
        el('span', { class: 'status s' + String(v.status)[0], text: v.status }),
        el('span', { class: 'rescd', text: code || '—' }),
        el('span', { class: 'path', text: v.method + ' ' + v.path }),
        el('span', { class: 'scenario', text: v.scenario || '' }),
        el('span', { class: 'lint-mark', title: 'lint findings', text: v.lint && v.lint.length ? 'lint ' + v.lint.length : '' }),
        el('span', { class: 'ms', text: v.durationMs.toFixed(1) + ' ms' })));
    d.addEventListener('toggle', () => { if (d.open) state.open.add(k); else state.open.delete(k); });
    const headers = Object.entries(v.headers || {}).map(([h, val]) => h + ': ' + val).join('\n');
    d.append(el('div', { class: 'detail' },
      el('div', {}, el('h4', { text: 'request' }), el('pre', { text: pretty(v.body) }),
        v.unknownFields ? el('p', { class: 'warn', text: 'unknown fields: ' + v.unknownFields.join(', ') }) : null),
      el('div', {}, el('h4', { text: 'answer (HTTP ' + v.status + ')' }), el('pre', { text: pretty(v.response) })),
      el('div', {}, el('h4', { text: 'headers' }), el('pre', { text: headers || '(none)' })),
      el('div', {}, el('h4', { text: 'lint findings' }), el('pre', { class: 'lint', text: v.lint && v.lint.length ? pretty(v.lint) : '(none)' }),
        el('p', { text: 'request id ' + v.requestId + ', ' + v.durationMs.toFixed(3) + ' ms, ' + v.time }))));
    box.append(d);
  }
}

// ---- scenarios

async function loadScenarios() {
  const data = await api('GET', '/__admin/scenarios');
  state.scenarios = data.scenarios || [];
  state.defaults = data.defaults || {};
  renderScenarios();
}

function renderScenarios() {
  const tbody = $('#scenarios tbody');
  tbody.replaceChildren(...state.scenarios.map(s => el('tr', { 'data-name': s.name },
    el('td', {}, el('code', { text: s.name })),
    el('td', { text: s.source + (s.file ? ' (' + s.file + (s.line ? ':' + s.line : '') + ')' : '') }),
    el('td', { text: (s.endpoints || []).join(', ') }),
    el('td', { text: s.description || '' }),
    el('td', {}, s.source === 'runtime' ? el('button', { type: 'button', class: 'delete', text: 'Delete',
      onclick: () => attempt(async () => { await api('DELETE', '/__admin/scenarios/' + encodeURIComponent(s.name)); await loadScenarios(); }) }) : null))));
  $('#scenario-names').replaceChildren(...state.scenarios.map(s => el('option', { value: s.name })));
  const box = $('#defaults');
  box.replaceChildren();
  for (const ep of Object.keys(state.defaults).sort()) {
    const current = state.defaults[ep];
    const select = el('select', { name: 'name' }, el('option', { value: '', text: '(built-in default)' }));
    for (const s of state.scenarios) {
      if ((s.endpoints || []).includes(ep)) select.append(el('option', { value: s.name, selected: s.name === current, text: s.name }));
    }
    const status = el('span', { class: 'ok' });
    const form = el('form', { class: 'default row', 'data-endpoint': ep },
      el('label', { text: ep + ' ' }, select),
      el('button', { type: 'submit', text: 'Set' }),
      el('span', { class: 'current', 'data-current': current, text: 'now: ' + (current || '(none)') }), status);
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      attempt(async () => {
        const r = await api('PUT', '/__admin/default-scenario', { endpoint: ep, name: select.value });
        await loadScenarios();
        showError('');
        const f = document.querySelector('form.default[data-endpoint="' + ep + '"] .ok');
        if (f) f.textContent = 'set to ' + (r.name || '(none)');
      });
    });
    box.append(form);
  }
}

function setupAddScenario() {
  $('#add-scenario').addEventListener('submit', ev => {
    ev.preventDefault();
    const errors = $('#scenario-errors');
    const added = $('#scenario-added');
    errors.replaceChildren();
    added.textContent = '';
    const text = ev.target.elements.yaml.value;
    api('POST', '/__admin/scenarios', text, 'application/yaml').then(r => {
      added.textContent = 'added: ' + (r.added || []).join(', ');
      return loadScenarios();
    }, e => {
      // The mock names each mistake "request:line: message".
      const lines = (e.data && e.data.errors) || [e.message];
      errors.replaceChildren(...lines.map(l => el('li', { text: l })));
    });
  });
}

// ---- clock

// clockCall reads or moves the mock's clock, and shows what it answers.
async function clockCall(method, body) {
  state.clock = await api(method, '/__admin/clock', body);
  state.clockAt = Date.now();
  renderClock();
}

function loadClock() { return clockCall('GET'); }

function renderClock() {
  const c = state.clock;
  if (!c) return;
  let now = c.now;
  const t = Date.parse(c.now);
  if (!Number.isNaN(t)) {
    // Tick locally between reads: the mock's clock runs at real speed.
    now = new Date(t + Date.now() - state.clockAt + 9 * 3600e3).toISOString().replace(/\.\d+Z$/, '+09:00');
  }
  $('#clock-now').textContent = (c.adjusted ? 'clock moved: ' : '') + now.replace('T', ' ');
  $('#clock-now').dataset.adjusted = c.adjusted;
  $('#clock-detail').textContent = now + (c.adjusted ? ' (offset ' + c.offset + ')' : ' (real time)');
}

function setupClock() {
  $('#clock-set').addEventListener('submit', ev => {
    ev.preventDefault();
    attempt(async () => { await clockCall('PUT', { now: ev.target.elements.now.value.trim() }); showError(''); });
  });
  $('#clock-advance').addEventListener('submit', ev => {
    ev.preventDefault();
    attempt(async () => { await clockCall('PUT', { advance: ev.target.elements.advance.value.trim() }); showError(''); });
  });
  $('#clock-real').addEventListener('click', () => attempt(() => clockCall('DELETE')));
  setInterval(renderClock, 1000);
}

// ---- sandbox

async function loadSandbox() {
  const [tx, wh] = await Promise.all([api('GET', '/__admin/transactions'), api('GET', '/__admin/webhooks?limit=200')]);
  renderTransactions(tx.transactions || []);
  const attempts = wh.webhooks || [];
  renderWebhooks(attempts);
  // Resends happen without a request to show them: while a notification
  // waits for one (its newest attempt is "retrying"), look again shortly.
  const newest = new Map();
  for (const a of attempts) if (!newest.has(a.notification)) newest.set(a.notification, a);
  if ([...newest.values()].some(a => a.outcome === 'retrying')) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => attempt(loadSandbox), 2000);
  }
}

let sandboxTimer = 0;
let retryTimer = 0;
// sandboxSoon reloads the sandbox tables once a burst of requests is over.
function sandboxSoon() {
  clearTimeout(sandboxTimer);
  sandboxTimer = setTimeout(() => attempt(loadSandbox), 300);
}

function action(label, method, path, cls) {
  return el('button', { type: 'button', class: cls, onclick: () => attempt(async () => { await api(method, path); await loadSandbox(); showError(''); }), text: label });
}

function renderTransactions(list) {
  $('#transactions tbody').replaceChildren(...list.map(p => {
    const cancels = el('td', {});
    for (const c of p.cancels || []) {
      cancels.append(el('div', { text: c.cancelPgCno + ' ' + c.amount + ' ' + c.state + ' ' }),
        c.state === 'pending' ? action('Complete', 'POST', '/__admin/transactions/' + encodeURIComponent(c.cancelPgCno) + '/complete', 'complete') : '');
    }
    const buttons = el('td', {});
    if (p.state === 'created') {
      buttons.append(action('Pay', 'POST', '/__admin/transactions/' + encodeURIComponent(p.pgCno) + '/pay', 'pay'),
        action('Void', 'POST', '/__admin/transactions/' + encodeURIComponent(p.pgCno) + '/void', 'void'));
    }
    return el('tr', { 'data-pgcno': p.pgCno, 'data-state': p.state },
      el('td', {}, el('code', { text: p.pgCno })), el('td', { text: p.shopOrderNo }),
      el('td', { text: p.amount + ' ' + p.currency }), el('td', { text: p.state }), el('td', { text: p.statusCd || '—' }),
      cancels, buttons);
  }));
}

function renderWebhooks(list) {
  $('#webhooks tbody').replaceChildren(...list.map(a => {
    const buttons = el('td', {});
    if (a.id && a.url) buttons.append(action('Resend', 'POST', '/__admin/webhooks/' + a.id + '/resend', 'resend'));
    if (a.id && a.outcome === 'retrying') buttons.append(action('Drop', 'POST', '/__admin/webhooks/' + a.id + '/drop', 'drop'));
    return el('tr', { 'data-outcome': a.outcome },
      el('td', { text: a.id || '' }), el('td', { title: a.time, text: clockTime(a.time) }),
      el('td', { text: a.kind }), el('td', {}, el('code', { text: a.cancelPgCno || a.pgCno })),
      el('td', { text: a.attempt }), el('td', { class: 'outcome ' + a.outcome, text: a.outcome }),
      el('td', { text: [a.status ? 'HTTP ' + a.status : '', a.resCd, a.error, a.nextAttemptIn ? 'next in ' + a.nextAttemptIn : ''].filter(Boolean).join(' · ') }),
      buttons);
  }));
}

// ---- live updates

function connect() {
  const live = $('#live');
  const es = new EventSource('/__admin/events');
  es.addEventListener('open', () => {
    live.dataset.live = 'on';
    live.textContent = 'live';
    // Whatever happened while the stream was down is in the journal.
    loadAll();
  });
  es.addEventListener('error', () => {
    live.dataset.live = 'off';
    live.textContent = 'reconnecting…';
    // EventSource tries again by itself after a network error, not after
    // an answer that is not a stream (a 503 past the mock's bound on open
    // streams, a proxy's 502 while the mock restarts): then the page does.
    if (es.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  });
  es.addEventListener('request', ev => {
    addRequest(JSON.parse(ev.data));
    sandboxSoon();
  });
  // The stream dropped entries (this page fell behind) or the journal was
  // cleared: read it again.
  es.addEventListener('refetch', () => { attempt(loadRequests); sandboxSoon(); });
}

function loadAll() {
  return attempt(() => Promise.all([loadRequests(), loadScenarios(), loadClock(), loadSandbox()]).then(() => showError('')));
}

// Opened as /__admin/ui?token=..., the page now has its cookie: the token
// leaves the address bar and this history entry.
if (new URLSearchParams(location.search).has('token')) {
  history.replaceState(null, '', location.pathname + location.hash);
}

document.addEventListener('DOMContentLoaded', () => {
  $('#filters').addEventListener('input', renderRequests);
  $('#filters').addEventListener('reset', () => setTimeout(renderRequests, 0));
  $('#filters').addEventListener('submit', ev => ev.preventDefault());
  $('#reset').addEventListener('click', () => attempt(async () => {
    await api('POST', '/__admin/reset');
    await loadAll();
  }));
  $('#refresh-sandbox').addEventListener('click', () => attempt(loadSandbox));
  setupAddScenario();
  setupClock();
  connect();
});
