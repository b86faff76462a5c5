/* LoopCharts: a thin layer over Plotly so every console chart shares one look.
   Pages put their data in a json_script element and call LoopCharts.line/bar/pie/combo. */
(function (global) {
  "use strict";

  var PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#f97316",
                 "#84cc16", "#ec4899", "#64748b"];
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';

  function baseLayout(extra) {
    var layout = {
      font: {family: FONT, size: 12, color: "#334155"},
      margin: {l: 56, r: 24, t: 12, b: 40},
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      colorway: PALETTE,
      showlegend: true,
      legend: {orientation: "h", x: 0, y: 1.12},
      hoverlabel: {font: {family: FONT}},
      xaxis: {gridcolor: "#eef2f7", zeroline: false},
      yaxis: {gridcolor: "#eef2f7", zeroline: false, rangemode: "tozero"},
    };
    return Object.assign(layout, extra || {});
  }

  var CONFIG = {displayModeBar: false, responsive: true};

  function target(el) {
    return typeof el === "string" ? document.getElementById(el) : el;
  }

  function empty(el, message) {
    el.classList.add("chart-empty");
    el.textContent = message || "—";
  }

  /* Minor units to major units for display (money is integer minor units everywhere else). */
  function major(values, exponent) {
    var scale = Math.pow(10, exponent || 0);
    return values.map(function (v) { return v / scale; });
  }

  function hasData(values) {
    return values && values.some(function (v) { return v !== 0 && v !== null; });
  }

  /* Bars on the left axis and a line on the right one, over a shared x (e.g. orders and revenue per day). */
  function combo(el, spec) {
    el = target(el);
    if (!hasData(spec.bars.y) && !hasData(spec.line.y)) { return empty(el, spec.emptyText); }
    var traces = [
      {type: "bar", name: spec.bars.name, x: spec.x, y: spec.bars.y, marker: {color: PALETTE[0], opacity: 0.75},
       hovertemplate: "%{x}<br>" + spec.bars.name + ": %{y}<extra></extra>"},
      {type: "scatter", mode: "lines", name: spec.line.name, x: spec.x, y: spec.line.y, yaxis: "y2",
       line: {color: PALETTE[1], width: 2.5},
       hovertemplate: "%{x}<br>" + spec.line.name + ": " + (spec.line.prefix || "") + "%{y:,.2f}<extra></extra>"},
    ];
    var layout = baseLayout({
      margin: {l: 48, r: 72, t: 12, b: 40},
      bargap: 0.25,
      yaxis: {title: {text: spec.bars.name}, gridcolor: "#eef2f7", rangemode: "tozero", zeroline: false},
      yaxis2: {title: {text: spec.line.name}, overlaying: "y", side: "right", rangemode: "tozero",
               showgrid: false, tickprefix: spec.line.prefix || "", zeroline: false},
      xaxis: {type: "date", gridcolor: "#eef2f7", tickformat: "%m-%d"},
    });
    return Plotly.newPlot(el, traces, layout, CONFIG);
  }

  function bar(el, spec) {
    el = target(el);
    if (!hasData(spec.values)) { return empty(el, spec.emptyText); }
    var horizontal = !!spec.horizontal;
    var trace = {
      type: "bar", name: spec.name || "",
      x: horizontal ? spec.values : spec.labels,
      y: horizontal ? spec.labels : spec.values,
      orientation: horizontal ? "h" : "v",
      marker: {color: spec.color || PALETTE[0]},
      hovertemplate: (horizontal ? "%{y}" : "%{x}") + ": " + (spec.prefix || "") +
        (horizontal ? "%{x:,.2f}" : "%{y:,.2f}") + "<extra></extra>",
    };
    var layout = baseLayout({showlegend: false});
    if (horizontal) {
      layout.margin = {l: spec.labelWidth || 160, r: 24, t: 8, b: 32};
      layout.yaxis = {autorange: "reversed", automargin: true, ticksuffix: " "};
      layout.xaxis = {gridcolor: "#eef2f7", tickprefix: spec.prefix || "", zeroline: false};
    }
    return Plotly.newPlot(el, [trace], layout, CONFIG);
  }

  function pie(el, spec) {
    el = target(el);
    if (!hasData(spec.values)) { return empty(el, spec.emptyText); }
    var trace = {
      type: "pie", labels: spec.labels, values: spec.values, hole: 0.55, sort: false,
      textinfo: "percent", textposition: "inside", insidetextorientation: "horizontal",
      marker: {colors: spec.colors || PALETTE},
      hovertemplate: "%{label}: %{value} (%{percent})<extra></extra>",
    };
    var layout = baseLayout({
      margin: {l: 8, r: 8, t: 8, b: 8},
      legend: {orientation: "v", x: 1, y: 0.5},
    });
    return Plotly.newPlot(el, [trace], layout, CONFIG);
  }

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  global.LoopCharts = {combo: combo, bar: bar, pie: pie, major: major, data: data, palette: PALETTE};
})(window);
