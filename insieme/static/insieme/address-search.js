/* Address search over the street register, on the form's own address field (progressive
   enhancement: without JavaScript the server checks the written address against the register).

   The field becomes a combobox (WAI-ARIA 1.2): suggestions from /places/search.json appear in a
   listbox as one types; the up and down arrow keys move through them, Enter or a click chooses
   one, Escape closes the list; a polite live region says how many were found. Choosing a place
   fills the latitude and longitude inputs (map-picker.js moves the pin) and moves the map.
   Pointing at the map (a click, or the arrow keys on the map) asks /places/nearest.json for the
   nearest address and writes it into the field. Reads its settings from the map container's
   data- attributes and its texts from the JSON script named by data-texts-id. */
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] !== undefined ? values[key] : "";
    });
  }

  function init() {
    var mapEl = document.getElementById("map-picker");
    if (!mapEl || !mapEl.dataset.searchUrl) { return; }
    var input = document.getElementById(mapEl.dataset.addressInput);
    var latInput = document.getElementById(mapEl.dataset.latInput);
    var lonInput = document.getElementById(mapEl.dataset.lonInput);
    var status = document.getElementById(mapEl.dataset.addressStatus);
    var textsEl = document.getElementById(mapEl.dataset.textsId);
    if (!input || !latInput || !lonInput || !status || !textsEl) { return; }
    var texts = JSON.parse(textsEl.textContent);
    var searchUrl = mapEl.dataset.searchUrl;
    var nearestUrl = mapEl.dataset.nearestUrl;
    var manyAdministrations = searchUrl.indexOf("administration=") === -1;
    var help = document.getElementById("location-help-js");
    if (help) { help.classList.remove("d-none"); }

    var list = document.createElement("ul");
    list.id = input.id + "-results";
    list.className = "address-results d-none";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", texts.results_label);
    input.insertAdjacentElement("afterend", list);
    input.parentNode.classList.add("address-search");
    // The person's last addresses (a datalist without JavaScript) become the first suggestions.
    var recent = [];
    var datalist = input.list;
    if (datalist) {
      recent = Array.prototype.map.call(datalist.options, function (o) { return o.value; });
    }
    input.removeAttribute("list");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;
    var autoFilled = false;

    function label(r) {
      return manyAdministrations && !r.recent ? r.label + " — " + r.administration_name : r.label;
    }

    function close() {
      list.classList.add("d-none");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (item, n) { item.setAttribute("aria-selected", n === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(found) {
      results = found;
      list.innerHTML = "";
      found.forEach(function (r, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = label(r);
        item.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
        item.addEventListener("click", function () { choose(i); });
        list.appendChild(item);
      });
      if (found.length) {
        list.classList.remove("d-none");
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      status.textContent = found.length === 0 ? texts.no_results
        : found.length === 1 ? texts.one_result
        : format(texts.results, { count: found.length });
    }

    function setPoint(lat, lon) {
      latInput.value = Number(lat).toFixed(6);
      lonInput.value = Number(lon).toFixed(6);
      // "input" moves map-picker's pin without asking for the nearest address again
      latInput.dispatchEvent(new Event("input", { bubbles: true }));
      lonInput.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function choose(i) {
      var r = results[i];
      if (!r) { return; }
      if (r.recent) {  // an earlier address: find it in the register
        input.value = r.label;
        close();
        search();
        return;
      }
      window.clearTimeout(timer);
      asked++;  // a search still under way must not open the list again
      input.value = r.label;
      autoFilled = false;
      close();
      setPoint(r.lat, r.lon);
      mapEl.dispatchEvent(new CustomEvent("insieme:goto", {
        detail: { lat: r.lat, lon: r.lon, zoom: r.kind === "address" ? 18 : 17 }
      }));
      status.textContent = format(texts.chosen, { place: label(r) });
    }

    function search() {
      var q = input.value.trim();
      if (q.length < 2) { close(); status.textContent = ""; return; }
      var ticket = ++asked;
      window.fetch(searchUrl + "&q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (ticket === asked) { show(data.results || []); } })
        .catch(function () { status.textContent = texts.failed; });
    }

    input.addEventListener("input", function () {
      autoFilled = false;
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (ev) {
      var open = input.getAttribute("aria-expanded") === "true";
      if (ev.key === "ArrowDown") {
        if (!open && results.length) { list.classList.remove("d-none"); input.setAttribute("aria-expanded", "true"); }
        if (results.length) { highlight(Math.min(active + 1, results.length - 1)); }
        ev.preventDefault();
      } else if (ev.key === "ArrowUp") {
        if (open) { highlight(Math.max(active - 1, 0)); }
        ev.preventDefault();
      } else if (ev.key === "Enter" && open && active >= 0) {
        choose(active);
        ev.preventDefault();
      } else if (ev.key === "Escape" && open) {
        close();
        ev.preventDefault();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    input.addEventListener("focus", function () {
      if (!input.value.trim() && recent.length) {
        show(recent.map(function (v) { return { label: v, recent: true }; }));
      }
    });

    // Pointing at the map: name the nearest address.
    var near = null;
    function nearest() {
      var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      if (!isFinite(lat) || !isFinite(lon)) { return; }
      var ticket = ++asked;
      window.fetch(nearestUrl + "&lat=" + lat + "&lon=" + lon, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { found: null }; })
        .then(function (data) {
          if (ticket !== asked) { return; }
          var f = data.found;
          close();
          if (f && f.kind === "address") {
            input.value = f.label;
            autoFilled = true;
            status.textContent = format(texts.nearest, { place: label(f), distance: f.distance });
          } else if (f) {
            input.value = f.label;
            autoFilled = true;
            status.textContent = format(texts.near_street, { place: label(f) });
          } else {
            if (autoFilled) { input.value = ""; autoFilled = false; }
            status.textContent = texts.nothing_near;
          }
        })
        .catch(function () { status.textContent = texts.failed; });
    }
    latInput.addEventListener("change", function () {
      window.clearTimeout(near);
      near = window.setTimeout(nearest, 250);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
