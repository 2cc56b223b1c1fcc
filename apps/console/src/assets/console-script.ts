/**
 * The console's one script (served at /assets/console.js). The pages work without it; it adds live
 * alerts (server-sent events), ages that keep counting, and refreshes a page region while a job
 * (an erasure) is in progress. It builds nodes with textContent, never from strings of markup.
 */
export const CONSOLE_JS = `'use strict';
(function () {
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function utc(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
  }
  function age(iso) {
    var s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    if (s < 86400) return Math.floor(s / 3600) + ' h';
    return Math.floor(s / 86400) + ' d';
  }
  function cls(v) { return String(v).replace(/[^a-z0-9_-]/gi, ''); }
  function badge(prefix, value) { return el('span', { class: 'badge ' + prefix + '-' + cls(value) }, [String(value).replace(/_/g, ' ')]); }
  function td(children, attrs) { return el('td', attrs || {}, children); }
  function seg(v) { return encodeURIComponent(v); }

  function alertRow(a) {
    var time = el('time', { datetime: a.raisedAt }, [utc(a.raisedAt)]);
    var subject = a.subjectRef ? el('a', { href: '/subjects/' + seg(a.subjectRef) }, [a.subjectRef]) : el('span', { class: 'muted' }, ['—']);
    var session = a.sessionId ? el('a', { href: '/sessions/' + seg(a.sessionId), class: 'mono' }, [a.sessionId.slice(0, 8) + '…']) : el('span', { class: 'muted' }, ['—']);
    var review = el('a', { href: '/alerts/' + seg(a.alertId) }, ['Review', el('span', { class: 'visually-hidden' }, [' alert ' + a.alertId])]);
    return el('tr', { 'data-alert-id': a.alertId, class: 'is-new' }, [
      td([time]), td([age(a.raisedAt)], { 'data-age': a.raisedAt }), td([badge('kind', a.kind)]), td([badge('severity', a.severity)]),
      td([badge('status', 'open')], { 'data-status': '' }), td([subject]), td([session]),
      td([el('span', { class: 'muted' }, ['New: open the alert for its details'])], { class: 'summary' }), td([review], { class: 'action' })
    ]);
  }

  function bump(selector, by) {
    var node = document.querySelector(selector);
    if (node) node.textContent = String((parseInt(node.textContent, 10) || 0) + by);
  }

  function liveAlerts() {
    var table = document.querySelector('[data-live-alerts]');
    var status = document.querySelector('[data-live-status]');
    if (!table || !window.EventSource) return;
    var kind = table.getAttribute('data-kind') || '';
    var tbody = table.querySelector('tbody');
    var source = new EventSource('/events/alerts');
    source.addEventListener('open', function () { table.setAttribute('data-live', 'connected'); });
    source.addEventListener('alert', function (e) {
      var a;
      try { a = JSON.parse(e.data); } catch (err) { return; }
      if (!a || !a.alertId || (kind && a.kind !== kind)) return;
      if (tbody.querySelector('tr[data-alert-id="' + cls(a.alertId) + '"]')) return;
      tbody.insertBefore(alertRow(a), tbody.firstChild);
      bump('[data-count-kind="' + cls(a.kind) + '"]', 1);
      bump('[data-count-total]', 1);
      var empty = document.querySelector('[data-empty]');
      if (empty) empty.remove();
      if (status) status.textContent = 'New alert: ' + String(a.kind).replace(/_/g, ' ') + ' (' + a.severity + ')' + (a.subjectRef ? ' for subject ' + a.subjectRef : '') + '.';
    });
    source.addEventListener('alert-status', function (e) {
      var s;
      try { s = JSON.parse(e.data); } catch (err) { return; }
      var row = s && s.alertId && tbody.querySelector('tr[data-alert-id="' + cls(s.alertId) + '"]');
      var cell = row && row.querySelector('[data-status]');
      if (!cell) return;
      cell.textContent = '';
      cell.appendChild(badge('status', s.status));
    });
    source.addEventListener('error', function () {
      table.setAttribute('data-live', 'disconnected');
      if (source.readyState === 2 && status) status.textContent = 'Live updates stopped. Reload the page to see new alerts.';
    });
  }

  function ages() {
    setInterval(function () {
      document.querySelectorAll('[data-age]').forEach(function (cell) { cell.textContent = age(cell.getAttribute('data-age')); });
    }, 30000);
  }

  function pollRegion() {
    var region = document.querySelector('[data-poll-region]');
    if (!region || !region.id || !window.fetch || !window.DOMParser) return;
    var seconds = Math.max(2, parseInt(region.getAttribute('data-poll-seconds'), 10) || 5);
    var timer = setInterval(function () {
      fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' }).then(function (res) {
        if (!res.ok) { clearInterval(timer); return null; }
        return res.text();
      }).then(function (text) {
        if (text === null || text === undefined) return;
        var next = new DOMParser().parseFromString(text, 'text/html').getElementById(region.id);
        var current = document.getElementById(region.id);
        if (!next || !current) { clearInterval(timer); return; }
        current.replaceWith(document.importNode(next, true));
        if (!next.hasAttribute('data-poll-region')) clearInterval(timer);
      }).catch(function () { clearInterval(timer); });
    }, seconds * 1000);
  }

  function start() { liveAlerts(); ages(); pollRegion(); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
`;
