/*
 * What the pages' scripts share (loaded before them, PageRenderer adds it): the page's form
 * token, and requests to this site that are never cached, with JSON bodies carrying the token.
 *   LmsPage.csrf()                        the token of <meta name="csrf-token">
 *   LmsPage.fetch(url, { method, headers, json })
 *     answers JSON unless headers.Accept says otherwise; `json` is sent as the body (POST
 *     unless `method` says otherwise) with Content-Type and X-CSRF-Token.
 */
(function () {
  'use strict';
  if (!window.fetch) return;

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return (meta && meta.getAttribute('content')) || '';
  }

  function request(url, options) {
    options = options || {};
    var headers = {};
    var given = options.headers || {};
    Object.keys(given).forEach(function (name) {
      headers[name] = given[name];
    });
    if (!headers.Accept) headers.Accept = 'application/json';
    var init = { method: options.method || 'GET', credentials: 'same-origin', cache: 'no-store', headers: headers };
    if (options.json !== undefined) {
      if (!options.method) init.method = 'POST';
      headers['Content-Type'] = 'application/json';
      headers['X-CSRF-Token'] = csrf();
      init.body = JSON.stringify(options.json);
    }
    return fetch(url, init);
  }

  window.LmsPage = { csrf: csrf, fetch: request };
})();
