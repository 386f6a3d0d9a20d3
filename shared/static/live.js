// Live updates (README, "Live updates"): a page that carries <div hidden id="live"> opens one
// WebSocket, and when it hears a message it listens for, fetches itself again and swaps its
// [data-live-region] elements (by id) for the fresh ones. Without this script (or without
// JavaScript) every page works the same with a reload.
//
// The element's data: url (the WebSocket's), ticket (a signed-in page's session ticket) or
// track (the tracking page's token), on (the message types heard, space-separated), order
// and client (only that order's / that conversation's messages), said (what a screen
// reader is told after an update; the [data-live-announce] element's new text is told too).
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.WebSocket || !window.fetch || !window.DOMParser) return;
  var data = live.dataset;
  var heard = (data.on || "").split(" ").filter(Boolean);
  var PING_MS = 9 * 60 * 1000; // API Gateway closes a WebSocket idle for 10 minutes
  var MAX_WAIT_MS = 60 * 1000;
  var socket = null;
  var pinger = null;
  var failures = 0;
  var waiting = null;
  var opened = false;
  var fetching = false;
  var again = false;

  function address() {
    var query = [];
    if (data.ticket) query.push("ticket=" + encodeURIComponent(data.ticket));
    if (data.track) query.push("track=" + encodeURIComponent(data.track));
    return data.url + (data.url.indexOf("?") < 0 ? "?" : "&") + query.join("&");
  }

  function connect() {
    waiting = null;
    if (document.hidden) return; // a hidden tab connects again when it is shown
    try {
      socket = new WebSocket(address());
    } catch (e) {
      socket = null;
      later();
      return;
    }
    socket.onopen = function () {
      failures = 0;
      // What changed while the page was not connected (not on the first connection).
      if (opened) refresh();
      opened = true;
      pinger = setInterval(function () {
        if (socket && socket.readyState === 1) socket.send('{"type":"ping"}');
      }, PING_MS);
    };
    socket.onmessage = function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (wanted(message)) refresh();
    };
    socket.onclose = function () {
      clearInterval(pinger);
      socket = null;
      later();
    };
  }

  // Exponential backoff with jitter: 1 s, 2 s, 4 s… at most a minute.
  function later() {
    if (waiting) return;
    var wait = Math.min(MAX_WAIT_MS, 1000 * Math.pow(2, failures));
    failures += 1;
    waiting = setTimeout(connect, wait / 2 + Math.random() * wait / 2);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !socket && !waiting) connect();
  });

  function wanted(message) {
    if (!message || heard.indexOf(message.type) < 0) return false;
    if (data.order && message.orderId !== data.order) return false;
    if (data.client && message.clientId !== data.client) return false;
    return true;
  }

  // One fetch at a time; messages heard meanwhile make one more.
  function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    fetch(location.href.split("#")[0], {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html" }
    })
      .then(function (response) {
        // Signed out meanwhile (sent to sign in), or an error: keep the page as it is.
        if (!response.ok || response.redirected) throw new Error("not swapped");
        return response.text();
      })
      .then(swap)
      .catch(function () {})
      .then(function () {
        fetching = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var announced = document.querySelector("[data-live-announce]");
    var before = announced ? announced.textContent.trim() : "";
    var changed = false;
    var regions = document.querySelectorAll("[data-live-region]");
    for (var i = 0; i < regions.length; i++) {
      var region = regions[i];
      var next = region.id && fresh.getElementById(region.id);
      if (!next || next.innerHTML === region.innerHTML || editing(region)) continue;
      replace(region, next);
      changed = true;
    }
    if (!changed) return;
    announced = document.querySelector("[data-live-announce]");
    var after = announced ? announced.textContent.trim() : "";
    var words = [data.said || ""];
    if (after && after !== before) words.push(after);
    say(words.join(" ").trim());
  }

  // A region the person is typing in, or has changed a field of, is left alone (a
  // half-written message is never lost): it updates with the next message after.
  function editing(region) {
    var fields = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") continue;
      if (field === document.activeElement) return true;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return true;
      } else if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) return true;
        }
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

  function replace(region, next) {
    // Focus stays on the same control (by id, else by its place among the region's).
    var active = document.activeElement;
    var place = -1;
    var activeId = "";
    if (active && active !== document.body && region.contains(active)) {
      place = Array.prototype.indexOf.call(region.querySelectorAll(FOCUSABLE), active);
      activeId = active.id;
    }
    // Opened <details> stay open.
    var open = [];
    var details = region.querySelectorAll("details[open][id]");
    for (var i = 0; i < details.length; i++) open.push(details[i].id);
    // A region marked "end" (a conversation) keeps what follows it where it was on screen.
    var end = region.getAttribute("data-live-region") === "end";
    var bottom = region.getBoundingClientRect().bottom;
    var nodes = [];
    while (next.firstChild) nodes.push(document.adoptNode(next.firstChild));
    region.replaceChildren.apply(region, nodes);
    for (var k = 0; k < open.length; k++) {
      var kept = document.getElementById(open[k]);
      if (kept && region.contains(kept)) kept.open = true;
    }
    if (end && bottom <= window.innerHeight) {
      window.scrollBy(0, region.getBoundingClientRect().bottom - bottom);
    }
    if (place >= 0) {
      var target = activeId ? document.getElementById(activeId) : null;
      if (!target || !region.contains(target)) {
        var all = region.querySelectorAll(FOCUSABLE);
        target = all[Math.min(place, all.length - 1)];
      }
      if (target) target.focus({ preventScroll: true });
    }
    if (window.htmx) window.htmx.process(region);
  }

  var status = document.getElementById("live-status");

  function say(words) {
    if (!status || !words) return;
    status.textContent = "";
    setTimeout(function () {
      status.textContent = words;
    }, 100);
  }

  connect();
})();
