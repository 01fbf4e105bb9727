// A page that keeps itself current (the window's rating tablet, a waiting ticket's
// status) reloads after data-refresh seconds, to data-refresh-url or itself. Done in
// script rather than a <meta refresh>, which the pages' accessibility check refuses.
(function () {
  "use strict";
  var holder = document.querySelector("[data-refresh]");
  var seconds = holder ? parseInt(holder.dataset.refresh || "0", 10) : 0;
  if (seconds > 0) {
    setTimeout(function () { location.replace(holder.dataset.refreshUrl || location.href); }, seconds * 1000);
  }
})();
