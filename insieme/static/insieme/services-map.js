/* "Report a problem on the map": adds the nearby open reports to the map picker's map and, after
   a search, centres the map on the chosen place. It hooks into Leaflet's map creation, so
   map-picker.js stays as the filing form uses it. The reports are also listed in a table: the
   markers only repeat it. Load after leaflet.js and before map-picker.js. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  L.Map.addInitHook(function () {
    var map = this;
    var el = map.getContainer();
    if (el.id !== "map-picker") { return; }
    var data = document.getElementById(el.dataset.nearbyId || "");
    var latInput = document.getElementById(el.dataset.latInput);
    var lonInput = document.getElementById(el.dataset.lonInput);
    map.whenReady(function () {
      // after map-picker.js has fitted the boundaries
      window.setTimeout(function () {
        if (data) {
          var reports = [];
          try { reports = JSON.parse(data.textContent); } catch (e) { reports = []; }
          reports.forEach(function (r) {
            L.circleMarker([r.lat, r.lon], {
              radius: 6, color: "#004080", weight: 2, fillOpacity: 0.5, interactive: false
            }).addTo(map);
          });
        }
        var lat = latInput ? parseFloat(latInput.value) : NaN;
        var lon = lonInput ? parseFloat(lonInput.value) : NaN;
        if (document.getElementById("map-results") && isFinite(lat) && isFinite(lon)) {
          map.setView([lat, lon], 16);
        }
      }, 0);
    });
  });
})();
