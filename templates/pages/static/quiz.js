/*
 * 测验: one question per screen without reloads, every answer saved as it is given, an outbox
 * in localStorage while the network is down, and a countdown by the server's clock.
 *
 * - Clock: the server's time is kept as an offset from performance.now() (monotonic: a phone
 *   clock set wrong, or changed meanwhile, does not move it), set from the `now` of each answer
 *   the server gives, the round trip with the least delay winning. Date.now() is never used.
 * - Answers: each one given is put in the outbox (one per question, the latest) with when it
 *   was given by the server's clock, then sent to PUT <attempt>/answers. The server keeps the
 *   answer given last, so a late resend of an older one never overwrites a newer one. While
 *   anything waits after a failed send, the notice shows; sends are retried with backoff and
 *   when the phone says it is online again.
 * - At the deadline: the outbox is sent, then the page asks the server until it says the
 *   attempt is handed in, and shows so.
 * Without this file every question is a plain form that saves and shows the next one.
 */
(function () {
  'use strict';
  var root = document.getElementById('quiz');
  if (!root || !window.LmsPage || !window.performance) return;

  var base = root.getAttribute('data-base');
  var attemptId = root.getAttribute('data-attempt');
  var forms = Array.prototype.slice.call(root.querySelectorAll('form.quiz-q'));
  var outboxNotice = document.getElementById('quiz-outbox');
  var timerLine = document.getElementById('quiz-timer');
  var countdown = document.getElementById('quiz-countdown');
  var ended = document.getElementById('quiz-ended');
  var endedText = document.getElementById('quiz-ended-text');
  var endedLink = document.getElementById('quiz-ended-link');
  var storeKey = 'lms.quiz.outbox.' + attemptId;

  // ---- The server's clock -----------------------------------------------------------------
  var deadline = Date.parse(root.getAttribute('data-deadline'));
  // Until the first round trip: the time the page was made, as of when this script runs.
  var clock = { server: Date.parse(root.getAttribute('data-now')), at: performance.now(), error: 1e9 };

  function serverNow() {
    return clock.server + (performance.now() - clock.at);
  }

  /** A server answer's `now`, received `sentAt`..`receivedAt` (performance.now()). */
  function learnClock(now, sentAt, receivedAt) {
    var server = Date.parse(now);
    if (isNaN(server)) return;
    var half = (receivedAt - sentAt) / 2;
    // An older estimate grows less sure with time (clocks drift a little).
    var aged = clock.error + (receivedAt - clock.at) * 1e-4;
    if (half <= aged) clock = { server: server + half, at: receivedAt, error: half };
  }

  function learnDeadline(value) {
    var d = Date.parse(value);
    if (!isNaN(d)) deadline = d;
  }

  // ---- The outbox ---------------------------------------------------------------------------
  var outbox = {};
  try {
    outbox = JSON.parse(window.localStorage.getItem(storeKey) || '{}') || {};
  } catch (e) {
    outbox = {};
  }
  var seq = 0;
  Object.keys(outbox).forEach(function (q) {
    seq = Math.max(seq, outbox[q].seq || 0);
  });

  function keep() {
    try {
      if (Object.keys(outbox).length) window.localStorage.setItem(storeKey, JSON.stringify(outbox));
      else window.localStorage.removeItem(storeKey);
    } catch (e) {
      /* private mode: the outbox lives in memory only */
    }
  }

  var failures = 0;
  var sending = false;
  var retryTimer = null;
  var closed = false;

  function showNotice() {
    var waiting = Object.keys(outbox).length > 0 && (failures > 0 || navigator.onLine === false);
    outboxNotice.hidden = !waiting;
  }

  function answerOf(form) {
    var type = form.getAttribute('data-type');
    var answer = { questionId: form.getAttribute('data-qid') };
    if (type === 'short' || type === 'numerical') {
      answer.text = form.querySelector('input[name="text"]').value;
      return answer;
    }
    var ticked = Array.prototype.slice.call(form.querySelectorAll('input:checked')).map(function (i) {
      return i.value;
    });
    if (type !== 'multiple' && ticked.length === 0) return null;
    answer.optionIds = ticked;
    return answer;
  }

  /** The answer on `form` as given now: into the outbox, and sent. */
  function record(form) {
    if (closed || ending) return;
    var answer = answerOf(form);
    if (!answer) return;
    var last = outbox[answer.questionId];
    if (last && JSON.stringify(last.answer) === JSON.stringify(answer)) return;
    seq += 1;
    outbox[answer.questionId] = {
      answer: answer,
      answeredAt: new Date(serverNow()).toISOString(),
      seq: seq,
    };
    keep();
    send();
  }

  function retryLater() {
    failures += 1;
    showNotice();
    clearTimeout(retryTimer);
    var delay = Math.min(15000, 1000 * Math.pow(2, Math.min(failures - 1, 5)));
    retryTimer = setTimeout(send, delay);
  }

  /** Sends everything the outbox holds; resolves true when it is empty afterwards. */
  function send() {
    if (sending) return sending;
    var ids = Object.keys(outbox);
    if (ids.length === 0 || closed) {
      showNotice();
      return Promise.resolve(ids.length === 0);
    }
    var sent = ids.map(function (q) {
      return { q: q, seq: outbox[q].seq };
    });
    var body = {
      answers: ids.map(function (q) {
        var a = {};
        var given = outbox[q].answer;
        Object.keys(given).forEach(function (k) {
          a[k] = given[k];
        });
        a.answeredAt = outbox[q].answeredAt;
        return a;
      }),
    };
    var sentAt = performance.now();
    sending = window.LmsPage.fetch(base + '/answers', { method: 'PUT', json: body })
      .then(function (res) {
        var receivedAt = performance.now();
        return res
          .json()
          .catch(function () {
            return {};
          })
          .then(function (json) {
            return { res: res, json: json, receivedAt: receivedAt };
          });
      })
      .then(
        function (r) {
          sending = false;
          if (r.res.ok) {
            learnClock(r.json.now, sentAt, r.receivedAt);
            learnDeadline(r.json.deadline);
            drop(sent);
            failures = 0;
            showNotice();
            return Object.keys(outbox).length ? send() : true;
          }
          if (r.res.status === 409) {
            // Handed in or closed by the server: nothing more is saved.
            drop(sent);
            finish();
            return false;
          }
          if (r.res.status === 400 || r.res.status === 404) {
            // Not answers this attempt can take: sending them again would not help.
            drop(sent);
            showNotice();
            return Object.keys(outbox).length === 0;
          }
          retryLater();
          return false;
        },
        function () {
          sending = false;
          retryLater();
          return false;
        },
      );
    return sending;
  }

  /** Takes what was sent out of the outbox, unless a newer answer came meanwhile. */
  function drop(sent) {
    sent.forEach(function (s) {
      if (outbox[s.q] && outbox[s.q].seq === s.seq) delete outbox[s.q];
    });
    keep();
  }

  window.addEventListener('online', function () {
    failures = Math.min(failures, 1);
    send();
  });
  window.addEventListener('offline', showNotice);

  // ---- One question per screen ------------------------------------------------------------
  function formOf(n) {
    return forms[n - 1];
  }

  function show(n) {
    var target = formOf(n);
    if (!target) return;
    forms.forEach(function (f) {
      f.hidden = f !== target;
    });
    if (window.history && history.replaceState) history.replaceState(null, '', base + '/q/' + n);
    var progress = target.querySelector('.quiz-progress');
    if (progress) {
      progress.setAttribute('tabindex', '-1');
      progress.focus();
    }
    window.scrollTo(0, 0);
  }

  // The outbox's answers over what the server had when the page was made (a reload while offline).
  forms.forEach(function (form) {
    var waiting = outbox[form.getAttribute('data-qid')];
    if (!waiting) return;
    var a = waiting.answer;
    if (a.text !== undefined) {
      form.querySelector('input[name="text"]').value = a.text;
    } else {
      Array.prototype.slice
        .call(form.querySelectorAll('input[type=radio], input[type=checkbox]'))
        .forEach(function (i) {
          i.checked = a.optionIds.indexOf(i.value) >= 0;
        });
    }
  });

  forms.forEach(function (form) {
    var typing = null;
    form.addEventListener('change', function () {
      record(form);
    });
    form.addEventListener('input', function (event) {
      if (event.target.name !== 'text') return;
      clearTimeout(typing);
      typing = setTimeout(function () {
        record(form);
      }, 800);
    });
    var pressed = null;
    form.addEventListener('click', function (event) {
      var button = event.target.closest ? event.target.closest('button[name="go"]') : null;
      if (button) pressed = button.value;
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var go = (event.submitter && event.submitter.value) || pressed || 'next';
      pressed = null;
      record(form);
      var n = Number(form.getAttribute('data-n'));
      if (go === 'prev') return show(n - 1);
      if (go === 'next' && n < forms.length) return show(n + 1);
      // To the hand-in confirmation once the server has every answer (it counts what is missing).
      Promise.resolve(send()).then(function (empty) {
        if (empty) window.location.assign(base + '/hand-in');
        else showNotice();
      });
    });
  });

  // ---- Countdown and the deadline -----------------------------------------------------------
  var daysWords = root.getAttribute('data-t-days');
  var pad = function (x) {
    return (x < 10 ? '0' : '') + x;
  };

  function format(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    var d = Math.floor(s / 86400);
    var h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60);
    if (d > 0) return daysWords.replace('%d', d).replace('%h', h);
    return (h > 0 ? h + ':' + pad(m) : String(m)) + ':' + pad(s % 60);
  }

  var ending = false;
  function tick() {
    if (closed) return;
    var left = deadline - serverNow();
    countdown.textContent = format(left);
    if (left <= 0 && !ending) timeUp();
  }

  /** The deadline passed by the server's clock: send what waits, then ask until it is handed in. */
  function timeUp() {
    ending = true;
    ended.hidden = false;
    endedText.textContent = root.getAttribute('data-t-ended');
    Promise.resolve(send()).then(function () {
      ask(0);
    });
  }

  function ask(tries) {
    var sentAt = performance.now();
    window.LmsPage.fetch(base + '/state')
      .then(function (res) {
        var receivedAt = performance.now();
        return res.json().then(function (json) {
          return { ok: res.ok, json: json, receivedAt: receivedAt };
        });
      })
      .then(
        function (r) {
          if (r.ok) {
            learnClock(r.json.now, sentAt, r.receivedAt);
            learnDeadline(r.json.deadline);
            if (r.json.status === 'finished') return finish(r.json.finishedBy);
            if (deadline > serverNow()) {
              // The deadline was moved (extra time): back to answering.
              ending = false;
              ended.hidden = true;
              return;
            }
          }
          setTimeout(
            function () {
              ask(tries + 1);
            },
            Math.min(5000, 1000 + tries * 500),
          );
        },
        function () {
          setTimeout(
            function () {
              ask(tries + 1);
            },
            Math.min(10000, 2000 + tries * 1000),
          );
        },
      );
  }

  /** The server's word: handed in (by the server at the deadline, or by this trainee). */
  function finish(finishedBy) {
    closed = true;
    outbox = {};
    keep();
    showNotice();
    forms.forEach(function (f) {
      f.hidden = true;
    });
    countdown.textContent = format(0);
    ended.hidden = false;
    endedText.textContent = root.getAttribute(finishedBy === 'trainee' ? 'data-t-handed-self' : 'data-t-handed');
    endedLink.hidden = false;
  }

  /** A round trip now: the server's clock, the deadline, and whether it is still open. */
  function sync() {
    var sentAt = performance.now();
    return window.LmsPage.fetch(base + '/state')
      .then(function (res) {
        var receivedAt = performance.now();
        return res.json().then(function (json) {
          if (!res.ok) return;
          learnClock(json.now, sentAt, receivedAt);
          learnDeadline(json.deadline);
          if (json.status === 'finished') finish(json.finishedBy);
        });
      })
      .catch(function () {
        /* offline: the page's own time until the next answer */
      });
  }

  /** After the phone slept (its monotonic clock may have stopped meanwhile): the next round trip decides. */
  function resync() {
    clock.error = 1e9;
    sync();
  }

  timerLine.hidden = false;
  tick();
  setInterval(tick, 250);
  sync().then(function () {
    // A few more round trips pick the least delayed one.
    setTimeout(sync, 1500);
  });
  setInterval(sync, 60000);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') resync();
  });
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) resync();
  });
  send();
  showNotice();
})();
