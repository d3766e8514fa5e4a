/**
 * Test glue for the L2-L4 decoder tests: a registry holding these decoders, a one-packet decode the
 * way the pipeline does it, and a loop over the packets of a capture file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decoder as arp } from '../../../decoders/arp.js';
import { decoder as ethernet } from '../../../decoders/ethernet.js';
import { decoder as icmp } from '../../../decoders/icmp.js';
import { decoder as icmpv6 } from '../../../decoders/icmpv6.js';
import { decoder as ipv4 } from '../../../decoders/ipv4.js';
import { decoder as ipv6 } from '../../../decoders/ipv6.js';
import { decoder as loopback } from '../../../decoders/loopback.js';
import { decoder as ppp } from '../../../decoders/ppp.js';
import { decoder as rawIp } from '../../../decoders/raw-ip.js';
import { decoder as sll } from '../../../decoders/sll.js';
import { decoder as sll2 } from '../../../decoders/sll2.js';
import { decoder as tcp } from '../../../decoders/tcp.js';
import { decoder as udp } from '../../../decoders/udp.js';
import { decoder as vlan } from '../../../decoders/vlan.js';
import { pcapFile, type CraftRecord } from '../../../samples/craft.js';
import { readCapture } from '../../../src/capture/index.js';
import { LAYER_NAMES, PROBLEM_NAMES, type Layer } from '../../../src/layers.js';
import { PacketView } from '../../../src/packet.js';
import { peel } from '../../../src/peel.js';
import { Registry } from '../../../src/registry.js';
import { decodePacket } from '../../helpers/decode.js';

const MODULES = [ethernet, vlan, arp, sll, sll2, loopback, rawIp, ipv4, ipv6, udp, tcp, icmp, icmpv6, ppp];

/** A registry with the link, network and transport decoders only (tunnels stay undecoded payload). */
export function l2l4Registry(opts: { checksums?: boolean } = {}): Registry {
  const reg = new Registry();
  for (const m of MODULES) reg.register(m);
  reg.checksums = opts.checksums ?? false;
  return reg;
}

/** Decode one packet (`len` = original length when the capture was cut short). */
export function decode(data: Uint8Array, opts: { reg?: Registry; linktype?: number; len?: number } = {}): PacketView {
  return decodePacket(data, opts.reg ?? l2l4Registry(), opts);
}

export function names(p: PacketView): string[] {
  return Array.from(p.layerKind.subarray(0, p.layerCount), (k) => LAYER_NAMES[k]);
}

/** Problems as 'kind@layer'. */
export function problems(p: PacketView): string[] {
  const out: string[] = [];
  for (let i = 0; i < p.problemCount; i++) out.push(`${PROBLEM_NAMES[p.problemKind[i]]}@${LAYER_NAMES[p.problemLayer[i]]}`);
  return out;
}

/** fields() of the `nth` layer of `kind` (0 = outermost). */
export function fields(p: PacketView, kind: Layer, nth = 0, reg: Registry = l2l4Registry()): Record<string, unknown> {
  let i = -1;
  for (let n = 0; n <= nth; n++) {
    i = p.findLayer(kind, i + 1);
    if (i < 0) throw new Error(`no ${LAYER_NAMES[kind]} #${nth} in ${names(p).join(':')}`);
  }
  return reg.modules[kind]!.fields(p, i);
}

/** Every packet of a capture file (pcap or pcapng, through readCapture), decoded with `reg` into one reused view. */
export async function eachPacket(path: string, reg: Registry, each: (p: PacketView) => void): Promise<number> {
  const p = new PacketView();
  let n = 0;
  await readCapture(path, {
    onRecord(rec) {
      peel(p, rec, reg);
      n++;
      each(p);
    },
  });
  return n;
}

/** Write packets to a temporary pcap file (for tshark) and return its path. */
export function tempPcap(records: Array<Uint8Array | CraftRecord>, linktype = 1): string {
  const file = join(mkdtempSync(join(tmpdir(), 'peelcap-l2l4-')), 'p.pcap');
  writeFileSync(file, pcapFile(records, { linktype }));
  return file;
}
