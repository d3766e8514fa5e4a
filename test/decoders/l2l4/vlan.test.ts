import { describe, expect, it } from 'vitest';
import { arp, eth, icmpEcho, ipv4, type VlanTag } from '../../../samples/craft.js';
import { Layer } from '../../../src/layers.js';
import { describeWith } from '../../helpers/env.js';
import { tsharkFields } from '../../helpers/tshark.js';
import { decode, fields, l2l4Registry, names, problems, tempPcap } from './harness.js';

const ping = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: icmpEcho({ type: 'request', id: 7, seq: 1 }) });
const tagged = (tags: VlanTag[]) => eth({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', tags, payload: ping });
const TPIDS = [0x8100, 0x88a8, 0x9100, 0x9200];

describe('vlan decoder', () => {
  for (const tpid of TPIDS) {
    for (let depth = 1; depth <= 4; depth++) {
      it(`decodes ${depth} tag(s) introduced by TPID 0x${tpid.toString(16)}`, () => {
        // outermost tag uses the TPID under test, inner ones cycle through the others
        const tags: VlanTag[] = [];
        for (let k = 0; k < depth; k++) {
          tags.push({ tpid: k === 0 ? tpid : TPIDS[(k + 1) % 4], id: 100 * (k + 1) + depth, pcp: k % 8, dei: k % 2 === 1 });
        }
        const p = decode(tagged(tags));
        expect(names(p)).toEqual(['eth', ...tags.map(() => 'vlan'), 'ipv4', 'icmp']);
        expect(problems(p)).toEqual([]);
        expect(p.vlanCount).toBe(depth);
        tags.forEach((t, k) => {
          expect(p.vlanTpid[k]).toBe(t.tpid);
          expect(p.vlanTci[k] & 0xfff).toBe(t.id);
          const f = fields(p, Layer.Vlan, k);
          expect(f).toEqual({
            id: t.id,
            pcp: t.pcp,
            dei: t.dei ? 1 : 0,
            tpid: t.tpid,
            type: k + 1 < depth ? tags[k + 1].tpid : 0x0800,
          });
        });
      });
    }
  }

  it('keeps PCP 7 and DEI on VLAN 4095 and VLAN 0 (priority tag)', () => {
    const p = decode(tagged([{ id: 4095, pcp: 7, dei: true }, { id: 0, pcp: 5 }]));
    expect(p.vlanTci[0]).toBe(0xffff);
    expect(fields(p, Layer.Vlan, 1)).toMatchObject({ id: 0, pcp: 5, dei: 0 });
  });

  it('ends at ARP inside QinQ and decodes the ARP addresses', () => {
    const frame = eth({
      src: '00:11:22:33:44:55',
      dst: 'ff:ff:ff:ff:ff:ff',
      tags: [{ tpid: 0x88a8, id: 200 }, { id: 2001 }],
      payload: arp({ op: 'request', senderMac: '00:11:22:33:44:55', senderIp: '192.168.1.1', targetIp: '192.168.1.2' }),
    });
    const p = decode(frame);
    expect(names(p)).toEqual(['eth', 'vlan', 'vlan', 'arp']);
    expect(fields(p, Layer.Arp)).toMatchObject({
      opcode: 1,
      senderMac: '00:11:22:33:44:55',
      senderIp: '192.168.1.1',
      targetMac: '00:00:00:00:00:00',
      targetIp: '192.168.1.2',
    });
  });

  it('more tags than the VLAN table holds: every tag is still a layer, the overflow is reported', () => {
    const reg = l2l4Registry();
    reg.depth = 64;
    const tags = Array.from({ length: 20 }, (_, k) => ({ id: k + 1 }));
    const p = decode(tagged(tags), { reg });
    expect(names(p)).toEqual(['eth', ...tags.map(() => 'vlan'), 'ipv4', 'icmp']);
    expect(p.vlanCount).toBe(16);
    expect(problems(p)).toEqual(['depth-limit@vlan', 'depth-limit@vlan', 'depth-limit@vlan', 'depth-limit@vlan']);
    expect(fields(p, Layer.Vlan, 19).id).toBe(20);
  });

  it('records a truncated tag without pushing it', () => {
    const frame = tagged([{ id: 10 }, { id: 20 }]);
    const p = decode(frame.subarray(0, 14 + 4 + 3));
    expect(names(p)).toEqual(['eth', 'vlan']);
    expect(problems(p)).toEqual(['truncated@vlan']);
  });
});

describeWith({ tools: ['tshark'] }, 'vlan decoder vs tshark', () => {
  it('agrees on tag ids for 0x8100, 0x88a8 and 0x9100 stacks', () => {
    const frames = [
      tagged([{ id: 10 }]),
      tagged([{ tpid: 0x88a8, id: 200 }, { id: 2001 }]),
      tagged([{ tpid: 0x9100, id: 30 }, { id: 31 }, { id: 32 }]),
      tagged([{ tpid: 0x88a8, id: 1 }, { tpid: 0x8100, id: 2 }, { id: 3 }, { id: 4094 }]),
    ];
    const rows = tsharkFields(tempPcap(frames), ['vlan.id', 'ieee8021ad.id', 'ip.src']);
    frames.forEach((f, n) => {
      const p = decode(f);
      const q: number[] = [];
      const ad: number[] = [];
      for (let k = 0; k < p.vlanCount; k++) (p.vlanTpid[k] === 0x88a8 ? ad : q).push(p.vlanTci[k] & 0xfff);
      expect(q.join(',')).toBe(rows[n]['vlan.id']);
      expect(ad.join(',')).toBe(rows[n]['ieee8021ad.id']);
      expect(fields(p, Layer.Ipv4).src).toBe(rows[n]['ip.src']);
    });
  });
});
