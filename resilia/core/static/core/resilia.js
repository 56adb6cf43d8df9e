/* Behaviour that would otherwise be inline script or style, which the Content-Security-Policy
   refuses: the indent of tree rows (data-indent) and "back" links (data-back). Applied to the
   page and to every fragment htmx swaps in. */
(function () {
  "use strict";
  function apply(root) {
    root.querySelectorAll("[data-indent]").forEach(function (el) {
      el.style.paddingLeft = (Number(el.dataset.indent) || 0) * 1.25 + "rem";
    });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-back]");
    if (link) { event.preventDefault(); history.back(); }
  });
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
  document.addEventListener("htmx:load", function (event) { apply(event.target); });
})();
