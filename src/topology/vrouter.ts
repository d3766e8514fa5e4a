/**
 * Contrail / Tungsten Fabric vRouter CLI text: `mpls --dump|--get`, `nh --list|--get`,
 * `vif --list|--get`, `rt --dump` (inet and bridge), the agent config's [VIRTUAL-HOST-INTERFACE]
 * section and `ifconfig vhost0`. One file may hold any mix of them, with or without shell prompts
 * (a pasted transcript); column spacing and indentation vary between releases (3.x vs 5.x) and are
 * not relied on. A line that starts like a record but does not parse is an error naming the line.
 */
import { TopologyError } from './errors.js';
import { matchHostHeader, matchPrompt, newHostDump, normalMac, type HostDump, type VrouterNh } from './host-dump.js';
import { ipv4ToU32 } from './ip.js';

/** True when the text has a vRouter tool output in it. */
export function isVrouterText(text: string): boolean {
  return /MPLS Input Label Map|^\s*Label\s+NextHop\s*$|^\s*Id:\s*\d+\s+Type:|^\s*vif\d+\/\d+\s+OS:|\[VIRTUAL-HOST-INTERFACE\]|^\s*[Vv]router (?:inet\d? routing|bridge) table/m.test(
    text,
  );
}

type Section = 'none' | 'mpls' | 'nh' | 'vif' | 'rt-inet' | 'rt-bridge' | 'conf' | 'ifconfig' | 'other';

const VROUTER_TOOLS = /^(?:sudo\s+)?(?:docker exec \S+ )?(mpls|nh|vif|rt|ifconfig|ip|cat|grep)\b/;

function sectionOfCommand(cmd: string): Section {
  const m = VROUTER_TOOLS.exec(cmd);
  if (!m) return 'other';
  switch (m[1]) {
    case 'mpls':
      return 'mpls';
    case 'nh':
      return 'nh';
    case 'vif':
      return 'vif';
    case 'rt':
      return /--family\s+bridge/.test(cmd) ? 'rt-bridge' : 'rt-inet';
    case 'ifconfig':
    case 'ip':
      return /vhost0/.test(cmd) ? 'ifconfig' : 'other';
    default:
      return /contrail-vrouter-agent\.conf/.test(cmd) ? 'none' : 'other';
  }
}

export function parseVrouter(text: string, file: string, dump: HostDump = newHostDump(file)): HostDump {
  const lines = text.split(/\r?\n/);
  let section: Section = 'none';
  let nh: VrouterNh | undefined;
  let vif: { name: string; mac?: string; ip?: string } | undefined;
  let inHostConf = false;
  const fail = (msg: string, i: number): never => {
    throw new TopologyError(msg, file, i + 1);
  };
  const int = (s: string, what: string, i: number): number => {
    if (!/^\d+$/.test(s)) fail(`${what} '${s}' is not a number`, i);
    return Number(s);
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    if (t === '' || /^-{3,}$/.test(t) || t === '...' || t === '^C') continue;

    const prompt = matchPrompt(line);
    if (prompt) {
      section = sectionOfCommand(prompt.command);
      if (section !== 'other') dump.claims.push({ name: prompt.host, where: `${file}:${i + 1} (shell prompt)` });
      nh = undefined;
      vif = undefined;
      continue;
    }
    const header = matchHostHeader(line);
    if (header) {
      const ip = header.ip === undefined ? undefined : ipv4ToU32(header.ip);
      if (ip !== undefined && ip < 0) fail(`bad IPv4 address '${header.ip}' in host header`, i);
      dump.claims.push({ ip, name: header.name, where: `${file}:${i + 1} (header)` });
      continue;
    }
    if (section === 'other') continue;

    // Markers that start a section whatever came before (files without prompts).
    if (/MPLS Input Label Map/i.test(t) || /^Label\s+NextHop$/i.test(t)) {
      section = 'mpls';
      continue;
    }
    let m = /^Id:\s*(\S+)\s+Type:\s*(\S+)\s+Fmly:\s*(\S+)/.exec(t);
    if (m || /^Id:/.test(t)) {
      if (!m) fail(`next hop line without 'Type:' and 'Fmly:': '${t}'`, i);
      const id = int(m![1], 'next hop id', i);
      nh = { id, type: m![2], family: m![3] };
      dump.nhs.set(id, nh);
      section = 'nh';
      continue;
    }
    m = /^vif(\d+)\/(\S+)\s+OS:\s*(\S+)/.exec(t);
    if (m || /^vif\d+\//.test(t)) {
      if (!m) fail(`interface line without 'OS:': '${t}'`, i);
      const idx = int(m![2], 'interface index', i);
      vif = { name: m![3] };
      dump.vifs.set(idx, vif);
      section = 'vif';
      continue;
    }
    if (/^[Vv]router inet\d? routing table/.test(t) || /^Destination\s+PPL\s+Flags/.test(t)) {
      section = 'rt-inet';
      continue;
    }
    if (/^[Vv]router bridge table/.test(t) || /^Index\s+DestMac\s+Flags/.test(t)) {
      section = 'rt-bridge';
      continue;
    }
    if (/^\[VIRTUAL-HOST-INTERFACE\]$/i.test(t)) {
      section = 'conf';
      inHostConf = true;
      continue;
    }
    if (/^\[[\w-]+\]$/.test(t)) {
      section = 'conf';
      inHostConf = false;
      continue;
    }
    if (/^vhost0\s+Link encap/.test(t) || /^\d+:\s+vhost0[:@]/.test(t)) {
      section = 'ifconfig';
      continue;
    }
    if (/^(?:Flags|Mt|D|Mnp|Uuf|Proxy|Vrouter Interface Table|Vrf:|RX |TX |Drops|ISID)/.test(t) && section !== 'vif' && section !== 'nh') {
      continue; // legends and counters
    }

    switch (section) {
      case 'mpls': {
        const r = /^(\S+)\s+(\S+)$/.exec(t);
        if (r && /^\d/.test(t)) dump.labels.set(int(r[1], 'label', i), int(r[2], 'next hop', i));
        else if (/^\d/.test(t)) fail(`expected 'LABEL NEXTHOP', got '${t}'`, i);
        break;
      }
      case 'nh': {
        if (!nh) break;
        const oif = /\bOif:\s*(\S+)/.exec(t);
        if (oif) nh.oif = int(oif[1], 'Oif', i);
        const data = /^Encap Data:\s*(.*)$/.exec(t);
        if (data) {
          const bytes = data[1].trim().split(/\s+/);
          if (!bytes.every((b) => /^[0-9a-fA-F]{1,2}$/.test(b))) fail(`Encap Data is not hex bytes: '${data[1]}'`, i);
          if (bytes.length >= 6) nh.mac = normalMac(bytes.slice(0, 6).join(':'));
        }
        const dip = /\bDip:\s*(\S+)/.exec(t);
        if (dip) {
          const ip = ipv4ToU32(dip[1]);
          if (ip >= 0) nh.dip = ip;
        }
        break;
      }
      case 'vif': {
        if (!vif) break;
        const hw = /HWaddr:\s*(\S+)/.exec(t);
        if (hw) vif.mac = normalMac(hw[1]);
        const ip = /IPaddr:\s*(\S+)/.exec(t);
        if (ip && ip[1] !== '0') {
          vif.ip = ip[1];
          if (vif.name === 'vhost0') {
            const v4 = ipv4ToU32(ip[1]);
            if (v4 >= 0) dump.claims.push({ ip: v4, where: `${file}:${i + 1} (vhost0 address)` });
          }
        }
        break;
      }
      case 'rt-inet':
      case 'rt-bridge': {
        const tok = t.split(/\s+/);
        const family = section === 'rt-inet' ? 'inet' : 'bridge';
        const isRow = family === 'inet' ? /^[\d.:a-fA-F]+\/\d+$/.test(tok[0]) : /^\d+$/.test(tok[0]) && normalMac(tok[1] ?? '') !== undefined;
        if (!isRow) break;
        // inet: DEST PPL [FLAGS] LABEL NH MAC ; bridge: INDEX MAC [FLAGS] LABEL NH STATS
        const hasFlags = tok.length >= 6;
        const label = tok[hasFlags ? 3 : 2];
        const nhId = tok[hasFlags ? 4 : 3];
        if (label === undefined || nhId === undefined) fail(`route row too short: '${t}'`, i);
        if (label === '-') break;
        dump.routes.push({
          family,
          dest: family === 'inet' ? tok[0] : normalMac(tok[1])!,
          label: int(label!, 'label', i),
          nh: int(nhId!, 'next hop', i),
          line: i + 1,
        });
        break;
      }
      case 'conf': {
        const ip = /^ip\s*=\s*(\S+?)(?:\/\d+)?$/.exec(t);
        if (ip && inHostConf) {
          const v4 = ipv4ToU32(ip[1]);
          if (v4 < 0) fail(`bad vhost0 ip '${ip[1]}'`, i);
          dump.claims.push({ ip: v4, where: `${file}:${i + 1} (agent config)` });
        }
        break;
      }
      case 'ifconfig': {
        const ip = /^inet (?:addr:)?(\d+\.\d+\.\d+\.\d+)/.exec(t);
        if (ip) {
          dump.claims.push({ ip: ipv4ToU32(ip[1]), where: `${file}:${i + 1} (vhost0 address)` });
          section = 'none';
        }
        break;
      }
      default:
        break;
    }
  }
  return dump;
}
