/* Small, optional enhancements. Every page works without this file. */
(function () {
  "use strict";
  // The language drop-down switches at once; its button is then not needed.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-js-hide]").forEach(function (el) { el.hidden = true; });
  // Ask before irreversible actions such as ending a post.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
