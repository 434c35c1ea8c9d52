/* Map picker for the filing form: click inside the administration's boundary (or move the marker
   with the arrow keys) to fill the latitude and longitude inputs; typing in those inputs moves the
   marker. Without JavaScript the inputs and the address field work alone. */
(function () {
  "use strict";

  function init() {
    var el = document.getElementById("map-picker");
    if (!el || typeof L === "undefined") { return; }
    var latInput = document.getElementById(el.dataset.latInput);
    var lonInput = document.getElementById(el.dataset.lonInput);
    var status = document.getElementById(el.dataset.statusId);
    if (!latInput || !lonInput) { return; }
    el.classList.remove("d-none");
    var keys = document.getElementById("map-keys");
    if (keys) { keys.classList.remove("d-none"); }

    var map = L.map(el, { keyboard: false, attributionControl: !!el.dataset.tileUrl });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
    var boundary = null;
    var boundaryData = document.getElementById(el.dataset.boundaryId);
    if (boundaryData) {
      try {
        boundary = L.geoJSON(JSON.parse(boundaryData.textContent), {
          // lighter over the street register's land colour (streets-layer.js)
          style: { color: "#0066cc", weight: 2, fillOpacity: el.dataset.streetsUrl ? 0.02 : 0.08 },
          interactive: false
        }).addTo(map);
      } catch (e) { boundary = null; }
    }
    if (boundary) {
      map.fitBounds(boundary.getBounds());
    } else {
      map.setView([41.9, 12.5], 6);
    }
    el.setAttribute("tabindex", "0");

    var marker = null;
    function place(latlng, fromInputs) {
      if (!marker) {
        marker = L.circleMarker(latlng, { radius: 9, color: "#a61919", weight: 3, fillOpacity: 0.6 }).addTo(map);
      } else {
        marker.setLatLng(latlng);
      }
      if (!fromInputs) {
        latInput.value = latlng.lat.toFixed(6);
        lonInput.value = latlng.lng.toFixed(6);
        latInput.dispatchEvent(new Event("change", { bubbles: true }));
      }
      if (status) {
        status.textContent = el.getAttribute("aria-label") + ": " +
          latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5);
      }
    }

    map.on("click", function (ev) { place(ev.latlng, false); });

    function fromInputs() {
      var lat = parseFloat(String(latInput.value).replace(",", "."));
      var lon = parseFloat(String(lonInput.value).replace(",", "."));
      if (isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        place(L.latLng(lat, lon), true);
      }
    }
    latInput.addEventListener("input", fromInputs);
    lonInput.addEventListener("input", fromInputs);
    fromInputs();

    el.addEventListener("keydown", function (ev) {
      var moves = { ArrowUp: [1, 0], ArrowDown: [-1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      if (ev.key === "Enter" || ev.key === " ") {
        place(marker ? marker.getLatLng() : map.getCenter(), false);
        ev.preventDefault();
        return;
      }
      if (ev.key === "+" || ev.key === "=") { map.zoomIn(); ev.preventDefault(); return; }
      if (ev.key === "-") { map.zoomOut(); ev.preventDefault(); return; }
      var move = moves[ev.key];
      if (!move) { return; }
      ev.preventDefault();
      var start = marker ? marker.getLatLng() : map.getCenter();
      var size = map.getSize();
      var bounds = map.getBounds();
      var step = (ev.shiftKey ? 10 : 2) / Math.max(size.x, size.y, 1);
      var dLat = (bounds.getNorth() - bounds.getSouth()) * step * 5;
      var dLon = (bounds.getEast() - bounds.getWest()) * step * 5;
      var next = L.latLng(start.lat + move[0] * dLat, start.lng + move[1] * dLon);
      place(next, false);
      if (!bounds.contains(next)) { map.panTo(next); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
