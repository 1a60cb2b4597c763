import { formatDuration } from '../../model/duration.js';
import type { ListenReport } from '../../model/listen.js';
import { portRanges } from '../../model/text.js';
import { formatColumns } from '../shared/columns.js';
import { jsonDocument } from '../shared/json.js';

/** `aml-netcheck listen`: each port and who connected, then what to allow when a port heard no one. */
export function renderListenTable(report: ListenReport): string {
  const rows = [['PORT', 'STATE', 'CONNECTIONS', 'FROM']];
  for (const w of report.ports) {
    const from = [...new Set(w.connections.map((c) => c.from.replace(/:\d+$/, '')))].join(', ');
    rows.push([String(w.port), w.listening ? 'listened' : `not opened: ${w.error ?? ''}`, String(w.connections.length), from]);
  }
  const silent = report.ports.filter((w) => w.listening && w.connections.length === 0).map((w) => w.port);
  const cut = report.stoppedBy === null ? '' : `, cut short by ${report.stoppedBy}`;
  const lines = [`Listened on ${report.address} for ${formatDuration(report.durationMs)}${cut} (inbound-management).`, '', formatColumns(rows), ''];
  if (report.stoppedBy !== null && silent.length > 0) {
    lines.push(`No connection reached port(s) ${silent.join(', ')} before the watch was stopped; listen for longer to tell whether Azure can call in.`);
  } else if (silent.length > 0) {
    const rules = report.inbound.map((r) => `${r.serviceTag} (${portRanges(r.ports).join(', ')}${r.when === null ? '' : `; ${r.when}`})`);
    const advice = rules.length > 0 ? `allow inbound TCP from service tag${rules.length > 1 ? 's' : ''} ${rules.join(' and ')} in the NSG` : 'allow the inbound management traffic in the NSG';
    const of = report.revision === null ? '' : ` (requirements of ${report.revision})`;
    lines.push(`No connection reached port(s) ${silent.join(', ')}. If Azure should have called in, ${advice}${of}, and route that traffic around the firewall.`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderListenJson(report: ListenReport): string {
  return jsonDocument(report);
}
