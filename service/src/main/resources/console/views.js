// The organization views: dashboard, VM list, monitoring, node capacity, charts. Each view builds
// its form once and returns refresh(), which the shell calls every second; results are redrawn
// only when the service sends a new body (200, not 304).
import {reader, orgParams, session} from './api.js';
import {h, field, select, table, bar, num, pct, bytesPerSecond, time, frame, filterForm, pager} from './dom.js';
import {chartsView} from './charts.js';
import {platformView, dbView} from './admin.js';

export const VM_STATES = ['pending', 'running', 'stopped', 'paused', 'migrating', 'error'];

function needsOrg(ctx, title) {
  frame(ctx, title).show(h('p', {}, 'Choose an organization on the ', h('a', {href: '#/platform'}, 'Platform'), ' page first.'));
  return {refresh: async () => {}};
}

function chartLink(scope, id, text) {
  return h('a', {href: `#/charts?scope=${scope}&id=${id}`}, text);
}

function dashboard(ctx) {
  const read = reader();
  const platform = session.isAdmin && !session.org;
  const f = frame(ctx, platform ? 'Platform dashboard' : 'Dashboard');
  return {
    fail: f.fail,
    async refresh() {
      const {body: d, changed} = await read('/dashboard', orgParams({}));
      if (!changed) return;
      const card = (title, ...content) => h('section', {class: 'card', 'aria-label': title}, h('h2', {}, title), ...content);
      const res = r => h('dl', {}, h('dt', {}, 'CPU'), h('dd', {}, num(r.cpu_cores) + ' cores'),
        h('dt', {}, 'Memory'), h('dd', {}, num(r.memory_mb / 1024, 1) + ' GiB'),
        h('dt', {}, 'Disk'), h('dd', {}, num(r.disk_gb) + ' GB'));
      f.show(h('div', {class: 'cards'},
        card('VMs', h('p', {class: 'big', 'data-testid': 'vm-total'}, num(d.vms.total)),
          h('dl', {class: 'states'}, VM_STATES.flatMap(s => [h('dt', {}, s), h('dd', {'data-state': s}, num(d.vms.by_state[s] || 0))]))),
        card('Allocated', res(d.allocated)),
        card('Running', res(d.running)),
        card('Usage (5 min avg)', h('dl', {},
          h('dt', {}, 'CPU'), h('dd', {}, pct(d.cpu_usage_avg_5m)),
          h('dt', {}, 'Memory'), h('dd', {}, pct(d.memory_usage_avg_5m)))),
        card('Fleet', h('dl', {},
          h('dt', {}, 'Nodes in use'), h('dd', {}, num(d.nodes_in_use)),
          h('dt', {}, 'Owners'), h('dd', {}, num(d.owners)),
          h('dt', {}, 'Created last 24 h'), h('dd', {}, num(d.created_last_24h))))),
        h('p', {class: 'asof'}, 'Computed at ', time(d.as_of)));
    },
  };
}

const VM_SORTS = [['-created_at', 'Newest first'], ['created_at', 'Oldest first'], ['name', 'Name A–Z'], ['-name', 'Name Z–A'],
  ['-cpu_cores', 'Most CPU'], ['cpu_cores', 'Least CPU'], ['-memory_mb', 'Most memory'], ['memory_mb', 'Least memory']];

function vms(ctx) {
  const read = reader();
  if (!session.org) return needsOrg(ctx, 'VMs');
  const p = ctx.params;
  const states = new Set(p.getAll('state'));
  const stateBoxes = h('fieldset', {class: 'states'}, h('legend', {}, 'State'),
    VM_STATES.map(s => h('label', {}, h('input', {type: 'checkbox', name: 'state', value: s, checked: states.has(s)}), ' ' + s)));
  const form = filterForm(ctx, 'vms', 'VM filters', [
    stateBoxes,
    field('Name contains', h('input', {name: 'q', value: p.get('q') || '', type: 'search'})),
    field('Tags (all must match, space-separated)', h('input', {name: 'tags', value: p.getAll('tag').join(' '), placeholder: 'env:prod'})),
    field('Node id', h('input', {name: 'node_id', value: p.get('node_id') || '', inputmode: 'numeric'})),
    field('Owner id', h('input', {name: 'owner_id', value: p.get('owner_id') || '', inputmode: 'numeric'})),
    field('Sort', select('sort', VM_SORTS, p.get('sort') || '-created_at')),
    field('Per page', select('limit', [[10, 10], [25, 25], [50, 50], [100, 100]], p.get('limit') || 25)),
  ], params => {
    const tags = (params.tags || []).join(' ').split(/[\s,]+/).filter(Boolean);
    delete params.tags;
    return {tag: tags};
  });
  const f = frame(ctx, 'VMs', form);
  return {
    fail: f.fail,
    async refresh() {
      const q = {};
      for (const k of ['state', 'tag', 'q', 'node_id', 'owner_id', 'sort', 'cursor', 'created_after', 'created_before']) {
        const v = p.getAll(k);
        if (v.length) q[k] = v;
      }
      q.limit = p.get('limit') || 25;
      const {body, changed} = await read('/vms', orgParams(q));
      if (!changed) return;
      f.show(table('VMs', ['Name', 'State', 'CPU', 'Memory', 'Disk', 'Node', 'Tags', 'Created'],
        body.items.map(v => ({attrs: {'data-vm': v.id}, cells: [chartLink('vm', v.id, v.name), h('span', {class: 'state ' + v.state}, v.state),
          num(v.cpu_cores), num(v.memory_mb) + ' MB', num(v.disk_gb) + ' GB', v.node_id ?? '–',
          ((v.metadata && v.metadata.tags) || []).join(' '), time(v.created_at)]})), {id: 'vm-table'}),
        pager(ctx, 'vms', body, 'VM list'));
    },
  };
}

const MON_SORTS = [['-cpu_usage', 'Highest CPU'], ['-memory_usage', 'Highest memory'], ['name', 'Name']];

function monitoring(ctx) {
  const read = reader();
  const p = ctx.params;
  const showVms = Boolean(session.org);
  const controls = [
    showVms ? field('VM state', select('state', [['', 'any'], ...VM_STATES.map(s => [s, s])], p.get('state'))) : null,
    field('Minimum CPU %', h('input', {name: 'min_cpu', value: p.get('min_cpu') || '', inputmode: 'decimal'})),
    field('Sort', select('sort', MON_SORTS, p.get('sort') || '-cpu_usage')),
  ];
  const f = frame(ctx, 'Monitoring', filterForm(ctx, 'monitoring', 'Monitoring filters', controls),
    h('p', {class: 'hint'}, 'Latest sample per VM and node; a series with no sample in the last 3 intervals is marked stale.'));
  const sample = s => [pct(s.cpu_usage), pct(s.memory_usage)];
  const staleCell = it => it.stale ? h('span', {class: 'badge stale'}, 'stale') : h('span', {class: 'badge fresh'}, 'live');
  return {
    fail: f.fail,
    async refresh() {
      const base = {sort: p.get('sort') || '-cpu_usage', min_cpu: p.get('min_cpu'), limit: 20};
      const parts = [];
      let changed = false;
      if (showVms) {
        const r = await read('/monitoring/vms', orgParams({...base, state: p.get('state'), cursor: p.get('cursor')}));
        changed ||= r.changed;
        parts.push(table('Top VMs by usage', ['VM', 'State', 'CPU', 'Memory', 'Disk read', 'Disk write', 'Net rx', 'Net tx', 'Sample', 'Series'],
          r.body.items.map(v => ({attrs: {class: v.stale ? 'is-stale' : ''}, cells: [chartLink("vm", v.vm_id, v.name), v.state, ...sample(v),
            bytesPerSecond(v.disk_read_bps), bytesPerSecond(v.disk_write_bps), bytesPerSecond(v.net_rx_bps), bytesPerSecond(v.net_tx_bps),
            time(v.ts), staleCell(v)]})), {id: 'monitoring-vms'}), pager(ctx, 'monitoring', r.body, 'VM monitoring'));
      }
      if (session.isAdmin) {
        const r = await read('/monitoring/nodes', base);
        changed ||= r.changed;
        parts.push(table('Top nodes by usage', ['Node', 'Zone', 'State', 'CPU', 'Memory', 'Disk', 'Load 1m', 'Net rx', 'Net tx', 'Sample', 'Series'],
          r.body.items.map(n => ({attrs: {class: n.stale ? 'is-stale' : ''}, cells: [chartLink("node", n.node_id, n.name), n.zone, n.state, ...sample(n),
            pct(n.disk_usage), num(n.load_1m, 2), bytesPerSecond(n.net_rx_bps), bytesPerSecond(n.net_tx_bps), time(n.ts), staleCell(n)]})),
          {id: 'monitoring-nodes'}));
      }
      if (changed) f.show(...parts);
    },
  };
}

function capacity(ctx) {
  const read = reader();
  const p = ctx.params;
  const f = frame(ctx, 'Node capacity', filterForm(ctx, 'capacity', 'Capacity filters', [
    field('Zone', h('input', {name: 'zone', value: p.get('zone') || ''})),
    field('State', select('state', [['', 'any'], ['online', 'online'], ['maintenance', 'maintenance'], ['offline', 'offline']], p.get('state'))),
    h('fieldset', {class: 'fits'}, h('legend', {}, 'Fits a VM of size'),
      field('CPU cores', h('input', {name: 'fits_cpu', value: p.get('fits_cpu') || '', inputmode: 'numeric'})),
      field('Memory MB', h('input', {name: 'fits_memory_mb', value: p.get('fits_memory_mb') || '', inputmode: 'numeric'})),
      field('Disk GB', h('input', {name: 'fits_disk_gb', value: p.get('fits_disk_gb') || '', inputmode: 'numeric'}))),
    field('Sort', select('sort', [['-free_cpu', 'Most free CPU'], ['-free_memory_mb', 'Most free memory']], p.get('sort'))),
  ]));
  return {
    fail: f.fail,
    async refresh() {
      const q = {limit: 50};
      for (const k of ['zone', 'state', 'fits_cpu', 'fits_memory_mb', 'fits_disk_gb', 'sort', 'cursor']) if (p.get(k)) q[k] = p.get(k);
      const {body, changed} = await read('/nodes/capacity', q);
      if (!changed) return;
      const t = body.totals || {};
      f.show(
        t.capacity ? h('p', {class: 'totals'}, `Matching nodes: ${num(t.nodes ?? body.total)} · `,
          bar(t.allocated.cpu_cores, t.capacity.cpu_cores, 'cores')) : null,
        table('Nodes by free capacity', ['Node', 'Zone', 'State', 'CPU', 'Memory', 'Disk', 'VMs', 'CPU use', 'Mem use'],
          body.items.map(n => [chartLink('node', n.node_id, n.name), n.zone, n.state,
            bar(n.allocated.cpu_cores, n.capacity.cpu_cores, 'cores'),
            bar(n.allocated.memory_mb, n.capacity.memory_mb, 'MB'),
            bar(n.allocated.disk_gb, n.capacity.disk_gb, 'GB'),
            num(n.vm_count), pct(n.cpu_usage), pct(n.memory_usage)]), {id: 'capacity-table'}),
        pager(ctx, 'capacity', body, 'Capacity'));
    },
  };
}

export const views = {
  dashboard,
  vms,
  monitoring,
  capacity: ctx => session.isAdmin ? capacity(ctx) : needsAdmin(ctx, 'Node capacity'),
  charts: chartsView,
  platform: ctx => session.isAdmin ? platformView(ctx) : needsAdmin(ctx, 'Platform'),
  db: ctx => session.isAdmin ? dbView(ctx) : needsAdmin(ctx, 'DB health'),
};

function needsAdmin(ctx, title) {
  frame(ctx, title).show(h('p', {}, 'This page needs the platform admin token.'));
  return {refresh: async () => {}};
}
