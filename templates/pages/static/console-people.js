/*
 * 导入学员, a background import's page: asks the progress route (JSON) every second and moves
 * the <progress> bar and its line; once the import has finished, loads the page again, which
 * then shows the result and the initial passwords (once). Without this script the page has a
 * 刷新 link. Plain ES2017.
 */
(function () {
  'use strict';
  var panel = document.getElementById('import-progress-panel');
  if (!panel || !window.LmsPage || panel.getAttribute('data-running') !== 'true') return;
  var address = panel.getAttribute('data-poll');
  var bar = document.getElementById('import-progress');
  var status = document.getElementById('import-status');
  var refresh = document.getElementById('import-refresh');
  if (!address || !bar || !status) return;
  if (refresh) refresh.hidden = true;
  var failures = 0;

  function show(progress) {
    bar.max = progress.total || 1;
    bar.value = progress.total ? progress.done : 1;
    bar.textContent = progress.percent + '%';
    status.textContent = progress.text;
  }

  function poll() {
    window.LmsPage.fetch(address)
      .then(function (res) {
        if (!res.ok) throw new Error('progress ' + res.status);
        return res.json();
      })
      .then(function (progress) {
        failures = 0;
        show(progress);
        if (progress.finished) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        // The network or the server is away: the refresh link is the way on.
        if (refresh) refresh.hidden = false;
        if (failures < 10) window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 500);
})();
