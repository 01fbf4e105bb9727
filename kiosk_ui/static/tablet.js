// The window's rating tablet reloads itself (it has no one to press a button between
// services); done in script rather than a <meta refresh>, which assistive technology
// announces as a page that changes by itself without warning.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.dataset.refresh || "0", 10);
  if (seconds > 0) {
    setTimeout(function () { location.replace(body.dataset.refreshUrl); }, seconds * 1000);
  }
})();
