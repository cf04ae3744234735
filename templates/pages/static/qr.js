/*
 * 签到码 with JavaScript: the QR code and its six digits change when the server's step ends
 * (the page says how long is left, by the server's clock, so a phone or projector whose
 * clock is wrong still changes on time), and "已签到 12 / 30" follows check-ins by polling
 * with an ETag (an unchanged count is a bodiless 304). Once the window closes, the page is
 * loaded again to say so. Without JavaScript the page reloads itself at each change.
 */
(function () {
  'use strict';
  var root = document.querySelector('[data-qr]');
  if (!root || !window.LmsPage) return;

  var POLL_MS = 4000;
  var RETRY_MS = 3000;
  var image = root.querySelector('.qr__image');
  var digits = root.querySelector('[data-code]');
  var network = root.querySelector('[data-network]');
  var etag = null;

  function get(url, headers) {
    return window.LmsPage.fetch(url, { headers: headers });
  }

  function rotate() {
    get(root.getAttribute('data-code-url'), {})
      .then(function (res) {
        if (!res.ok) throw new Error(String(res.status));
        return res.json();
      })
      .then(function (code) {
        if (!code.open) {
          window.location.reload();
          return;
        }
        image.innerHTML = code.svg;
        digits.textContent = code.code;
        root.setAttribute('data-link', code.link);
        network.hidden = true;
        // Just after the server's step ends: the code shown is then the server's new one.
        setTimeout(rotate, code.msLeft + 300);
      })
      .catch(function () {
        network.hidden = false;
        setTimeout(rotate, RETRY_MS);
      });
  }

  function draw(live) {
    root.querySelector('[data-checked-in]').textContent = String(live.checkedIn);
    root.querySelector('[data-total]').textContent = String(live.total);
    var list = root.querySelector('[data-latest]');
    while (list.firstChild) list.removeChild(list.firstChild);
    live.latest.forEach(function (name) {
      var item = document.createElement('li');
      item.textContent = name;
      list.appendChild(item);
    });
  }

  function poll() {
    var headers = {};
    if (etag) headers['If-None-Match'] = etag;
    get(root.getAttribute('data-live-url'), headers)
      .then(function (res) {
        if (res.status === 304) return null;
        if (!res.ok) throw new Error(String(res.status));
        etag = res.headers.get('ETag');
        return res.json();
      })
      .then(function (live) {
        if (live) draw(live);
        setTimeout(poll, POLL_MS);
      })
      .catch(function () {
        network.hidden = false;
        setTimeout(poll, POLL_MS + RETRY_MS);
      });
  }

  setTimeout(rotate, Number(root.getAttribute('data-ms-left')) + 300);
  setTimeout(poll, POLL_MS);

  var full = document.querySelector('.qr__fullscreen');
  if (full && root.requestFullscreen) {
    full.hidden = false;
    full.addEventListener('click', function () {
      root.requestFullscreen().catch(function () {});
    });
  }
})();
