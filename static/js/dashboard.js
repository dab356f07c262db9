// The dashboard's charts (ECharts, vendored). No inline scripts (the CSP allows same-origin
// script files only): the page passes every chart's data in one json_script element
// (#dashboard-specs) and marks each chart's box with data-chart="<slug>".
//
// A click on a bar opens the list it counts (the series' urls, by category); the button
// data-chart-png="<slug>" saves the chart as a PNG (getDataURL). window.beianDashboard
// exposes the charts and `open(slug, series, index)` (the click handler) for tests.
(() => {
  "use strict";

  const source = document.getElementById("dashboard-specs");
  if (!source || typeof echarts === "undefined") return;
  const specs = JSON.parse(source.textContent);
  const charts = {};
  const narrow = () => window.matchMedia("(max-width: 575.98px)").matches;

  const number = (value, spec) =>
    spec.percent ? `${Number(value).toFixed(1)}%` : Number(value).toLocaleString("zh-CN");

  const option = (spec) => {
    const small = narrow();
    const horizontal = spec.kind === "hbar";
    const categoryAxis = {
      type: "category",
      data: spec.categories,
      inverse: horizontal, // the first (largest) bar on top
      axisTick: { alignWithLabel: true },
      axisLabel: horizontal
        ? { width: small ? 96 : 150, overflow: "truncate", fontSize: small ? 11 : 12 }
        : { fontSize: small ? 10 : 12, rotate: spec.categories.length > 8 ? 45 : 0 },
    };
    const valueAxis = {
      type: "value",
      minInterval: spec.percent ? 0 : 1,
      max: spec.percent ? 100 : null,
      axisLabel: { formatter: spec.percent ? "{value}%" : null, fontSize: small ? 10 : 12 },
    };
    return {
      aria: { enabled: true },
      animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
      animationDuration: 300,
      textStyle: { fontFamily: "inherit" },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        confine: true,
        valueFormatter: (value) => number(value, spec),
      },
      legend: { top: 0, type: "scroll", show: spec.series.length > 1 },
      grid: {
        left: 8,
        right: 16,
        top: spec.series.length > 1 ? 32 : 12,
        bottom: 8,
        containLabel: true,
      },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map((s) => ({
        name: s.name,
        type: "bar",
        stack: spec.stacked ? "total" : undefined,
        data: s.values,
        itemStyle: s.colour ? { color: s.colour } : undefined,
        barMaxWidth: 28,
        emphasis: { focus: "series" },
        cursor: "pointer",
      })),
    };
  };

  const open = (slug, seriesIndex, dataIndex) => {
    const spec = specs.find((s) => s.slug === slug);
    const series = spec && spec.series[seriesIndex];
    const url = series && series.urls[dataIndex];
    if (url) window.location.assign(url);
    return url || "";
  };

  specs.forEach((spec) => {
    const box = document.querySelector(`[data-chart="${spec.slug}"]`);
    if (!box) return;
    const chart = echarts.init(box, null, { renderer: "canvas" });
    chart.on("finished", () => {
      box.dataset.drawn = "1"; // drawn and animated (screenshots wait for it)
    });
    chart.setOption(option(spec));
    chart.on("click", (params) => {
      if (params.componentType === "series") open(spec.slug, params.seriesIndex, params.dataIndex);
    });
    charts[spec.slug] = chart;
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-chart-png]");
    if (!button) return;
    const chart = charts[button.dataset.chartPng];
    if (!chart) return;
    const link = document.createElement("a");
    link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    link.download = button.dataset.filename || `${button.dataset.chartPng}.png`;
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  let wasNarrow = narrow();
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      const isNarrow = narrow();
      specs.forEach((spec) => {
        const chart = charts[spec.slug];
        if (!chart) return;
        if (isNarrow !== wasNarrow) chart.setOption(option(spec), true);
        chart.resize();
      });
      wasNarrow = isNarrow;
    }, 150);
  });

  window.beianDashboard = { charts, specs, open };
})();
