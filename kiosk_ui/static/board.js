// Display board: Server-Sent Events from the service point, a chime made with the
// Web Audio API and speech from the browser's own synthesiser (nothing downloaded).
(function () {
  "use strict";
  var body = document.body;
  var point = body.dataset.point;
  var soundOn = false;
  var audio = null;
  var live = document.querySelector("[data-testid=live]");

  function chime() {
    if (!soundOn) { return; }
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    [880, 660].forEach(function (freq, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      var start = audio.currentTime + i * 0.35;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 0.65);
    });
  }

  // The window's display name ("1号窗口"); on the English board "Window 1".
  function windowName(name) {
    var m = /^(\d+)号窗口$/.exec(name || "");
    return m && body.dataset.lang === "en" ? body.dataset.windowTemplate.replace("{n}", m[1]) : name;
  }

  // The ticket number is spoken as one string ("B005"), never letter by letter.
  function say(no, win) {
    if (!soundOn || !("speechSynthesis" in window)) { return; }
    var text = body.dataset.sayTemplate.replace("{no}", no).replace("{win}", windowName(win));
    var utter = new SpeechSynthesisUtterance(text);
    utter.lang = body.dataset.lang === "en" ? "en-US" : "zh-CN";
    setTimeout(function () { window.speechSynthesis.speak(utter); }, 800);
  }

  function empty(list, tag) {
    var node = document.getElementById("t-empty").content.firstElementChild.cloneNode(true);
    if (tag) {
      var item = document.createElement(tag);
      item.className = node.className;
      item.textContent = node.textContent;
      node = item;
    }
    list.appendChild(node);
  }

  function render(data, fresh) {
    var calling = document.getElementById("calling");
    var recent = document.getElementById("recent");
    var tpl = document.getElementById("t-call");
    calling.textContent = "";
    data.now_calling.forEach(function (c) {
      var node = tpl.content.firstElementChild.cloneNode(true);
      node.querySelector(".no").textContent = c.ticket_no;
      node.querySelector(".win-name").textContent = windowName(c.window_name || c.window);
      if (fresh && fresh.ticket_no === c.ticket_no && fresh.window === c.window) { node.classList.add("fresh"); }
      calling.appendChild(node);
    });
    if (!data.now_calling.length) { empty(calling, null); }
    recent.textContent = "";
    data.recent_calls.forEach(function (c) {
      var li = document.createElement("li");
      var no = document.createElement("span");
      no.className = "no";
      no.textContent = c.ticket_no;
      var win = document.createElement("span");
      win.textContent = "\u2192 " + windowName(c.window_name || c.window);
      li.appendChild(no);
      li.appendChild(win);
      recent.appendChild(li);
    });
    if (!data.recent_calls.length) { empty(recent, "li"); }
  }

  function refresh(fresh) {
    return fetch("/api/v1/service-points/" + encodeURIComponent(point) + "/board")
      .then(function (r) { return r.json(); })
      .then(function (data) { render(data, fresh); return data; });
  }

  function connect() {
    var source = new EventSource("/api/v1/service-points/" + encodeURIComponent(point) + "/events");
    source.onopen = function () { live.classList.add("on"); refresh(null); };
    source.onerror = function () { live.classList.remove("on"); };
    source.addEventListener("call", function (event) {
      var call = JSON.parse(event.data);
      refresh(call).then(function (data) {
        // Speak the window's display name ("1号窗口"), never its code.
        var named = data.recent_calls.filter(function (c) { return c.window === call.window; })[0];
        chime();
        say(call.ticket_no, named ? named.window_name : (call.window_name || ""));
      });
    });
    source.addEventListener("update", function () { refresh(null); });
  }

  document.getElementById("sound").addEventListener("click", function (event) {
    soundOn = !soundOn;
    event.target.setAttribute("aria-pressed", soundOn ? "true" : "false");
    if (soundOn) { chime(); }
  });

  var clock = document.getElementById("clock");
  function tick() { clock.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }); }
  setInterval(tick, 1000);
  tick();
  connect();
})();
