// The queue reloads itself every minute, so its countdowns stay current; not while
// the supporter is typing or choosing in the filter form (a reload would lose it).
// Served from the console itself: the CSP allows no inline script.
"use strict";
(function () {
  var form = document.querySelector("form.filters");
  var touched = false;
  if (form) {
    form.addEventListener("input", function () { touched = true; });
    form.addEventListener("change", function () { touched = true; });
  }
  window.setInterval(function () {
    var busy = form && form.contains(document.activeElement);
    if (!touched && !busy && document.visibilityState === "visible") {
      window.location.reload();
    }
  }, 60000);
})();
