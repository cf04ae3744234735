/*
 * 点名 with JavaScript: one tap on a name moves its mark on (到 → 迟到 → 请假 → 缺席 → 到) and
 * saves it at once, without leaving the page. The row shows the new mark straight away
 * ("正在保存…" until the server has it, "没保存上" with a 重试 button if not). Taps on one
 * name are sent one after another: while a save is on its way, further taps only change what
 * is shown, and the last of them is sent when the save comes back, so the server always ends
 * with the last mark tapped. "没点的都算到" marks the rest present, also without leaving.
 * Without JavaScript the page is a plain form (radio groups and a save button).
 * Plain ES2017; the page's CSP forbids inline scripts, so everything is wired here.
 */
(function () {
  'use strict';
  var root = document.querySelector('[data-rollcall]');
  if (!root || !window.LmsPage || !root.querySelector('.rollcall__row')) return;

  var ORDER = ['present', 'late', 'excused', 'absent'];
  var labels = JSON.parse(root.getAttribute('data-labels'));
  var words = {
    saving: root.getAttribute('data-w-saving'),
    saved: root.getAttribute('data-w-saved'),
    failed: root.getAttribute('data-w-failed'),
    failedSome: root.getAttribute('data-w-failed-some'),
    offline: root.getAttribute('data-w-offline'),
  };
  var statusLine = document.getElementById('rollcall-status');
  var allForm = root.querySelector('.rollcall__all');
  var rows = {};
  var lastError = '';

  root.classList.add('rollcall_js');

  function next(status) {
    return ORDER[(ORDER.indexOf(status) + 1) % ORDER.length];
  }

  function post(url, body) {
    return window.LmsPage.fetch(url, { json: body }).then(function (res) {
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          if (!res.ok) throw new Error(json.message || words.offline);
          return json;
        });
    });
  }

  function draw(row) {
    var el = row.el;
    el.setAttribute('data-status', row.shown || 'none');
    el.querySelector('.rollcall__mark').textContent = labels[row.shown || 'none'];
    var pending = row.busy || row.shown !== row.saved;
    el.classList.toggle('rollcall__row_saving', pending && !row.failed);
    el.classList.toggle('rollcall__row_failed', row.failed);
    el.querySelector('.rollcall__state').textContent = row.failed ? words.failed : pending ? words.saving : '';
    el.querySelector('.rollcall__retry').hidden = !row.failed;
  }

  function summarize() {
    var counts = { present: 0, late: 0, excused: 0, absent: 0, none: 0 };
    var busy = 0;
    var failed = 0;
    Object.keys(rows).forEach(function (id) {
      var row = rows[id];
      counts[row.shown || 'none'] += 1;
      if (row.failed) failed += 1;
      else if (row.busy || row.shown !== row.saved) busy += 1;
    });
    Object.keys(counts).forEach(function (key) {
      var b = root.querySelector('[data-count="' + key + '"] b');
      if (b) b.textContent = String(counts[key]);
    });
    var unmarked = root.querySelector('[data-unmarked]');
    if (unmarked) unmarked.textContent = String(counts.none);
    if (allForm) allForm.querySelector('button').disabled = counts.none === 0;
    if (failed > 0) {
      statusLine.textContent = (lastError ? lastError + ' ' : '') + words.failedSome.replace('{count}', failed);
    } else {
      lastError = '';
      statusLine.textContent = busy > 0 ? words.saving : statusLine.textContent ? words.saved : '';
    }
  }

  /** The server's statuses, for the rows not waiting on a save of their own (check-ins, other taps). */
  function apply(state) {
    (state.records || []).forEach(function (record) {
      var row = rows[record.enrolmentId];
      if (!row || row.busy || row.failed || row.shown !== row.saved) return;
      row.shown = row.saved = record.status;
      draw(row);
    });
  }

  function send(row) {
    var status = row.shown;
    row.busy = true;
    row.failed = false;
    draw(row);
    summarize();
    post(root.getAttribute('data-mark'), { enrolmentId: row.id, status: status }).then(
      function (state) {
        row.busy = false;
        row.saved = status;
        apply(state);
        // Tapped again while this save was on its way: now send the last mark tapped.
        if (row.shown !== status) send(row);
        else draw(row);
        summarize();
      },
      function (error) {
        row.busy = false;
        row.failed = true;
        lastError = error.message;
        draw(row);
        summarize();
      },
    );
  }

  function tap(row) {
    row.shown = next(row.shown);
    row.failed = false;
    draw(row);
    if (!row.busy) send(row);
    else summarize();
  }

  Array.prototype.forEach.call(root.querySelectorAll('.rollcall__row'), function (el) {
    var status = el.getAttribute('data-status');
    var row = { el: el, id: el.getAttribute('data-id'), busy: false, failed: false };
    row.shown = row.saved = status === 'none' ? null : status;
    rows[row.id] = row;
    el.querySelector('.rollcall__tap').addEventListener('click', function () {
      tap(row);
    });
    el.querySelector('.rollcall__retry').addEventListener('click', function () {
      if (!row.busy) send(row);
    });
  });

  if (allForm) {
    allForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = allForm.querySelector('button');
      button.disabled = true;
      statusLine.textContent = words.saving;
      post(root.getAttribute('data-all'), {}).then(
        function (state) {
          apply(state);
          statusLine.textContent = words.saved;
          summarize();
        },
        function (error) {
          lastError = error.message;
          statusLine.textContent = error.message;
          button.disabled = false;
        },
      );
    });
  }
})();
