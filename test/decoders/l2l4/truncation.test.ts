import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arp, cat, eth, hex, icmpEcho, icmpv6Echo, ipv4, ipv6, pattern, tcp, udp } from '../../../samples/craft.js';
import { decode, l2l4Registry, names } from './harness.js';

const MACS = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };

/** Sample packets covering every decoder here, with their link type. */
const SAMPLES: Array<[string, Uint8Array, number]> = [
  ['QinQ + IPv4 + TCP with options', eth({ ...MACS, tags: [{ tpid: 0x88a8, id: 5 }, { id: 6 }], payload: ipv4({ src: '1.1.1.1', dst: '2.2.2.2', options: hex('94040000'), payload: tcp({ sport: 1, dport: 2, options: pattern(12), payload: pattern(5) }) }) }), 1],
  ['IPv6 ext headers + UDP', eth({ ...MACS, payload: ipv6({ src: '::1', dst: '::2', ext: [{ type: 0 }, { type: 43 }, { type: 44, more: true }, { type: 60 }], payload: udp({ sport: 1, dport: 2, payload: pattern(3) }) }) }), 1],
  ['6in4 + ICMPv6', eth({ ...MACS, payload: ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload: ipv6({ src: '::1', dst: '::2', payload: icmpv6Echo({ type: 'request', id: 1, seq: 1 }) }) }) }), 1],
  ['ARP in VLAN', eth({ ...MACS, tags: [{ tpid: 0x9100, id: 9 }], payload: arp({ op: 'reply', senderMac: MACS.src, senderIp: '1.1.1.1', targetIp: '2.2.2.2' }) }), 1],
  ['SLL + ICMP', cat(hex('0000 0001 0006 020000000001 0000 0800'), ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload: icmpEcho({ type: 'request', id: 1, seq: 1 }) })), 113],
  ['SLL2 + IPv6 + TCP', cat(hex('86dd 0000 00000001 0001 00 06 020000000001 0000'), ipv6({ src: '::1', dst: '::2', payload: tcp({ sport: 1, dport: 2 }) })), 276],
  ['loopback + 4in6', cat(hex('1e000000'), ipv6({ src: '::1', dst: '::2', payload: ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload: udp({ sport: 1, dport: 2, payload: pattern(2) }) }) })), 0],
  ['PPP + IPv4', cat(hex('ff03 0021'), ipv4({ src: '1.1.1.1', dst: '2.2.2.2', payload: udp({ sport: 1, dport: 2, payload: pattern(2) }) })), 9],
  ['raw + IPv6 jumbo', ipv6({ src: '::1', dst: '::2', payloadLength: 0, ext: [{ type: 0, data: hex('c204 0000 0014') }], payload: udp({ sport: 1, dport: 2, length: 0, payload: pattern(4) }) }), 101],
];

describe('every truncation point', () => {
  for (const [what, pkt, linktype] of SAMPLES) {
    it(`${what}: a prefix of the full layer list, no throw, nothing past the data`, () => {
      const full = names(decode(pkt, { linktype }));
      expect(full.length).toBeGreaterThan(1);
      for (let n = 0; n < pkt.length; n++) {
        const p = decode(pkt.subarray(0, n), { linktype, len: pkt.length });
        const got = names(p);
        expect(full.slice(0, got.length)).toEqual(got);
        for (let i = 0; i < p.layerCount; i++) expect(p.layerEnd[i]).toBeLessThanOrEqual(n);
        // the decode stopped early, so something must say why (unless the cut fell exactly between layers of a payload nobody decodes)
        if (got.length < full.length) expect(p.problemCount).toBeGreaterThan(0);
      }
    });
  }
});

describe('random bytes', () => {
  it('never throw and never point past the captured data, for any link type', () => {
    const reg = l2l4Registry({ checksums: true });
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 9, 12, 101, 108, 113, 228, 229, 276), fc.uint8Array({ maxLength: 200 }), (linktype, data) => {
        const p = decode(data, { linktype, reg });
        for (let i = 0; i < p.layerCount; i++) {
          expect(p.layerStart[i]).toBeLessThanOrEqual(p.layerEnd[i]);
          expect(p.layerEnd[i]).toBeLessThanOrEqual(data.length);
          reg.modules[p.layerKind[i]]!.fields(p, i);
        }
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('mutated sample packets never throw', () => {
    const reg = l2l4Registry({ checksums: true });
    fc.assert(
      fc.property(fc.nat(SAMPLES.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (k, edits) => {
        const [, orig, linktype] = SAMPLES[k];
        const pkt = orig.slice();
        for (const [at, v] of edits) pkt[at % pkt.length] = v;
        const p = decode(pkt, { linktype, reg });
        for (let i = 0; i < p.layerCount; i++) {
          expect(p.layerEnd[i]).toBeLessThanOrEqual(pkt.length);
          reg.modules[p.layerKind[i]]!.fields(p, i);
        }
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});
