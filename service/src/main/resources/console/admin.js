// The platform admin's views: the platform (totals and organizations, pick one to view), and the
// database health report.
import {reader, session} from './api.js';
import {h, table, num, time, frame} from './dom.js';

export function platformView(ctx) {
  const read = reader();
  const f = frame(ctx, 'Platform');
  const choose = org => { session.org = org; ctx.go('dashboard'); };
  return {
    fail: f.fail,
    async refresh() {
      const dash = await read('/dashboard', {});
      const orgs = await read('/orgs', {limit: 100});
      if (!dash.changed && !orgs.changed) return;
      const d = dash.body;
      const current = session.org;
      f.show(
        h('section', {class: 'cards', 'aria-label': 'Platform totals'},
          h('section', {class: 'card'}, h('h2', {}, 'VMs'), h('p', {class: 'big', 'data-testid': 'platform-vms'}, num(d.vms.total))),
          h('section', {class: 'card'}, h('h2', {}, 'Allocated CPU'), h('p', {class: 'big'}, num(d.allocated.cpu_cores) + ' cores')),
          h('section', {class: 'card'}, h('h2', {}, 'Nodes in use'), h('p', {class: 'big'}, num(d.nodes_in_use))),
          h('section', {class: 'card'}, h('h2', {}, 'Created last 24 h'), h('p', {class: 'big'}, num(d.created_last_24h)))),
        h('p', {}, current ? ['Viewing organization ', h('strong', {}, current.name), ' ',
          h('button', {type: 'button', onclick: () => { session.org = null; ctx.rerender(); }}, 'Back to the whole platform')]
          : 'Viewing the whole platform. Open an organization to see its VMs and monitoring.'),
        table('Organizations', ['Id', 'Name', 'Created', ''], orgs.body.items.map(o => [o.id, o.name, time(o.created_at),
          h('button', {type: 'button', 'data-org': o.name, onclick: () => choose({id: o.id, name: o.name}),
            'aria-label': 'Open organization ' + o.name}, 'Open')]), {id: 'org-table'}));
    },
  };
}

/** Renders the health report generically: each section a table (list of rows) or a list of values. */
export function dbView(ctx) {
  const read = reader();
  const f = frame(ctx, 'Database health');
  return {
    fail: f.fail,
    async refresh() {
      const {body, changed} = await read('/admin/db/health', {});
      if (!changed) return;
      f.show(...Object.entries(body).map(([name, value]) => section(name, value)));
    },
  };
}

function section(name, value) {
  const title = name.replace(/_/g, ' ');
  if (Array.isArray(value)) {
    if (!value.length || typeof value[0] !== 'object') {
      return h('section', {class: 'health', 'data-section': name}, h('h2', {}, title),
        value.length ? h('ul', {}, value.map(v => h('li', {}, String(v)))) : h('p', {}, 'none'));
    }
    const cols = Object.keys(value[0]);
    return h('section', {class: 'health', 'data-section': name},
      table(title, cols.map(c => c.replace(/_/g, ' ')), value.slice(0, 50).map(r => cols.map(c => cell(r[c])))));
  }
  if (value && typeof value === 'object') {
    return h('section', {class: 'health', 'data-section': name}, h('h2', {}, title),
      h('dl', {}, Object.entries(value).flatMap(([k, v]) => [h('dt', {}, k.replace(/_/g, ' ')), h('dd', {}, cell(v))])));
  }
  return h('section', {class: 'health', 'data-section': name}, h('h2', {}, title), h('p', {}, cell(value)));
}

function cell(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return num(v, 3);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
