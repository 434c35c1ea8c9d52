// Draws each dashboard panel's chart with Apache ECharts (SVG renderer, aria module) from the
// figures in the panel's <script type="application/json"> block. The table after each chart
// holds the same numbers: the chart box is an image labelled with the panel's sentence, and
// without this script the tables are the page. No inline style or markup is written (the CSP).
(function () {
  "use strict";
  const echarts = window.echarts;
  if (!echarts) return;

  const COLOURS = ["#0066cc", "#b35900", "#1a7f37", "#6f42c1", "#5c6f82"];
  const SYMBOLS = ["circle", "rect", "triangle", "diamond", "pin"];
  const LINES = ["solid", "dashed", "dotted", "solid", "dashed"];

  function axisValue(unit) {
    return {
      type: "value",
      axisLabel: { formatter: unit ? "{value}" + unit : "{value}" },
    };
  }

  function cartesian(spec, label) {
    const line = spec.kind === "line";
    const option = {
      color: COLOURS,
      animation: false,
      aria: { enabled: true, label: { description: label }, decal: { show: !line } },
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 56, right: 24, top: spec.series.length > 1 ? 48 : 24, bottom: 64 },
      xAxis: {
        type: "category",
        data: spec.categories,
        axisLabel: { hideOverlap: true, rotate: spec.categories.length > 12 ? 30 : 0 },
      },
      yAxis: Object.assign(axisValue(spec.unit), spec.max ? { max: spec.max, min: 0 } : {}),
      series: spec.series.map(function (s, i) {
        return {
          name: s.name,
          type: spec.kind,
          data: s.data,
          stack: spec.stack ? "total" : undefined,
          symbol: SYMBOLS[i % SYMBOLS.length],
          symbolSize: 7,
          connectNulls: false,
          lineStyle: line ? { type: LINES[i % LINES.length], width: 2 } : undefined,
        };
      }),
    };
    if (spec.series.length > 1) option.legend = { top: 0 };
    return option;
  }

  function heatmap(spec, label, wide) {
    return {
      animation: false,
      aria: { enabled: true, label: { description: label } },
      tooltip: { renderMode: "richText" },
      grid: { left: 96, right: 24, top: 16, bottom: 96 },
      xAxis: { type: "category", data: spec.x, axisLabel: { rotate: 45 }, splitArea: { show: true } },
      yAxis: { type: "category", data: spec.y, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: Math.max(spec.max, 1),
        calculable: false,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        inRange: { color: ["#f2f7fc", "#0066cc", "#002b57"] },
      },
      series: [
        {
          name: spec.name,
          type: "heatmap",
          data: spec.data,
          // The count in each cell, where there is room: the colour is never the only cue.
          label: { show: wide, fontSize: 10 },
        },
      ],
    };
  }

  function draw(box) {
    const source = document.getElementById(box.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    const label = box.getAttribute("aria-label") || "";
    if (spec.kind === "heatmap") box.classList.add("heatmap");
    box.hidden = false;
    const chart = echarts.init(box, null, { renderer: "svg" });
    const option = spec.kind === "heatmap"
      ? heatmap(spec, label, box.clientWidth >= 720)
      : cartesian(spec, label);
    chart.setOption(option);
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", label);
    if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(box);
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
