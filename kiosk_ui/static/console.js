// Clerk console: the panel refreshes itself when anything changes at the service point.
(function () {
  "use strict";
  var panel = document.getElementById("panel");
  if (!panel) { return; }
  var live = document.querySelector("[data-testid=live]");
  var pending = null;

  function reload() {
    clearTimeout(pending);
    pending = setTimeout(function () {
      fetch("/clerk/panel", { credentials: "same-origin" })
        .then(function (r) { return r.status === 200 ? r.text() : null; })
        .then(function (html) { if (html !== null) { panel.innerHTML = html; } });
    }, 150);
  }

  var source = new EventSource("/api/v1/service-points/" + encodeURIComponent(panel.dataset.point) + "/events");
  source.onopen = function () { live.classList.add("on"); };
  source.onerror = function () { live.classList.remove("on"); };
  ["taken", "call", "update"].forEach(function (kind) { source.addEventListener(kind, reload); });
})();
