/**
 * Every protocol decoder. Adding a protocol = adding its file to decoders/ and one line here.
 */
import { Registry } from '../src/registry.js';
import type { DecoderModule } from './types.js';

import { decoder as ethernet } from './ethernet.js';
import { decoder as vlan } from './vlan.js';
import { decoder as arp } from './arp.js';
import { decoder as sll } from './sll.js';
import { decoder as sll2 } from './sll2.js';
import { decoder as loopback } from './loopback.js';
import { decoder as rawIp } from './raw-ip.js';
import { decoder as ipv4 } from './ipv4.js';
import { decoder as ipv6 } from './ipv6.js';
import { decoder as udp } from './udp.js';
import { decoder as tcp } from './tcp.js';
import { decoder as icmp } from './icmp.js';
import { decoder as icmpv6 } from './icmpv6.js';
import { decoder as gre } from './gre.js';
import { decoder as erspan } from './erspan.js';
import { decoder as mpls } from './mpls.js';
import { decoder as pwControlWord } from './pw-control-word.js';
import { decoder as vxlan } from './vxlan.js';
import { decoder as vxlanGpe } from './vxlan-gpe.js';
import { decoder as nsh } from './nsh.js';
import { decoder as geneve } from './geneve.js';
import { decoder as contrailMirror } from './contrail-mirror.js';
import { decoder as jmirror } from './jmirror.js';
import { decoder as ppp } from './ppp.js';

export const DECODERS: readonly DecoderModule[] = [
  ethernet,
  vlan,
  arp,
  sll,
  sll2,
  loopback,
  rawIp,
  ipv4,
  ipv6,
  udp,
  tcp,
  icmp,
  icmpv6,
  gre,
  erspan,
  mpls,
  pwControlWord,
  vxlan,
  vxlanGpe,
  nsh,
  geneve,
  contrailMirror,
  jmirror,
  ppp,
];

/** A registry with every decoder and its default dispatch keys. */
export function createRegistry(): Registry {
  const reg = new Registry();
  for (const m of DECODERS) reg.register(m);
  return reg;
}
