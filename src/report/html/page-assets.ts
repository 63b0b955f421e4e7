/**
 * The report page's own style and script, inlined by render.ts beside the chart library (ECharts,
 * the global `echarts`). The script is plain ES2017 for the browser, kept as text: it is never run
 * by Node. It decodes the JSON block (typed columns as base64 bytes), draws one canvas chart per
 * `data-chart` element, keeps `data-points` equal to the points drawn, and marks each chart
 * `data-rendered` once ECharts reports it finished.
 */

export const PAGE_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 16px 32px; color: #1d2330; }
h1 { font-size: 20px; margin: 16px 0 8px; } h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #d8dde6; } h3 { font-size: 15px; margin: 16px 0 4px; }
.chart { width: 100%; height: 380px; }
.hint { color: #5a6474; margin: 4px 0; }
dl.overview { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
dl.governance { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; }
dt { font-weight: 600; } dd { margin: 0; } pre { margin: 0; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0; display: block; max-height: 420px; overflow: auto; }
th, td { border: 1px solid #d8dde6; padding: 2px 6px; text-align: left; vertical-align: top; max-width: 420px; overflow-wrap: anywhere; }
th { background: #f1f3f7; position: sticky; top: 0; }
ul.notes { color: #8a5a00; }
.axes label { margin-right: 16px; }
footer { color: #8a93a3; margin-top: 32px; font-size: 12px; }
`;

export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var TYPES = { f64: Float64Array, f32: Float32Array, i32: Int32Array, u8: Uint8Array };
  function revive(v) {
    if (Array.isArray(v)) return v.map(revive);
    if (v !== null && typeof v === 'object') {
      if (typeof v.$t === 'string' && typeof v.b === 'string') {
        var s = atob(v.b);
        var bytes = new Uint8Array(s.length);
        for (var i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
        return new TYPES[v.$t](bytes.buffer);
      }
      var o = {};
      Object.keys(v).forEach(function (k) { o[k] = revive(v[k]); });
      return o;
    }
    return v;
  }
  var data = revive(JSON.parse(document.getElementById('report-data').textContent));
  var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  function fmt(v) {
    if (v === null || v === undefined) return '-';
    if (typeof v === 'string') return v;
    if (v !== v) return 'nan';
    if (!isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  }
  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function day(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function gap(v) { return v === v && isFinite(v) ? v : null; }
  var charts = [];
  function mount(el, option) {
    var c = echarts.init(el, null, { renderer: 'canvas' });
    c.on('finished', function () { el.setAttribute('data-rendered', '1'); });
    c.setOption(Object.assign({ animation: false }, option));
    charts.push(c);
    return c;
  }
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  function one(kind) { return document.querySelector('[data-chart="' + kind + '"]'); }
  function bands(windows) {
    return { silent: true, itemStyle: { opacity: 0.12 }, label: { position: 'insideTop' },
      data: windows.map(function (w, i) { return [{ name: w.name, xAxis: w.from, itemStyle: { color: PALETTE[i % PALETTE.length] } }, { xAxis: w.to }]; }) };
  }
  function timeAxis() { return { type: 'time' }; }
  var zoom = [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 4 }];

  function pareto(p) {
    var el = one('pareto');
    if (el === null) return;
    var sx = document.getElementById('pareto-x'), sy = document.getElementById('pareto-y');
    var objectiveNames = p.objectives.map(function (o) { return o.metric; });
    var names = objectiveNames.concat(p.metricNames.filter(function (m) { return objectiveNames.indexOf(m) < 0; }));
    [sx, sy].forEach(function (s) {
      names.forEach(function (m) {
        var o = document.createElement('option');
        var j = objectiveNames.indexOf(m);
        o.value = m;
        o.textContent = j >= 0 ? m + ' (' + p.objectives[j].direction + ')' : m;
        s.appendChild(o);
      });
    });
    sx.value = names[0];
    sy.value = names[Math.min(1, names.length - 1)];
    var bestRow = -1;
    for (var i = 0; i < p.ids.length; i++) if (p.ids[i] === p.bestId) bestRow = i;
    function candidate(i) {
      var lines = ['<b>candidate ' + p.ids[i] + '</b> (' + esc(p.families[p.family[i]] || '-') + ')',
        'feasible: ' + (p.feasible[i] === 2 ? 'not ranked' : p.feasible[i] === 1 ? 'yes' : 'no') + (p.frontRank[i] >= 0 ? ', front ' + p.frontRank[i] : '')];
      var params = p.params.filter(function (c) { return c.values[i] === c.values[i]; }).map(function (c) {
        var v = c.values[i];
        return esc(c.name) + '=' + esc(c.choices !== null ? String(c.choices[v]) : fmt(v));
      });
      lines.push('<i>parameters</i>: ' + params.join(', '));
      lines.push('<i>metrics</i>: ' + p.metricNames.map(function (m, j) { return esc(m) + '=' + fmt(p.metrics[j][i]); }).join(', '));
      return '<div style="max-width:520px;white-space:normal">' + lines.join('<br>') + '</div>';
    }
    var chart = mount(el, {});
    function draw() {
      var X = p.metrics[p.metricNames.indexOf(sx.value)], Y = p.metrics[p.metricNames.indexOf(sy.value)];
      var groups = { front: [], feasible: [], infeasible: [], unranked: [], best: [] };
      var n = 0;
      for (var i = 0; i < p.ids.length; i++) {
        var x = X[i], y = Y[i];
        if (!(isFinite(x) && isFinite(y))) continue;
        n++;
        var g = i === bestRow ? 'best' : p.feasible[i] === 2 ? 'unranked' : p.feasible[i] === 0 ? 'infeasible' : p.frontRank[i] === 0 ? 'front' : 'feasible';
        groups[g].push([x, y, i]);
      }
      function bulk(name, key, color) {
        return { name: name, type: 'scatter', large: true, largeThreshold: 2000, symbolSize: 4, itemStyle: { color: color }, data: groups[key] };
      }
      chart.setOption({
        tooltip: { trigger: 'item', confine: true, formatter: function (a) { return candidate(a.value[2]); } },
        legend: { top: 0 },
        grid: { left: 70, right: 30, top: 36, bottom: 50 },
        xAxis: { type: 'value', name: sx.value, nameLocation: 'middle', nameGap: 28, scale: true, axisLine: { onZero: false } },
        yAxis: { type: 'value', name: sy.value, nameLocation: 'middle', nameGap: 55, scale: true, axisLine: { onZero: false } },
        dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }, { type: 'inside', yAxisIndex: 0, filterMode: 'none' }],
        series: [
          bulk('infeasible', 'infeasible', '#b9bec8'),
          bulk('not ranked', 'unranked', '#8da0cb'),
          bulk('feasible', 'feasible', '#7fb3e0'),
          bulk('front 0', 'front', '#1f5fa8'),
          { name: p.adopted ? 'best (adopted)' : 'best', type: 'scatter', symbol: 'diamond', symbolSize: 16, z: 10, itemStyle: { color: '#d62728', borderColor: '#000' }, data: groups.best }
        ]
      }, { replaceMerge: ['series'] });
      el.setAttribute('data-points', String(n));
    }
    sx.addEventListener('change', draw);
    sy.addEventListener('change', draw);
    draw();
  }

  function convergence(c) {
    var el = one('convergence');
    if (el === null) return;
    var best = [], hv = [];
    for (var k = 0; k < c.evaluated.length; k++) {
      best.push([c.evaluated[k], gap(c.best[k])]);
      hv.push([c.evaluated[k], gap(c.hypervolume[k])]);
    }
    mount(el, {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 70, right: 80, top: 36, bottom: 40 },
      xAxis: { type: 'value', name: 'candidates', nameLocation: 'middle', nameGap: 26 },
      yAxis: [{ type: 'value', name: 'best ' + c.primary, scale: true }, { type: 'value', name: 'hypervolume', scale: true }],
      series: [
        { name: 'best ' + c.primary, type: 'line', step: 'end', showSymbol: c.evaluated.length < 60, data: best },
        { name: 'hypervolume (' + c.pair.join(', ') + ')', type: 'line', yAxisIndex: 1, showSymbol: c.evaluated.length < 60, data: hv }
      ]
    });
  }

  function equity(e) {
    var el = one('equity');
    if (el === null) return;
    var eq = [], bh = [], dd = [];
    for (var t = 0; t < e.time.length; t++) {
      eq.push([e.time[t], e.equity[t]]);
      bh.push([e.time[t], e.buyHold[t]]);
      dd.push([e.time[t], -100 * e.drawdown[t]]);
    }
    mount(el, {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 80, right: 30, top: 36, bottom: 56 },
      xAxis: timeAxis(), yAxis: { type: 'value', scale: true, name: 'equity' }, dataZoom: zoom,
      series: [
        { name: 'candidate ' + e.candidate_id, type: 'line', showSymbol: false, sampling: 'lttb', data: eq, markArea: bands(e.windows) },
        { name: 'buy and hold', type: 'line', showSymbol: false, sampling: 'lttb', lineStyle: { type: 'dashed' }, data: bh }
      ]
    });
    var del = one('drawdown');
    if (del !== null) {
      mount(del, {
        tooltip: { trigger: 'axis' },
        grid: { left: 80, right: 30, top: 20, bottom: 56 },
        xAxis: timeAxis(), yAxis: { type: 'value', name: 'drawdown %', max: 0 }, dataZoom: zoom,
        series: [{ name: 'drawdown %', type: 'line', showSymbol: false, sampling: 'lttb', areaStyle: { opacity: 0.3 }, color: '#e15759', data: dd, markArea: bands(e.windows) }]
      });
    }
  }

  function regimes(r) {
    var el = one('regimes');
    if (el === null) return;
    var close = [];
    for (var t = 0; t < r.time.length; t++) close.push([r.time[t], r.close[t]]);
    var areas = r.segments.map(function (s) {
      return [{ xAxis: r.time[s.start], itemStyle: { color: PALETTE[s.key % PALETTE.length], opacity: 0.25 } }, { xAxis: r.time[s.end] }];
    });
    var legend = r.keys.map(function (k, i) { return { name: k, type: 'line', data: [], color: PALETTE[i % PALETTE.length] }; });
    mount(el, {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 80, right: 30, top: 36, bottom: 56 },
      xAxis: timeAxis(), yAxis: { type: 'value', scale: true, name: 'close' }, dataZoom: zoom,
      series: [{ name: r.ticker, type: 'line', showSymbol: false, sampling: 'lttb', color: '#1d2330', data: close, markArea: { silent: true, data: areas } }].concat(legend)
    });
  }

  function trials(list) {
    var el = one('trials');
    if (el === null) return;
    function of(kind) { return list.filter(function (p) { return p.kind === kind; }).map(function (p) { return [p.trial, p.score]; }); }
    mount(el, {
      tooltip: { trigger: 'item', formatter: function (a) { return 'trial ' + a.value[0] + ' (' + a.seriesName + '): ' + fmt(a.value[1]); } },
      legend: { top: 0 },
      xAxis: { type: 'value', name: 'trial' }, yAxis: { type: 'value', name: 'score', scale: true },
      series: [{ name: 'explore', type: 'scatter', data: of('explore') }, { name: 'exploit', type: 'scatter', data: of('exploit') }]
    });
  }

  function paper(sessions) {
    document.querySelectorAll('[data-chart="paper"]').forEach(function (el) {
      var s = sessions[Number(el.getAttribute('data-session'))];
      var pts = [];
      for (var k = 0; k < s.realizedTime.length; k++) pts.push([s.realizedTime[k], s.realizedPnl[k]]);
      mount(el, {
        tooltip: { trigger: 'axis' },
        grid: { left: 80, right: 30, top: 20, bottom: 40 },
        xAxis: timeAxis(), yAxis: { type: 'value', name: 'realized PnL', scale: true },
        series: [{ name: 'cumulative realized PnL', type: 'line', step: 'end', data: pts }]
      });
    });
  }

  function runs(list) {
    var el = one('runs');
    if (el === null) return;
    var shown = list.filter(function (r) { return r.best !== null && isFinite(r.best); });
    mount(el, {
      tooltip: { trigger: 'item', formatter: function (a) { var r = shown[a.dataIndex]; return esc(r.run_id) + '<br>' + esc(r.primary_objective || '') + ' ' + fmt(r.best); } },
      grid: { left: 70, right: 30, top: 20, bottom: 60 },
      xAxis: { type: 'category', data: shown.map(function (r) { return r.run_id.slice(0, 8); }) },
      yAxis: { type: 'value', name: 'best', scale: true },
      series: [{ type: 'bar', data: shown.map(function (r) { return { value: r.best, itemStyle: { color: r.adopted ? '#59a14f' : '#b9bec8' } }; }) }]
    });
  }

  if (data.page === 'runs') runs(data.runs);
  else {
    if (data.pareto) pareto(data.pareto);
    if (data.convergence) convergence(data.convergence);
    if (data.equity) equity(data.equity);
    if (data.regimes) regimes(data.regimes);
    if (data.trials) trials(data.trials);
    if (data.paper) paper(data.paper);
  }
})();
`;
