// Charts of one VM, one node or the whole organization over a window, with step and aggregate
// pickers, drawn by uPlot. The window's end is rounded up to 5 s so that the polls within those
// seconds ask the same URL and get 304 unless a sample arrived.
import uPlot from './uPlot.esm.js';
import {reader, session} from './api.js';
import {h, field, select, frame, num} from './dom.js';

const VM_METRICS = ['cpu_usage', 'memory_usage', 'disk_read_bps', 'disk_write_bps', 'net_rx_bps', 'net_tx_bps'];
const NODE_METRICS = ['cpu_usage', 'memory_usage', 'disk_usage', 'load_1m', 'net_rx_bps', 'net_tx_bps'];
const WINDOWS = [['15m', '15 minutes', 900], ['1h', '1 hour', 3600], ['6h', '6 hours', 21600], ['24h', '24 hours', 86400],
  ['3d', '3 days', 259200], ['7d', '7 days', 604800]];
const STEPS = ['auto', 'raw', '1m', '5m', '1h', '1d'];
const AGGS = ['avg', 'min', 'max', 'p95', 'sum', 'count'];
const COLORS = ['#1f5fa8', '#c0392b', '#2e8b57', '#8e44ad', '#d35400', '#555'];

export function chartsView(ctx) {
  const read = reader();
  const p = ctx.params;
  const scopes = session.isAdmin ? ['node', 'vm', 'org'] : ['org', 'vm'];
  const scope = scopes.includes(p.get('scope')) ? p.get('scope') : scopes[0];
  const metrics = scope === 'node' ? NODE_METRICS : VM_METRICS;
  const metric = metrics.includes(p.get('metric')) ? p.get('metric') : 'cpu_usage';
  const win = WINDOWS.find(w => w[0] === p.get('window')) || WINDOWS[2];
  const step = STEPS.includes(p.get('step')) ? p.get('step') : 'auto';
  const aggs = p.getAll('agg').filter(a => AGGS.includes(a));
  if (!aggs.length) aggs.push('avg', 'max');

  const form = h('form', {class: 'filters', 'aria-label': 'Chart settings'},
    field('Scope', select('scope', scopes.map(s => [s, s === 'org' ? 'organization' : s]), scope)),
    scope === 'org' ? null : field(scope === 'vm' ? 'VM id' : 'Node id', h('input', {name: 'id', value: p.get('id') || '', inputmode: 'numeric'})),
    field('Metric', select('metric', metrics.map(m => [m, m]), metric)),
    field('Window', select('window', WINDOWS.map(w => [w[0], w[1]]), win[0])),
    field('Step', select('step', STEPS.map(s => [s, s]), step)),
    h('fieldset', {class: 'aggs'}, h('legend', {}, 'Aggregates'),
      AGGS.map(a => h('label', {}, h('input', {type: 'checkbox', name: 'agg', value: a, checked: aggs.includes(a)}), ' ' + a))),
    h('button', {type: 'submit'}, 'Apply'));
  const submit = () => {
    const params = {};
    for (const [k, v] of new FormData(form)) if (v !== '') (params[k] ||= []).push(v);
    if (params.scope && params.scope[0] !== scope) delete params.id; // an id belongs to its scope
    ctx.go('charts', params);
  };
  form.addEventListener('submit', ev => { ev.preventDefault(); submit(); });
  form.addEventListener('change', ev => { if (ev.target.name !== 'id') submit(); });

  const f = frame(ctx, 'Charts', form);
  const figure = h('figure', {class: 'chart'});
  const caption = h('figcaption', {id: 'chart-caption'});
  const plotBox = h('div', {class: 'plot', role: 'img', 'aria-labelledby': 'chart-caption'});
  figure.append(plotBox, caption);
  let plot = null;
  let id = p.get('id');

  async function pickDefault() {
    if (scope === 'org' || (scope === 'vm' && session.isAdmin && !id)) {
      if (!session.org) return null; // the admin names an organization first
      if (scope === 'org') return session.org.id;
    }
    if (id) return id;
    const r = scope === 'vm'
      ? await read('/monitoring/vms', {limit: 1, ...(session.isAdmin && session.org ? {org_id: session.org.id} : {})})
      : await read('/nodes/capacity', {limit: 1});
    const first = r.body.items[0];
    return first ? (first.vm_id ?? first.node_id) : null;
  }

  function draw(body) {
    const xs = new Map();
    for (const s of body.series) for (const [ts] of s.points) xs.set(seconds(ts), true);
    const times = [...xs.keys()].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const data = [times];
    for (const s of body.series) {
      const ys = new Array(times.length).fill(null);
      for (const [ts, v] of s.points) ys[index.get(seconds(ts))] = v;
      data.push(ys);
    }
    const label = `${metric} of ${scope === 'org' ? 'the organization' : scope + ' ' + body.id}, last ${win[1]}, step ${body.step}`;
    const last = body.series.map(s => s.points.length ? `${s.agg} ${num(s.points[s.points.length - 1][1], 2)}` : `${s.agg} –`);
    caption.textContent = `${label}: ${times.length} points${times.length ? '; latest ' + last.join(', ') : '; no samples in this window'}.`;
    const width = Math.max(320, plotBox.clientWidth || figure.clientWidth || 800);
    const opts = {
      width, height: 320,
      series: [{}, ...body.series.map((s, i) => ({label: s.agg, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false}))],
      axes: [{}, {size: 70}],
      scales: {x: {time: true}},
    };
    if (plot && plot.series.length === data.length) {
      plot.setData(data);
    } else {
      if (plot) plot.destroy();
      plot = new uPlot(opts, data, plotBox);
    }
    figure.dataset.points = String(times.length);
    figure.dataset.step = body.step;
  }

  return {
    fail: f.fail,
    async refresh() {
      if (id === null || id === undefined || id === '') id = await pickDefault();
      if (id === null || id === undefined) {
        f.show(h('p', {}, scope !== 'node' && !session.org ? 'Choose an organization on the Platform page first.' : 'Nothing to chart yet.'));
        return;
      }
      const to = Math.ceil(Date.now() / 5000) * 5000;
      const {body, changed} = await read('/metrics/query', {scope, id: scope === 'org' && !session.isAdmin ? undefined : id,
        metric, agg: aggs, step, from: new Date(to - win[2] * 1000).toISOString(), to: new Date(to).toISOString()});
      if (!f.results.contains(figure)) f.show(figure);
      if (changed || !plot) draw(body);
    },
  };
}

function seconds(ts) {
  return (typeof ts === 'number' ? ts : Date.parse(ts)) / 1000;
}
