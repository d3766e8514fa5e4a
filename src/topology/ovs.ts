/**
 * Open vSwitch / Neutron ML2 per-host text: `ovs-ofctl dump-flows br-tun` (tunnel id <-> local VLAN:
 * table 4 `tun_id=X actions=mod_vlan_vid:V`, tables 20/22 `dl_vlan=V` or `vlan_tci=0x000V/0x0fff`
 * with `set_tunnel:X` or `load:X->NXM_NX_TUN_ID[]`) and `ovs-vsctl show` (the host's tunnel
 * `local_ip`). Flows wrapped over several lines (PDF copies) are joined back.
 */
import { TopologyError } from './errors.js';
import { matchHostHeader, matchPrompt, newHostDump, type HostDump } from './host-dump.js';
import { ipv4ToU32 } from './ip.js';

export function isOvsText(text: string): boolean {
  return /^\s*(?:NXST_FLOW|OFPST_FLOW)|^\s*cookie=0x[0-9a-f]+,/m.test(text) || (/^\s*Bridge\s+\S+/m.test(text) && /^\s*Interface\s+\S+/m.test(text));
}

export function parseOvs(text: string, file: string, dump: HostDump = newHostDump(file)): HostDump {
  const lines = text.split(/\r?\n/);
  let flow = '';
  let flowLine = 0;
  const endFlow = () => {
    if (flow) parseFlow(flow, file, flowLine, dump);
    flow = '';
  };
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    const prompt = matchPrompt(lines[i]);
    if (prompt) {
      endFlow();
      if (/^(?:sudo\s+)?ovs-(?:ofctl|vsctl)\b/.test(prompt.command)) {
        dump.claims.push({ name: prompt.host, where: `${file}:${i + 1} (shell prompt)` });
      }
      continue;
    }
    const header = matchHostHeader(lines[i]);
    if (header) {
      endFlow();
      const ip = header.ip === undefined ? undefined : ipv4ToU32(header.ip);
      if (ip !== undefined && ip < 0) throw new TopologyError(`bad IPv4 address '${header.ip}' in host header`, file, i + 1);
      dump.claims.push({ ip, name: header.name, where: `${file}:${i + 1} (header)` });
      continue;
    }
    if (/^cookie=/.test(t)) {
      endFlow();
      flow = t;
      flowLine = i + 1;
      continue;
    }
    if (flow && !/\bactions=/.test(flow) && t !== '') {
      flow += ' ' + t; // wrapped flow
      continue;
    }
    endFlow();
    const opts = /^options:\s*\{(.*)\}$/.exec(t);
    if (opts) {
      const local = /\blocal_ip="?([\d.]+)"?/.exec(opts[1]);
      if (local) {
        const v4 = ipv4ToU32(local[1]);
        if (v4 < 0) throw new TopologyError(`bad local_ip '${local[1]}'`, file, i + 1);
        dump.claims.push({ ip: v4, where: `${file}:${i + 1} (tunnel local_ip)` });
      }
    }
  }
  endFlow();
  return dump;
}

/** Parse a number written as OVS prints it: 0x-prefixed hex or decimal. */
function ovsNumber(s: string, what: string, file: string, line: number): number {
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
  if (/^\d+$/.test(s)) return Number(s);
  throw new TopologyError(`${what} '${s}' is not a number`, file, line);
}

function parseFlow(flow: string, file: string, line: number, dump: HostDump): void {
  const a = flow.indexOf('actions=');
  if (a < 0) throw new TopologyError('flow without actions=', file, line);
  const match = flow.slice(0, a).replace(/\s+/g, '');
  const actions = flow.slice(a + 8).replace(/\s+/g, '');
  const num = (re: RegExp, s: string, what: string) => {
    const m = re.exec(s);
    return m ? ovsNumber(m[1], what, file, line) : undefined;
  };
  const tunMatch = num(/(?:^|,)tun_id=([^,/]+)/, match, 'tun_id');
  const vlanSet = num(/(?:^|,)mod_vlan_vid:([^,]+)/, actions, 'mod_vlan_vid');
  if (tunMatch !== undefined && vlanSet !== undefined) {
    dump.vlans.set(tunMatch, vlanSet);
    return;
  }
  let vlanMatch = num(/(?:^|,)dl_vlan=([^,]+)/, match, 'dl_vlan');
  const tci = /(?:^|,)vlan_tci=([^,/]+)\/0x0?fff(?:,|$)/i.exec(match);
  if (vlanMatch === undefined && tci) vlanMatch = ovsNumber(tci[1], 'vlan_tci', file, line) & 0xfff;
  const tunSet =
    num(/(?:^|,)set_tunnel(?:64)?:([^,]+)/, actions, 'set_tunnel') ??
    num(/(?:^|,)load:([^-,]+)->NXM_NX_TUN_ID\[\]/, actions, 'tunnel id') ??
    num(/(?:^|,)set_field:([^-,]+)->tun_id/, actions, 'tunnel id');
  if (vlanMatch !== undefined && vlanMatch > 0 && tunSet !== undefined && !dump.vlans.has(tunSet)) dump.vlans.set(tunSet, vlanMatch);
}
