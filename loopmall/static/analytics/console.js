/* Charts of the analytics console pages (scorecard sparklines, KPI trend, funnel, cohort heat map).
   Data comes from json_script elements; Plotly is loaded by console/base.html. */
(function (global) {
  "use strict";
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
  var CONFIG = {displayModeBar: false, responsive: true};
  var COLOURS = {ok: "#10b981", warn: "#f59e0b", bad: "#ef4444", none: "#94a3b8", line: "#2563eb"};

  function el(id) { return typeof id === "string" ? document.getElementById(id) : id; }
  function empty(node, text) { node.classList.add("chart-empty"); node.textContent = text || "—"; }
  function scale(unit) { return unit === "ratio" ? 100 : unit === "minor" ? 0.01 : 1; }
  function suffix(unit) { return unit === "ratio" ? "%" : unit === "hours" ? " h" : ""; }
  function has(values) { return values.some(function (v) { return v !== null && v !== undefined; }); }
  function layout(extra) {
    return Object.assign({
      font: {family: FONT, size: 12, color: "#334155"}, paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)", margin: {l: 48, r: 16, t: 10, b: 36}, showlegend: false,
      xaxis: {gridcolor: "#eef2f7"}, yaxis: {gridcolor: "#eef2f7", zeroline: false},
    }, extra || {});
  }

  function sparklines(trends) {
    document.querySelectorAll("[data-spark]").forEach(function (node) {
      var t = trends[node.dataset.spark];
      if (!t || !has(t.y)) { return empty(node, "—"); }
      var k = scale(t.unit);
      var status = node.closest(".an-card").className.match(/an-(ok|warn|bad|none)/);
      Plotly.newPlot(node, [{
        type: "scatter", mode: "lines+markers", x: t.x,
        y: t.y.map(function (v) { return v === null ? null : v * k; }),
        line: {color: COLOURS[status ? status[1] : "line"], width: 2}, marker: {size: 3},
        hovertemplate: "%{x}: %{y:.2f}" + suffix(t.unit) + "<extra></extra>", connectgaps: false,
      }], layout({margin: {l: 0, r: 0, t: 2, b: 2}, xaxis: {visible: false}, yaxis: {visible: false},
                  height: 54}), {displayModeBar: false, responsive: true, staticPlot: false});
    });
  }

  function trend(id, data, labels) {
    var node = el(id);
    if (!has(data.y)) { return empty(node, labels.empty); }
    var k = scale(data.unit);
    var traces = [{type: "scatter", mode: "lines+markers", name: labels.actual, x: data.x,
      y: data.y.map(function (v) { return v === null ? null : v * k; }), line: {color: COLOURS.line, width: 2.5},
      hovertemplate: "%{x}: %{y:.2f}" + suffix(data.unit) + "<extra></extra>"}];
    if (data.target !== null && data.target !== undefined) {
      traces.push({type: "scatter", mode: "lines", name: labels.target, x: [data.x[0], data.x[data.x.length - 1]],
        y: [data.target * k, data.target * k], line: {color: COLOURS.ok, dash: "dash", width: 2}});
    }
    Plotly.newPlot(node, traces, layout({showlegend: true, legend: {orientation: "h", y: 1.12},
      yaxis: {gridcolor: "#eef2f7", ticksuffix: suffix(data.unit), rangemode: "tozero"}}), CONFIG);
  }

  function funnel(id, data, emptyText) {
    var node = el(id);
    if (!data.steps.length || !data.people[0]) { return empty(node, emptyText); }
    Plotly.newPlot(node, [{type: "funnel", y: data.steps, x: data.people, textinfo: "value+percent initial",
      marker: {color: ["#2563eb", "#3b82f6", "#60a5fa", "#93c5fd", "#bfdbfe", "#dbeafe", "#eff6ff", "#f8fafc"]}}],
      layout({margin: {l: 150, r: 16, t: 10, b: 24}}), CONFIG);
  }

  function heatmap(id, data, emptyText, xTitle) {
    var node = el(id);
    if (!data.z.length) { return empty(node, emptyText); }
    node.style.height = Math.max(260, 28 * data.y.length + 90) + "px";
    var z = data.z.map(function (row) { return row.map(function (v) { return v === null ? null : v * 100; }); });
    var text = z.map(function (row) { return row.map(function (v) { return v === null ? "" : v.toFixed(0) + "%"; }); });
    Plotly.newPlot(node, [{type: "heatmap", x: data.x, y: data.y, z: z, text: text, zmin: 0, zmax: 100,
      colorscale: [[0, "#f1f5f9"], [0.25, "#bfdbfe"], [0.6, "#3b82f6"], [1, "#1e3a8a"]],
      hoverongaps: false, texttemplate: "%{text}", hovertemplate: "%{y}<br>+%{x}: %{z:.1f}%<extra></extra>",
      colorbar: {ticksuffix: "%", thickness: 12}}],
      layout({margin: {l: 170, r: 16, t: 10, b: 44}, xaxis: {title: {text: xTitle}, type: "category"},
              yaxis: {type: "category", autorange: "reversed"}}), CONFIG);
  }

  function bars(id, data, emptyText) {
    var node = el(id);
    if (!data.y.length || !data.y.some(function (v) { return v; })) { return empty(node, emptyText); }
    Plotly.newPlot(node, [{type: "bar", x: data.x, y: data.y, marker: {color: COLOURS.line},
      hovertemplate: "%{x}: ¥%{y:,.2f}<extra></extra>"}], layout({yaxis: {tickprefix: "¥", gridcolor: "#eef2f7"}}), CONFIG);
  }

  global.AnalyticsCharts = {sparklines: sparklines, trend: trend, funnel: funnel, heatmap: heatmap, bars: bars};
})(window);
