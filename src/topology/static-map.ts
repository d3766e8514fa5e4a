/**
 * The static topology map: a JSON file for sites with no OVN database or vRouter dumps at hand.
 *
 * ```json
 * {
 *   "hosts":      { "192.168.50.100": "worker1", "2001:db8::1": "gw1" },
 *   "vnis":       { "1010": "net1", "0x3f3": "net2" },
 *   "datapaths":  { "8": "network2" },
 *   "ports":      { "8": { "1": "vm2", "2": "net2-router1", "32768": "_MC_flood" } },
 *   "labels":     { "172.20.0.23": { "31": "tap93d2dja8-22",
 *                                    "27": { "interface": "tap13a2d42c-5d", "vm": "VFW001",
 *                                            "network": "VN_A", "payload": "ip" } } },
 *   "localVlans": { "10.0.10.23": { "1010": 32 } },
 *   "vms":        { "tap93d2dja8-22": "VFW001" },
 *   "ovnVxlan":   true
 * }
 * ```
 * Every section is optional. Numbers may be decimal or 0x-hex. `labels` keys are the IPv4 tunnel
 * endpoint that owns the label (the receiving compute); `payload` is `ip`, `ethernet` or absent.
 * `ovnVxlan` is `true` (every VXLAN packet carries OVN datapath/port keys) or a list of chassis IPs.
 */
import { TopologyError } from './errors.js';
import { Facts, labelKey, portKey, type LabelTarget } from './facts.js';
import type { Inventory } from './inventory.js';
import { canonicalIpv6, ipv4ToU32 } from './ip.js';
import { Layer } from '../layers.js';

const SECTIONS = ['hosts', 'vnis', 'datapaths', 'ports', 'labels', 'localVlans', 'vms', 'ovnVxlan', 'comment'];

/** True when parsed JSON looks like a static map (an object whose keys are all known sections). */
export function isStaticMap(doc: unknown): boolean {
  return !!doc && typeof doc === 'object' && !Array.isArray(doc) && Object.keys(doc).some((k) => SECTIONS.includes(k));
}

export function staticMapFacts(doc: Record<string, unknown>, file: string, inv: Inventory): Facts {
  const f = new Facts();
  const bad = (msg: string): never => {
    throw new TopologyError(msg, file);
  };
  for (const k of Object.keys(doc)) if (!SECTIONS.includes(k)) bad(`unknown section '${k}' (known: ${SECTIONS.join(', ')})`);
  const obj = (v: unknown, where: string): Record<string, unknown> => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) bad(`${where} must be an object`);
    return v as Record<string, unknown>;
  };
  const num = (s: string, max: number, where: string): number => {
    const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= 0 && n <= max)) bad(`${where}: '${s}' is not a number in 0..${max}`);
    return n;
  };
  const str = (v: unknown, where: string): string => {
    if (typeof v !== 'string' || v === '') bad(`${where} must be a non-empty string`);
    return v as string;
  };
  const ipv4 = (s: string, where: string): number => {
    const v = ipv4ToU32(s);
    if (v < 0) bad(`${where}: '${s}' is not an IPv4 address`);
    return v;
  };

  for (const [ip, name] of Object.entries(obj(doc.hosts ?? {}, 'hosts'))) {
    const v4 = ipv4ToU32(ip);
    if (v4 >= 0) f.hosts4.set(v4, str(name, `hosts.${ip}`));
    else f.hosts6.set(canonicalIpv6(ip) ?? bad(`hosts: '${ip}' is not an IP address`), str(name, `hosts.${ip}`));
  }
  for (const [k, name] of Object.entries(obj(doc.vnis ?? {}, 'vnis'))) f.vnis.set(num(k, 0xffffffff, 'vnis'), str(name, `vnis.${k}`));
  for (const [k, name] of Object.entries(obj(doc.datapaths ?? {}, 'datapaths'))) {
    f.datapaths.set(num(k, 0xffffff, 'datapaths'), str(name, `datapaths.${k}`));
  }
  for (const [dp, ports] of Object.entries(obj(doc.ports ?? {}, 'ports'))) {
    const d = num(dp, 0xffffff, 'ports');
    for (const [p, name] of Object.entries(obj(ports, `ports.${dp}`))) {
      f.ports.set(portKey(d, num(p, 0xffff, `ports.${dp}`)), str(name, `ports.${dp}.${p}`));
    }
  }
  for (const [tap, vm] of Object.entries(obj(doc.vms ?? {}, 'vms'))) inv.explicit.set(tap, str(vm, `vms.${tap}`));
  for (const [ip, labels] of Object.entries(obj(doc.labels ?? {}, 'labels'))) {
    const v4 = ipv4(ip, 'labels');
    for (const [l, t] of Object.entries(obj(labels, `labels.${ip}`))) {
      const where = `labels.${ip}.${l}`;
      const target: LabelTarget = { payload: Layer.None };
      if (typeof t === 'string') target.interface = t;
      else {
        const o = obj(t, where);
        for (const k of Object.keys(o)) {
          if (!['interface', 'vm', 'network', 'mac', 'ip', 'payload'].includes(k)) bad(`${where}: unknown key '${k}'`);
        }
        if (o.interface !== undefined) target.interface = str(o.interface, `${where}.interface`);
        if (o.vm !== undefined) target.vm = str(o.vm, `${where}.vm`);
        if (o.network !== undefined) target.network = str(o.network, `${where}.network`);
        if (o.mac !== undefined) target.mac = str(o.mac, `${where}.mac`);
        if (o.ip !== undefined) target.ip = str(o.ip, `${where}.ip`);
        if (o.payload !== undefined) {
          if (o.payload === 'ip') target.payload = Layer.RawIp;
          else if (o.payload === 'ethernet') target.payload = Layer.Ethernet;
          else bad(`${where}.payload must be "ip" or "ethernet"`);
        }
      }
      target.vm ??= inv.vmOf(target.interface);
      f.labels.set(labelKey(v4, num(l, 0xfffff, where)), target);
    }
  }
  for (const [ip, map] of Object.entries(obj(doc.localVlans ?? {}, 'localVlans'))) {
    const v4 = ipv4(ip, 'localVlans');
    for (const [id, vlan] of Object.entries(obj(map, `localVlans.${ip}`))) {
      if (typeof vlan !== 'number' || !Number.isInteger(vlan) || vlan < 0 || vlan > 4095) bad(`localVlans.${ip}.${id} must be a VLAN id 0..4095`);
      f.setLocalVlan(v4, num(id, 0xffffffff, `localVlans.${ip}`), vlan as number);
    }
  }
  const vx = doc.ovnVxlan;
  if (vx === true) f.ovnVxlanAll = true;
  else if (Array.isArray(vx)) for (const ip of vx) f.ovnVxlan4.add(ipv4(str(ip, 'ovnVxlan[]'), 'ovnVxlan'));
  else if (vx !== undefined && vx !== false) bad('ovnVxlan must be true, false or a list of IPv4 addresses');
  return f;
}
