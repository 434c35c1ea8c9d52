// The ballot's live total: as boxes are ticked, the chosen count and cost, what is left of the
// budget and the over-budget warning are updated in #ballot-total (an aria-live region, so screen
// readers announce them). Without JavaScript the "Check my total" button does the same on the
// server. The server checks every ballot again when it is cast.
(function () {
  "use strict";
  var form = document.getElementById("ballot-form");
  if (!form) {
    return;
  }
  var total = parseInt(form.dataset.total, 10) || 0;
  var max = parseInt(form.dataset.max, 10) || 0;
  var approval = form.dataset.kind === "approval";
  var region = document.getElementById("ballot-total");
  var lang = document.documentElement.lang || "en";

  function money(cents) {
    var whole = cents % 100 === 0;
    return new Intl.NumberFormat(lang, {
      style: "currency",
      currency: "EUR",
      minimumFractionDigits: whole ? 0 : 2,
      maximumFractionDigits: whole ? 0 : 2,
    }).format(cents / 100);
  }

  function set(selector, text) {
    var node = region.querySelector(selector);
    if (node) {
      node.textContent = text;
    }
  }

  function update() {
    var boxes = form.querySelectorAll("input[name=projects]");
    var count = 0;
    var cost = 0;
    boxes.forEach(function (box) {
      if (box.checked) {
        count += 1;
        cost += parseInt(box.dataset.cost, 10) || 0;
      }
    });
    set("[data-chosen-count]", String(count));
    set("[data-chosen-cost]", money(cost));
    set("[data-left]", money(total - cost));
    region.querySelector("[data-over]").hidden = approval || cost <= total;
    region.querySelector("[data-too-many]").hidden = !approval || !max || count <= max;
  }

  form.addEventListener("change", update);
  update();
})();
