/* Dashboard charts, drawn from the JSON the view embeds as #dashboard-data. */
(function () {
  "use strict";
  var d = LoopCharts.data("dashboard-data");
  if (!d || typeof Plotly === "undefined") { return; }
  var symbol = {CNY: "¥", USD: "$", EUR: "€", BRL: "R$", GBP: "£", JPY: "¥"}[d.currency] || "";
  var none = d.labels.empty;

  LoopCharts.combo("chart-daily", {
    x: d.daily.days,
    bars: {name: d.labels.orders, y: d.daily.orders},
    line: {name: d.labels.revenue, y: LoopCharts.major(d.daily.revenue_minor, d.exponent), prefix: symbol},
    emptyText: none,
  });
  LoopCharts.pie("chart-channels", {labels: d.channels.labels, values: d.channels.orders, emptyText: none});
  LoopCharts.bar("chart-products", {
    labels: d.products.names,
    values: LoopCharts.major(d.products.revenue_minor, d.exponent),
    horizontal: true, prefix: symbol, labelWidth: 40, emptyText: none,
  });
  var statusColors = {
    pending_payment: "#94a3b8", paid: "#2563eb", shipped: "#06b6d4", delivered: "#10b981",
    completed: "#16a34a", cancelled: "#ef4444", refund_requested: "#f59e0b", refunded: "#f97316",
  };
  LoopCharts.pie("chart-statuses", {
    labels: d.statuses.labels, values: d.statuses.orders, emptyText: none,
    colors: d.statuses.codes.map(function (c) { return statusColors[c] || "#64748b"; }),
  });
})();
