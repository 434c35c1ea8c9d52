// Swagger UI renders some selects without an accessible name (an enum parameter's choices, a
// boolean's true/false): each gets one from its parameter's name as Swagger UI draws it.
(function () {
  "use strict";
  function label(select) {
    if (select.getAttribute("aria-label") || select.getAttribute("aria-labelledby")) return;
    if (select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]')) return;
    var row = select.closest("tr[data-param-name]");
    var name = row ? row.getAttribute("data-param-name") : "";
    var where = row ? row.getAttribute("data-param-in") : "";
    select.setAttribute(
      "aria-label",
      name ? "Value of " + name + (where ? " (" + where + ")" : "") : "Choose a value"
    );
  }
  function sweep(root) {
    (root.querySelectorAll ? root.querySelectorAll("select") : []).forEach(label);
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1) return;
        if (node.tagName === "SELECT") label(node);
        else sweep(node);
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { sweep(document); });
})();
