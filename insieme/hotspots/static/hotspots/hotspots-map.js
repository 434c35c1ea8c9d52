/* The hotspot map: a circle per hotspot, read from the JSON the page carries (#hotspot-data).
   The table under the map lists the same hotspots, so the map only repeats it; without
   JavaScript (or Leaflet) the map stays hidden and nothing is lost. */
(function () {
  "use strict";

  function init() {
    var el = document.getElementById("hotspot-map");
    var data = el && document.getElementById(el.dataset.pointsId);
    if (!el || !data || typeof L === "undefined") { return; }
    var spots = [];
    try { spots = JSON.parse(data.textContent); } catch (e) { return; }
    if (!spots.length) { return; }
    el.classList.remove("d-none");
    var map = L.map(el, { attributionControl: !!el.dataset.tileUrl });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
    // The view first: a circle is projected only once the map has one.
    var bounds = L.latLngBounds([]);
    spots.forEach(function (s) { bounds.extend(L.latLng(s.lat, s.lon).toBounds(2 * s.radius)); });
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
    spots.forEach(function (s) {
      L.circle([s.lat, s.lon], {
        radius: s.radius,
        color: s.growing ? "#a61919" : "#004080",
        weight: 2,
        fillOpacity: 0.35,
        className: "hotspot-circle"
      }).bindTooltip(s.label).addTo(map);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
