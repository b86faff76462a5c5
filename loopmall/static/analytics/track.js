/* LoopMall storefront tracking: batches page-view events and sends them to /api/v1/analytics/events
   with navigator.sendBeacon (falls back to fetch keepalive). No third-party calls, no cookies of its own:
   the visitor id lives in localStorage.

   Include once per page, after setting the page's event (optional):
     <script>window.loopmallTrack = [["Product Viewed", {"sku_id": 12, "product_id": 3, "price": "59.90",
                                       "category": "baby"}]];</script>
     <script src="/static/analytics/track.js" defer data-channel="mini_shop"></script>
   Or call window.LoopMallTrack.track(name, properties) at any time. Without a queued event the page sends
   "Product List Viewed" for list pages (data-page="list") or nothing. */
(function (window, document) {
  "use strict";
  var ENDPOINT = "/api/v1/analytics/events";
  var MAX_BATCH = 50;
  var FLUSH_MS = 5000;
  var script = document.currentScript;
  var channel = (script && script.dataset.channel) || "";
  var queue = [];
  var timer = null;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID().replace(/-/g, ""); }
    return Date.now().toString(16) + Math.random().toString(16).slice(2, 14);
  }

  function visitorId() {
    try {
      var id = window.localStorage.getItem("loopmall_anonymous_id");
      if (!id) { id = uuid(); window.localStorage.setItem("loopmall_anonymous_id", id); }
      return id;
    } catch (e) { return "no-storage"; }
  }

  function send(batch) {
    var body = JSON.stringify({batch: batch});
    // text/plain keeps sendBeacon a "simple" request; the server reads the body as JSON.
    if (navigator.sendBeacon && navigator.sendBeacon(ENDPOINT, new Blob([body], {type: "text/plain"}))) { return; }
    if (window.fetch) {
      window.fetch(ENDPOINT, {method: "POST", body: body, keepalive: true, credentials: "same-origin",
                              headers: {"Content-Type": "text/plain"}}).catch(function () {});
    }
  }

  function flush() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    while (queue.length) { send(queue.splice(0, MAX_BATCH)); }
  }

  function track(name, properties) {
    if (!name) { return; }
    queue.push({
      event_id: uuid(), name: String(name), timestamp: Date.now(), anonymous_id: visitorId(),
      properties: Object.assign({path: window.location.pathname, referrer: document.referrer || undefined},
                                properties || {}),
      channel: (properties && properties.channel) || channel,
    });
    if (queue.length >= MAX_BATCH) { flush(); } else if (!timer) { timer = window.setTimeout(flush, FLUSH_MS); }
  }

  // Page views queued by the page before this script loaded.
  (window.loopmallTrack || []).forEach(function (item) { track(item[0], item[1]); });
  if (!(window.loopmallTrack || []).length && script && script.dataset.page === "list") {
    track("Product List Viewed", {list_id: window.location.pathname});
  }
  window.loopmallTrack = {push: function (item) { track(item[0], item[1]); }};

  // Searches: any form with data-track-search sends "Products Searched" with its q field.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.hasAttribute && form.hasAttribute("data-track-search")) {
      var q = form.querySelector("[name=q]");
      track("Products Searched", {query: q ? q.value : ""});
      flush();
    }
  }, true);

  // Send what is queued when the page is hidden or left (sendBeacon survives unload).
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { flush(); } });
  window.addEventListener("pagehide", flush);

  window.LoopMallTrack = {track: track, flush: flush};
})(window, document);
