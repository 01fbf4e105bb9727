// Kiosk behaviour: on-screen keypads, matter search, and the idle reset that
// returns home and forgets whatever the last person entered.
(function () {
  "use strict";
  var body = document.body;
  var override = body.dataset.idleOverride;
  if (override) { sessionStorage.setItem("kioskIdle", override); }
  var idle = parseInt(sessionStorage.getItem("kioskIdle") || body.dataset.idle || "60", 10);
  if (!(idle >= 1 && idle <= 600)) { idle = 60; }  // a bad override never makes the kiosk reset at once
  var home = body.dataset.home;
  var onHome = location.pathname === home;
  var dirty = false;
  var timer = null;

  function resetKiosk() {
    document.querySelectorAll("input:not([type=hidden])").forEach(function (i) {
      if (i.type === "checkbox") { i.checked = false; } else { i.value = ""; }
    });
    location.replace(home + "?lang=zh");
  }
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!onHome || dirty || document.documentElement.lang !== "zh-CN") { resetKiosk(); }
    }, idle * 1000);
  }
  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (kind) {
    document.addEventListener(kind, function () { if (kind !== "pointerdown") { dirty = true; } arm(); },
      { passive: true, capture: true });
  });
  arm();

  // Keypads type into the input named by data-for.
  document.querySelectorAll(".keypad").forEach(function (pad) {
    var input = document.getElementById(pad.dataset.for);
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("button");
      if (!key || !input) { return; }
      dirty = true;
      var max = input.maxLength > 0 ? input.maxLength : 100;
      if (key.dataset.key === "back") { input.value = input.value.slice(0, -1); }
      else if (key.dataset.key === "clear") { input.value = ""; }
      else if (input.value.length < max) { input.value += key.dataset.key; }
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // Matter search by Chinese name, English name or pinyin initials.
  var search = document.getElementById("matter-search");
  if (search) {
    var items = Array.prototype.slice.call(document.querySelectorAll(".matters li"));
    var none = document.querySelector("[data-testid=no-match]");
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (li) {
        var hit = !q || li.dataset.name.indexOf(search.value.trim()) >= 0 ||
          li.dataset.initials.indexOf(q) >= 0 || li.dataset.nameEn.indexOf(q) >= 0;
        li.hidden = !hit;
        if (hit) { shown += 1; }
      });
      if (none) { none.hidden = shown > 0; }
    });
  }
})();
