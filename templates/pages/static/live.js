/*
 * 测验实况: asks for the live page again every few seconds with If-None-Match, and puts the
 * new leaderboard (#board) in place of the old one when it changed (304 while nothing did).
 * When the contest itself moved on (started, ended), the whole page is loaded again, so its
 * buttons are right. Without this script the page has a 刷新 link. Plain ES2017, no eval.
 */
(function () {
  'use strict';
  var board = document.getElementById('board');
  if (!board || !window.LmsPage || !window.DOMParser) return;
  var address = board.getAttribute('data-poll');
  var every = Number(board.getAttribute('data-every')) || 3000;
  var etag = board.getAttribute('data-etag');
  var busy = false;

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('board');
    // Signed out meanwhile (the login page came back), or something else: leave the board be.
    if (!fresh) return false;
    if (fresh.getAttribute('data-state') !== board.getAttribute('data-state')) {
      window.location.reload();
      return true;
    }
    board.innerHTML = fresh.innerHTML;
    board.setAttribute('data-etag', fresh.getAttribute('data-etag') || '');
    return true;
  }

  function poll() {
    if (busy || document.hidden) return;
    busy = true;
    var headers = { Accept: 'text/html' };
    if (etag) headers['If-None-Match'] = etag;
    window.LmsPage.fetch(address, { headers: headers })
      .then(function (res) {
        if (res.status !== 200) return null;
        var tag = res.headers.get('ETag');
        return res.text().then(function (html) {
          if (swap(html) && tag) etag = tag;
        });
      })
      .catch(function () {
        /* The network dropped: the next poll tries again. */
      })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(poll, every);
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) poll();
  });
})();
