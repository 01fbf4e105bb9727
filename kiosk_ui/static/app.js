// Behaviour the pages declare with data attributes, so that no page needs inline script
// (the Content-Security-Policy allows scripts from this site's files only).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print], [data-back]") : null;
    if (!target) { return; }
    if (target.hasAttribute("data-print")) { window.print(); }
    if (target.hasAttribute("data-back") && history.length > 1) {
      event.preventDefault();
      history.back();
    }
  });
})();
