// Swagger UI renders some selects without an accessible name (an enum parameter's choices, a
// boolean's true/false): each gets one from its parameter's name as Swagger UI draws it. Its
// scrollable example blocks get into the tab order, so they scroll from the keyboard too.
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
  function focusable(block) {
    if (!block.hasAttribute("tabindex")) block.setAttribute("tabindex", "0");
  }
  function sweep(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll("select").forEach(label);
    root.querySelectorAll(".highlight-code pre, pre.microlight").forEach(focusable);
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1) return;
        if (node.tagName === "SELECT") label(node);
        else if (node.tagName === "PRE" && node.closest(".highlight-code")) focusable(node);
        else sweep(node);
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { sweep(document); });
})();
