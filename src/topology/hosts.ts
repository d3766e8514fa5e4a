/**
 * Put the per-host dumps of one host together and turn them into facts. A host is identified by its
 * tunnel IP (the Contrail vhost0 address, the OVS tunnel local_ip): from the dumps themselves, from
 * a `# compute: IP [name]` header, or from the folder name (`172.20.0.23/`, `cmpt001_172.20.0.23/`).
 */
import { basename } from 'node:path';
import { TopologyError } from './errors.js';
import { Facts, labelKey, type LabelTarget } from './facts.js';
import type { HostDump, VrouterNh } from './host-dump.js';
import type { Inventory } from './inventory.js';
import { ipv4InName, ipv4ToU32 } from './ip.js';
import { Layer } from '../layers.js';
import { ipv4FromU32 } from '../bytes.js';

/** Payload behind a label whose next hop has this address family. */
function payloadOf(family: string): Layer {
  if (/BRIDGE/i.test(family)) return Layer.Ethernet;
  // AF_INET next hops carry IPv4 or IPv6 (the vRouter reads the version nibble): RawIp sniffs it.
  if (/INET/i.test(family)) return Layer.RawIp;
  return Layer.None;
}

/** Tunnel IP and name of the host whose dumps are `dumps` (all from folder `dir`). */
function identify(dir: string, dumps: HostDump[]): { ip: number; name?: string } {
  let ip: number | undefined;
  let ipWhere = '';
  let name: string | undefined;
  const claims = dumps.flatMap((d) => d.claims);
  const fromDir = ipv4InName(basename(dir));
  if (fromDir) claims.push({ ip: fromDir.ip, name: fromDir.rest || undefined, where: `folder name '${basename(dir)}'` });
  for (const c of claims) {
    if (c.ip !== undefined) {
      if (ip !== undefined && ip !== c.ip) {
        throw new TopologyError(
          `dumps of one host disagree on its tunnel IP: ${ipv4FromU32(ip)} (${ipWhere}) vs ${ipv4FromU32(c.ip)} (${c.where}); keep one host per folder`,
          dir,
        );
      }
      ip = c.ip;
      ipWhere = c.where;
    }
    if (c.name !== undefined) {
      if (name !== undefined && name !== c.name && c.where.endsWith('(shell prompt)')) {
        throw new TopologyError(`dumps from two hosts (${name}, ${c.name} at ${c.where}) in one folder; keep one host per folder`, dir);
      }
      name ??= c.name;
    }
  }
  if (ip === undefined) {
    throw new TopologyError(
      `cannot tell the tunnel IP of the host whose dumps are here (${dumps.map((d) => basename(d.file)).join(', ')}): ` +
        `add its vif --list (vhost0), its contrail-vrouter-agent.conf or ovs-vsctl show, a '# compute: IP NAME' line, ` +
        `or name the folder after the IP (e.g. 172.20.0.23/)`,
      dir,
    );
  }
  return { ip, name };
}

/**
 * Facts from the dumps of one host. Returns two layers: what the host's own tables say (labels it
 * owns, its VLANs, its name) and, weaker, what its routes say about labels owned by other hosts.
 */
export function hostFacts(dir: string, dumps: HostDump[], inv: Inventory): { own: Facts; remote: Facts } {
  const { ip, name } = identify(dir, dumps);
  const own = new Facts();
  const remote = new Facts();
  if (name !== undefined) own.hosts4.set(ip, name);
  const nhs = new Map<number, VrouterNh>();
  const vifs = new Map<number, { name: string; mac?: string; ip?: string }>();
  for (const d of dumps) {
    for (const [k, v] of d.nhs) nhs.set(k, v);
    for (const [k, v] of d.vifs) vifs.set(k, v);
    for (const [k, v] of d.vlans) own.setLocalVlan(ip, k, v);
  }
  for (const d of dumps) {
    for (const [label, nhId] of d.labels) {
      const nh = nhs.get(nhId);
      if (!nh || nh.type !== 'Encap') continue;
      const vif = nh.oif === undefined ? undefined : vifs.get(nh.oif);
      const target: LabelTarget = {
        interface: vif?.name,
        vm: inv.vmOf(vif?.name),
        mac: nh.mac ?? vif?.mac,
        ip: vif?.ip,
        payload: payloadOf(nh.family),
      };
      own.labels.set(labelKey(ip, label), target);
    }
    for (const r of d.routes) {
      const nh = nhs.get(r.nh);
      if (!nh || nh.type !== 'Tunnel' || nh.dip === undefined) continue;
      const host = r.dest.endsWith('/32') ? r.dest.slice(0, -3) : undefined;
      remote.labels.set(labelKey(nh.dip, r.label), {
        mac: r.family === 'bridge' ? r.dest : undefined,
        ip: r.family === 'inet' && host !== undefined && ipv4ToU32(host) >= 0 ? host : undefined,
        payload: r.family === 'bridge' ? Layer.Ethernet : Layer.RawIp,
      });
    }
  }
  return { own, remote };
}
