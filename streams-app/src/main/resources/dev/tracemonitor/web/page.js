// The monitoring page. Every text from the tables is put in the document with textContent or as an SVG attribute,
// never as markup: trace text is untrusted input.
'use strict';

const COLORS = ['#0b5cad', '#c2410c', '#15803d', '#7c3aed', '#be123c', '#0e7490', '#a16207', '#4d7c0f'];
const SVG = 'http://www.w3.org/2000/svg';
const W = 800, H = 260, LEFT = 44, RIGHT = 12, TOP = 10, BOTTOM = 28;

const $ = id => document.getElementById(id);

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}

function time(ms) {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

async function getJson(path, params) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params || {})) url.searchParams.set(k, v);
  const response = await fetch(url, {headers: {'Accept': 'application/json'}});
  if (!response.ok) throw new Error(path + ': ' + response.status + ' ' + (await response.text()));
  return response.json();
}

function status(text) {
  $('status').textContent = text;
}

function currentRange() {
  const choice = $('range').value;
  if (choice === 'custom') {
    const from = Date.parse($('from').value + 'Z');
    const to = Date.parse($('to').value + 'Z');
    if (isNaN(from) || isNaN(to)) throw new Error('choose both ends of the range (UTC)');
    return {from, to};
  }
  const to = Date.now() + 1;
  return {from: to - Number(choice), to};
}

function renderCounts(counts) {
  const dl = $('counts');
  dl.replaceChildren();
  const rows = [
    ['Traces requested', counts.traces_requested, 'traces-requested'],
    ['Traces sampled', counts.traces_sampled, 'traces-sampled'],
    ['Assessments', counts.assessments, 'assessments'],
    ['Dead-lettered (this instance, all monitors)', counts.dead_lettered, 'dead-lettered'],
  ];
  for (const [label, value, id] of rows) {
    dl.append(el('dt', label));
    const dd = el('dd', value);
    dd.id = 'count-' + id;
    dl.append(dd);
  }
}

function renderChart(summary) {
  const chart = $('chart');
  const legend = $('legend');
  chart.replaceChildren();
  legend.replaceChildren();
  const root = svg('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'pass rate per judge and window'});
  const x = t => LEFT + (t - summary.from) / (summary.to - summary.from) * (W - LEFT - RIGHT);
  const y = r => TOP + (1 - r) * (H - TOP - BOTTOM);
  for (const r of [0, 0.25, 0.5, 0.75, 1]) {
    root.append(svg('line', {x1: LEFT, x2: W - RIGHT, y1: y(r), y2: y(r), class: r === 0 ? 'axis' : 'grid'}));
    const label = svg('text', {x: LEFT - 6, y: y(r) + 4, 'text-anchor': 'end'});
    label.textContent = Math.round(r * 100) + '%';
    root.append(label);
  }
  for (const [t, anchor] of [[summary.from, 'start'], [summary.to, 'end']]) {
    const label = svg('text', {x: x(t), y: H - 8, 'text-anchor': anchor});
    label.textContent = time(t);
    root.append(label);
  }
  summary.judges.forEach((judge, i) => {
    const color = COLORS[i % COLORS.length];
    const mark = el('i');
    mark.style.background = color;
    const entry = el('span');
    entry.append(mark, document.createTextNode(judge.judge));
    legend.append(entry);
    const g = svg('g', {class: 'series', 'data-judge': judge.judge});
    const middle = p => p.window_start + summary.window_ms / 2;
    g.append(svg('polyline', {stroke: color,
      points: judge.points.map(p => x(middle(p)).toFixed(1) + ',' + y(p.rate).toFixed(1)).join(' ')}));
    for (const p of judge.points) {
      const c = svg('circle', {cx: x(middle(p)).toFixed(1), cy: y(p.rate).toFixed(1), r: 3.5, fill: color,
        class: 'point', 'data-judge': judge.judge, 'data-window-start': p.window_start, 'data-passed': p.passed,
        'data-total': p.total, 'data-rate': p.rate});
      const title = svg('title');
      title.textContent = `${judge.judge} ${time(p.window_start)}: ${p.passed}/${p.total} passed`;
      c.append(title);
      g.append(c);
    }
    root.append(g);
  });
  if (summary.judges.length === 0) legend.append(el('span', 'No yes/no Assessments in this range.'));
  chart.append(root);
}

function traceButton(traceId) {
  const b = el('button', traceId, 'link');
  b.type = 'button';
  b.dataset.traceId = traceId;
  b.addEventListener('click', () => { window.location.hash = 'trace=' + encodeURIComponent(traceId); });
  return b;
}

function renderFailing(failing) {
  const body = $('failing').tBodies[0];
  body.replaceChildren();
  for (const a of failing) {
    const tr = el('tr');
    tr.className = 'failing-row';
    tr.dataset.traceId = a.trace_id;
    tr.dataset.judge = a.judge;
    const traceCell = el('td');
    traceCell.append(traceButton(a.trace_id));
    tr.append(el('td', time(a.create_time)), traceCell, el('td', a.judge, 'judge'),
      el('td', a.rationale, 'text rationale'), el('td', a.request, 'text request'), el('td', a.response, 'text response'));
    body.append(tr);
  }
  if (failing.length === 0) {
    const tr = el('tr');
    const td = el('td', 'No failing Assessments in this range.');
    td.colSpan = 6;
    tr.append(td);
    body.append(tr);
  }
}

async function showTrace(traceId) {
  const experiment = $('monitor').value;
  const trace = await getJson('/api/trace', {experiment_id: experiment, trace_id: traceId});
  $('trace').hidden = false;
  $('trace-id').textContent = trace.traceId;
  const info = $('trace-info');
  info.replaceChildren(el('dt', 'Requested'), el('dd', time(trace.requestTimeMillis)), el('dt', 'State'),
    el('dd', trace.state), el('dt', 'Duration (ms)'), el('dd', trace.executionDurationMs));
  $('trace-request').textContent = trace.request ?? '';
  $('trace-response').textContent = trace.response ?? '';
  const depth = new Map();
  const parents = new Map(trace.spans.map(s => [s.spanId, s.parentSpanId]));
  const depthOf = id => {
    if (depth.has(id)) return depth.get(id);
    depth.set(id, 0);
    const parent = parents.get(id);
    const d = parent && parents.has(parent) ? depthOf(parent) + 1 : 0;
    depth.set(id, d);
    return d;
  };
  const spans = $('trace-spans').tBodies[0];
  spans.replaceChildren();
  for (const s of [...trace.spans].sort((a, b) => a.startTimeUnixNano - b.startTimeUnixNano)) {
    const tr = el('tr');
    tr.append(el('td', '  '.repeat(depthOf(s.spanId)) + s.name + ' (' + s.spanId + ')', 'text'), el('td', s.spanType),
      el('td', s.statusCode), el('td', ((s.endTimeUnixNano - s.startTimeUnixNano) / 1e6).toFixed(1)),
      el('td', s.inputs, 'text'), el('td', s.outputs, 'text'));
    spans.append(tr);
  }
  const assessments = $('trace-assessments').tBodies[0];
  assessments.replaceChildren();
  for (const a of trace.assessments) {
    const tr = el('tr');
    tr.className = 'assessment-row';
    tr.append(el('td', a.judge), el('td', a.span_id), el('td', a.value ?? a.error), el('td', a.rationale, 'text'),
      el('td', time(a.create_time)));
    assessments.append(tr);
  }
  $('trace').scrollIntoView();
}

async function refresh() {
  const experiment = $('monitor').value;
  if (!experiment) {
    status('no monitor has written a table yet');
    return;
  }
  try {
    status('loading …');
    const summary = await getJson('/api/summary', {experiment_id: experiment, ...currentRange()});
    renderCounts(summary.counts);
    renderChart(summary);
    renderFailing(summary.failing);
    document.body.dataset.loadedFrom = summary.from;
    status('updated ' + time(Date.now()));
  } catch (e) {
    status(e.message);
  }
}

async function fromHash() {
  const match = /^#trace=(.+)$/.exec(window.location.hash);
  if (match) {
    try {
      await showTrace(decodeURIComponent(match[1]));
    } catch (e) {
      status(e.message);
    }
  }
}

async function start() {
  const {monitors} = await getJson('/api/monitors');
  const select = $('monitor');
  for (const m of monitors) {
    const option = el('option', `${m.experiment_id} (${m.catalog_name}.${m.schema_name})`);
    option.value = m.experiment_id;
    select.append(option);
  }
  const wanted = new URLSearchParams(window.location.search).get('experiment_id');
  if (wanted) select.value = wanted;
  select.addEventListener('change', refresh);
  $('range').addEventListener('change', () => {
    $('custom-range').hidden = $('range').value !== 'custom';
    if ($('range').value !== 'custom') refresh();
  });
  $('apply-range').addEventListener('click', refresh);
  $('refresh').addEventListener('click', refresh);
  window.addEventListener('hashchange', fromHash);
  await refresh();
  await fromHash();
}

start().catch(e => status(e.message));
