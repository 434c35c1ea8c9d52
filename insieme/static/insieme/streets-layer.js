/* The street register as a vector layer on any Leaflet map whose container has
   data-streets-url (a tile URL template of the register's GeoJSON street tiles): street lines
   drawn by rank (main roads, streets, lanes), their names along them from street zoom (15), and
   house numbers from zoom 18. It needs no tile server and no network beyond the app itself:
   map tiles, where configured, are drawn underneath by map-picker.js.

   Labels follow their street (SVG textPath on the visible stretch, written left to right) and
   are left out where they would not fit or would overlap a label already placed, main roads
   first. The container also listens for "insieme:goto" (detail {lat, lon, zoom}) to move the
   view, which the address search sends. Load after leaflet.js and before map-picker.js. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var LABEL_ZOOM = 15;
  var NUMBER_ZOOM = 18;
  var ADDRESS_TILE_ZOOM = 17;
  var MIN_TILE_ZOOM = 10;
  var MAX_TILE_ZOOM = 16;
  // [casing, fill] colours by rank: main roads, streets, lanes and paths.
  var COLOURS = { 1: ["#b89a4a", "#fbe3a1"], 2: ["#a8a196", "#ffffff"], 3: ["#bdb6ab", "#ffffff"] };
  // Line widths (fill) by zoom and rank; the casing is 2 px wider.
  function width(zoom, rank) {
    var table = {
      10: [1.5, 0, 0], 11: [2, 0, 0], 12: [2.5, 1, 0], 13: [3.5, 2, 1], 14: [5, 3, 1.5],
      15: [7, 4.5, 2.5], 16: [10, 7, 4], 17: [14, 10, 6], 18: [18, 13, 8], 19: [24, 18, 11]
    };
    var row = table[Math.max(10, Math.min(19, Math.round(zoom)))];
    return row[rank - 1] || 0;
  }

  function tileRange(map, z) {
    var bounds = map.getBounds().pad(0.25);
    function x(lon) { return Math.floor((lon + 180) / 360 * Math.pow(2, z)); }
    function y(lat) {
      var r = lat * Math.PI / 180;
      return Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * Math.pow(2, z));
    }
    var max = Math.pow(2, z) - 1;
    var clamp = function (v) { return Math.max(0, Math.min(max, v)); };
    return {
      x0: clamp(x(bounds.getWest())), x1: clamp(x(bounds.getEast())),
      y0: clamp(y(bounds.getNorth())), y1: clamp(y(bounds.getSouth()))
    };
  }

  function latLngs(geometry) {
    var flip = function (line) { return line.map(function (p) { return [p[1], p[0]]; }); };
    if (geometry.type === "LineString") { return [flip(geometry.coordinates)]; }
    if (geometry.type === "MultiLineString") { return geometry.coordinates.map(flip); }
    return [];
  }

  L.Map.addInitHook(function () {
    var map = this;
    var el = map.getContainer();
    var template = el.dataset.streetsUrl;
    if (!template) { return; }
    el.classList.add("has-streets");
    var withTiles = !!el.dataset.tileUrl;

    // Casings in a pane of their own, under every street's fill (crossings stay clean).
    ["streetCasings", "streets"].forEach(function (name, i) {
      map.createPane(name);
      map.getPane(name).style.zIndex = 340 + i * 10;
      map.getPane(name).style.pointerEvents = "none";
    });
    var casingRenderer = L.svg({ pane: "streetCasings", padding: 0.3 });
    var renderer = L.svg({ pane: "streets", padding: 0.3 });
    var casings = L.layerGroup().addTo(map);
    var fills = L.layerGroup().addTo(map);
    var cache = {};      // tile key -> [features], once fetched
    var pending = {};    // tile key -> true while fetching
    var drawnZoom = null;
    var drawn = {};      // street id -> {name, rank, parts, casing, fill}
    var numbers = {};    // address id -> [lat, lon, text]
    var labelGroup = null;
    var defs = null;

    var credit = el.dataset.registerAttribution;
    if (credit) {
      if (!map.attributionControl) {
        map.attributionControl = L.control.attribution({ prefix: false }).addTo(map);
      }
      map.attributionControl.addAttribution(credit);
    }

    function tileZoom() {
      return Math.max(MIN_TILE_ZOOM, Math.min(MAX_TILE_ZOOM, Math.floor(map.getZoom())));
    }

    function style(rank, casing) {
      var w = width(map.getZoom(), rank);
      return {
        renderer: casing ? casingRenderer : renderer, interactive: false,
        lineCap: "round", lineJoin: "round",
        color: COLOURS[rank][casing ? 0 : 1], weight: w ? (casing ? w + 2 : w) : 0,
        opacity: w ? (withTiles ? 0.75 : 1) : 0
      };
    }

    function clear() {
      casings.clearLayers();
      fills.clearLayers();
      drawn = {};
    }

    function draw(features) {
      features.forEach(function (f) {
        if (drawn[f.id]) { return; }
        var rank = f.properties.rank || 2;
        var parts = latLngs(f.geometry);
        if (!parts.length) { return; }
        drawn[f.id] = {
          name: f.properties.name, rank: rank, parts: parts,
          casing: L.polyline(parts, style(rank, true)).addTo(casings),
          fill: L.polyline(parts, style(rank, false)).addTo(fills)
        };
      });
      // Main roads over streets over lanes.
      Object.keys(drawn).map(function (id) { return drawn[id]; })
        .sort(function (a, b) { return b.rank - a.rank; })
        .forEach(function (d) { d.fill.bringToFront(); });
      relabelSoon();
    }

    function fetchTile(z, x, y, done) {
      var key = z + "/" + x + "/" + y;
      if (cache[key]) { done(cache[key]); return; }
      if (pending[key]) { return; }
      pending[key] = true;
      var url = template.replace("{z}", z).replace("{x}", x).replace("{y}", y);
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (r) { return r.ok ? r.json() : { features: [] }; })
        .then(function (data) {
          cache[key] = data.features || [];
          delete pending[key];
          done(cache[key]);
        })
        .catch(function () { delete pending[key]; });
    }

    function load() {
      var z = tileZoom();
      if (z !== drawnZoom) {
        clear();
        drawnZoom = z;
      }
      var r = tileRange(map, z);
      for (var x = r.x0; x <= r.x1; x++) {
        for (var y = r.y0; y <= r.y1; y++) {
          fetchTile(z, x, y, function (features) { if (tileZoom() === z) { draw(features); } });
        }
      }
      if (map.getZoom() >= NUMBER_ZOOM) {
        var a = tileRange(map, ADDRESS_TILE_ZOOM);
        for (var ax = a.x0; ax <= a.x1; ax++) {
          for (var ay = a.y0; ay <= a.y1; ay++) {
            fetchTile(ADDRESS_TILE_ZOOM, ax, ay, function (features) {
              features.forEach(function (f) {
                var c = f.geometry.coordinates;
                numbers[f.id] = [c[1], c[0], f.properties.n];
              });
              relabelSoon();
            });
          }
        }
      }
    }

    function restyle() {
      Object.keys(drawn).forEach(function (id) {
        var d = drawn[id];
        d.casing.setStyle(style(d.rank, true));
        d.fill.setStyle(style(d.rank, false));
      });
    }

    // --- labels ------------------------------------------------------------------------

    function svgRoot() {
      var svg = renderer._container;
      if (!svg) { return null; }
      if (casingRenderer._container) { casingRenderer._container.setAttribute("aria-hidden", "true"); }
      if (!labelGroup || labelGroup.parentNode !== svg) {
        svg.setAttribute("aria-hidden", "true");
        defs = document.createElementNS(SVG_NS, "defs");
        labelGroup = document.createElementNS(SVG_NS, "g");
        labelGroup.setAttribute("class", "street-labels");
        svg.appendChild(defs);
        svg.appendChild(labelGroup);
      }
      return svg;
    }

    function visiblePiece(parts, bounds) {
      // The longest stretch of the street inside the view, in layer pixels.
      var best = null, bestLength = 0;
      parts.forEach(function (part) {
        var points = part.map(function (ll) { return map.latLngToLayerPoint(ll); });
        var piece = [];
        function flush() {
          if (piece.length > 1) {
            var length = 0;
            for (var i = 1; i < piece.length; i++) { length += piece[i].distanceTo(piece[i - 1]); }
            if (length > bestLength) { best = piece; bestLength = length; }
          }
          piece = [];
        }
        for (var i = 1; i < points.length; i++) {
          var seg = L.LineUtil.clipSegment(points[i - 1], points[i], bounds, false, true);
          if (!seg) { flush(); continue; }
          if (!piece.length || !piece[piece.length - 1].equals(seg[0])) {
            flush();
            piece.push(seg[0]);
          }
          piece.push(seg[1]);
          if (!seg[1].equals(points[i])) { flush(); }
        }
        flush();
      });
      if (!best) { return null; }
      best = L.LineUtil.simplify(best, 3);
      if (best[best.length - 1].x < best[0].x) { best = best.slice().reverse(); }
      return { points: best, length: bestLength };
    }

    function overlaps(box, boxes) {
      for (var i = 0; i < boxes.length; i++) {
        var b = boxes[i];
        if (box.x < b.x + b.width + 6 && b.x < box.x + box.width + 6 &&
            box.y < b.y + b.height + 2 && b.y < box.y + box.height + 2) { return true; }
      }
      return false;
    }

    var labelTimer = null;
    function relabelSoon() {
      if (labelTimer) { return; }
      labelTimer = window.requestAnimationFrame(function () { labelTimer = null; relabel(); });
    }

    function relabel() {
      if (!svgRoot()) { return; }
      while (labelGroup.firstChild) { labelGroup.removeChild(labelGroup.firstChild); }
      while (defs.firstChild) { defs.removeChild(defs.firstChild); }
      var zoom = map.getZoom();
      el.dataset.streetLabels = "0";
      if (zoom < LABEL_ZOOM) { return; }
      var size = map.getSize();
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      var bounds = L.bounds(topLeft, topLeft.add(size));
      var placed = [];
      var count = 0;
      var streets = Object.keys(drawn).map(function (id) { return drawn[id]; })
        .filter(function (d) { return zoom >= 16 || d.rank < 3; });
      var pieces = streets.map(function (d) { return { d: d, piece: visiblePiece(d.parts, bounds) }; })
        .filter(function (p) { return p.piece && p.piece.length > 40; })
        .sort(function (a, b) { return a.d.rank - b.d.rank || b.piece.length - a.piece.length; });
      pieces.forEach(function (p, n) {
        var id = "street-label-path-" + n;
        var path = document.createElementNS(SVG_NS, "path");
        path.setAttribute("id", id);
        path.setAttribute("d", "M" + p.piece.points.map(function (q) {
          return q.x.toFixed(1) + " " + q.y.toFixed(1);
        }).join(" L"));
        defs.appendChild(path);
        var text = document.createElementNS(SVG_NS, "text");
        text.setAttribute("class", "street-label street-label-" + p.d.rank);
        text.setAttribute("dy", "0.35em");
        var textPath = document.createElementNS(SVG_NS, "textPath");
        textPath.setAttribute("href", "#" + id);
        textPath.setAttribute("startOffset", "50%");
        textPath.setAttribute("text-anchor", "middle");
        textPath.textContent = p.d.name;
        text.appendChild(textPath);
        labelGroup.appendChild(text);
        var fits = text.getComputedTextLength() + 16 < p.piece.length;
        var box = fits ? text.getBBox() : null;
        if (!fits || !box.width || overlaps(box, placed)) {
          labelGroup.removeChild(text);
          defs.removeChild(path);
          return;
        }
        placed.push(box);
        count++;
      });
      if (zoom >= NUMBER_ZOOM) {
        Object.keys(numbers).forEach(function (id) {
          var n = numbers[id];
          var q = map.latLngToLayerPoint([n[0], n[1]]);
          if (!bounds.contains(q)) { return; }
          var text = document.createElementNS(SVG_NS, "text");
          text.setAttribute("class", "house-number");
          text.setAttribute("x", q.x.toFixed(1));
          text.setAttribute("y", q.y.toFixed(1));
          text.setAttribute("text-anchor", "middle");
          text.setAttribute("dy", "0.35em");
          text.textContent = n[2];
          labelGroup.appendChild(text);
        });
      }
      el.dataset.streetLabels = String(count);
    }

    renderer.on("update", relabelSoon);
    map.on("moveend", load);
    map.on("zoomend", function () { restyle(); load(); });
    map.whenReady(function () { window.setTimeout(load, 0); });

    el.addEventListener("insieme:goto", function (ev) {
      var d = ev.detail || {};
      if (isFinite(d.lat) && isFinite(d.lon)) {
        map.setView([d.lat, d.lon], Math.max(map.getZoom(), d.zoom || 17));
      }
    });
  });
})();
