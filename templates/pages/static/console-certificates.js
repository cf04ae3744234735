/*
 * 证书 · 发证进度: keeps the run's <progress> and status line up to date by asking this same
 * page for its numbers as JSON (LmsPage.fetch) every second; once the run has finished, loads
 * the page again so the server shows the outcome. Without scripts the page has a refresh link.
 */
(function () {
  'use strict';
  var box = document.getElementById('run');
  if (!box || !window.LmsPage) return;
  var url = box.getAttribute('data-poll');
  var bar = document.getElementById('run-progress');
  var status = document.getElementById('run-status');
  var refresh = document.getElementById('run-refresh');
  if (refresh) refresh.hidden = true;
  // The page's own words, with #D and #T where the numbers go.
  var running = box.getAttribute('data-running') || '#D / #T';

  function poll() {
    window.LmsPage.fetch(url)
      .then(function (res) {
        if (!res.ok) throw new Error(String(res.status));
        return res.json();
      })
      .then(function (run) {
        bar.max = Math.max(run.total, 1);
        bar.value = run.done;
        if (run.status === 'done' || run.status === 'failed') {
          window.location.reload();
          return;
        }
        status.textContent = running.replace('#D', String(run.done)).replace('#T', String(run.total));
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // The page still works: show the refresh link again.
        if (refresh) refresh.hidden = false;
      });
  }
  window.setTimeout(poll, 500);
})();
