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

  // Keypads type into the input named by data-for. A following keypad (data-follow)
  // moves to whichever field has focus and offers that field's characters (data-keys).
  function makeKey(key) {
    var button = document.createElement("button");
    button.type = "button";
    button.dataset.key = key;
    button.textContent = key;
    return button;
  }
  function follow(pad, input) {
    if (pad.dataset.for === input.id && pad.dataset.built) { return; }
    pad.dataset.for = input.id;
    pad.dataset.built = "1";
    var tail = pad.querySelector("[data-key=back]");
    pad.querySelectorAll("button").forEach(function (b) {
      if (b.dataset.key !== "back" && b.dataset.key !== "clear") { b.remove(); }
    });
    input.dataset.keys.split("").forEach(function (k) { pad.insertBefore(makeKey(k), tail); });
    document.querySelectorAll("[data-keys]").forEach(function (i) { i.classList.toggle("typing", i === input); });
  }
  document.querySelectorAll(".keypad").forEach(function (pad) {
    if (pad.dataset.follow) {
      var form = pad.closest("form");
      form.addEventListener("focusin", function (event) {
        if (event.target.dataset && event.target.dataset.keys) { follow(pad, event.target); }
      });
      var first = document.getElementById(pad.dataset.for);
      if (first) { follow(pad, first); }
    }
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("button");
      var input = document.getElementById(pad.dataset.for);
      if (!key || !input) { return; }
      dirty = true;
      var max = input.maxLength > 0 ? input.maxLength : 100;
      if (key.dataset.key === "back") { input.value = input.value.slice(0, -1); }
      else if (key.dataset.key === "clear") { input.value = ""; }
      else if (input.value.length < max) { input.value += key.dataset.key; }
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // A QR scanner types like a keyboard: the receipt's QR holds the query URL
  // (…?case_no=…&query_code=…). Whatever field it lands in, spread it over the form.
  document.querySelectorAll("form[data-scan]").forEach(function (form) {
    var names = form.dataset.scan.split(" ");
    function spread(text) {
      var at = text.indexOf("?");
      if (at < 0 || text.indexOf("case_no=") < 0) { return false; }
      var params = new URLSearchParams(text.slice(at + 1));
      names.forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field) { field.value = (params.get(name) || "").trim().toUpperCase(); }
      });
      return true;
    }
    // A scanner without a final Enter: once the keystrokes stop, the URL is whole.
    var settle = null;
    form.addEventListener("input", function (event) {
      var field = event.target;
      clearTimeout(settle);
      if (field.value.indexOf("case_no=") < 0) { return; }
      settle = setTimeout(function () { if (spread(field.value)) { form.requestSubmit(); } }, 400);
    });
    // A scan that starts while a keypad key (not a field) has focus still lands in a field.
    document.addEventListener("keydown", function (event) {
      var active = document.activeElement;
      if (event.key.length === 1 && !(active && active.dataset && active.dataset.keys)) {
        form.querySelector("[data-keys]").focus();
      }
    }, true);
    form.addEventListener("submit", function () {
      clearTimeout(settle);
      names.concat(["uscc"]).forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && spread(field.value) === false) { field.value = field.value.trim().toUpperCase(); }
      });
    });
  });

  // Print buttons (data-print): no inline handlers, the pages' CSP forbids them.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // A screen taller than the kiosk's says so, until the bottom is reached.
  var hint = document.querySelector("[data-testid=scroll-hint]");
  function placeHint() {
    var doc = document.documentElement;
    if (hint) { hint.hidden = doc.scrollHeight - window.scrollY - window.innerHeight < 24; }
  }
  window.addEventListener("scroll", placeHint, { passive: true });
  window.addEventListener("resize", placeHint);
  placeHint();

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
