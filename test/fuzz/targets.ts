/**
 * Fuzz targets shared by the vitest properties (test/fuzz/*.test.ts) and the long-running campaign
 * (`npm run fuzz -- --minutes N`). Each target takes raw input and throws only when an invariant is
 * broken: an unexpected exception type, an out-of-bounds layer, a table overflow.
 */
import { createRegistry } from '../../decoders/index.js';
import { CaptureError, CaptureParser, createRecord } from '../../src/capture/index.js';
import { compileFilter, FilterError } from '../../src/filter/index.js';
import { Layer } from '../../src/layers.js';
import { MAX_LABELS, MAX_LAYERS, MAX_OPTIONS, MAX_PROBLEMS, MAX_TUNNELS, MAX_VLANS, PacketView } from '../../src/packet.js';
import { peel } from '../../src/peel.js';

/** Link types a record can carry, and the layers a fuzz case may start at directly. */
export const LINKTYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147] as const;
export const START_LAYERS: readonly Layer[] = [
  Layer.Ethernet,
  Layer.Ipv4,
  Layer.Ipv6,
  Layer.Udp,
  Layer.Gre,
  Layer.Erspan,
  Layer.Mpls,
  Layer.Vxlan,
  Layer.VxlanGpe,
  Layer.Nsh,
  Layer.Geneve,
  Layer.ContrailMirror,
  Layer.Jmirror,
  Layer.Ppp,
];

const reg = createRegistry();
const view = new PacketView();
const rec = createRecord();

export class InvariantError extends Error {
  override name = 'InvariantError';
}

function invariant(ok: boolean, what: string): void {
  if (!ok) throw new InvariantError(what);
}

/**
 * Decode `bytes` as one packet (placed at an offset inside a larger buffer, so reading past the
 * packet would find foreign bytes rather than undefined) and check the view's invariants. Every
 * decoded layer is also materialised with its decoder's fields(). Returns the layer kinds.
 */
export function decodeCase(bytes: Uint8Array, linktype: number, first?: Layer): number[] {
  const pad = 16;
  const buf = new Uint8Array(bytes.length + 2 * pad).fill(0xa5);
  buf.set(bytes, pad);
  rec.buf = buf;
  rec.offset = pad;
  rec.caplen = bytes.length;
  rec.len = bytes.length;
  rec.linktype = linktype;
  peel(view, rec, reg, first ?? reg.linkLayer(linktype));
  const p = view;
  invariant(p.layerCount <= Math.min(reg.depth, MAX_LAYERS), `layerCount ${p.layerCount} > depth`);
  invariant(p.tunnelCount <= MAX_TUNNELS && p.labelCount <= MAX_LABELS, 'tunnel/label table overflow');
  invariant(p.vlanCount <= MAX_VLANS && p.optCount <= MAX_OPTIONS, 'vlan/option table overflow');
  invariant(p.problemCount <= MAX_PROBLEMS, 'problem table overflow');
  const kinds: number[] = [];
  for (let i = 0; i < p.layerCount; i++) {
    const s = p.layerStart[i];
    const e = p.layerEnd[i];
    invariant(s >= p.start && s <= e && e <= p.capEnd, `layer ${i} [${s},${e}) outside the packet [${p.start},${p.capEnd})`);
    invariant(p.layerLimit[i] <= p.capEnd, `layer ${i} limit past the captured data`);
    const m = reg.modules[p.layerKind[i]];
    invariant(m !== undefined, `layer ${i} has no decoder module`);
    m!.fields(p, i);
    kinds.push(p.layerKind[i]);
  }
  for (let t = 0; t < p.tunnelCount; t++) {
    invariant(p.tunnelLayer[t] >= 0 && p.tunnelLayer[t] < p.layerCount, `tunnel ${t} points outside the layers`);
    const a = p.tunnelStrALen[t];
    if (a >= 0) invariant(p.tunnelStrAStart[t] + a <= p.capEnd, `tunnel ${t} string A past the data`);
    const b = p.tunnelStrBLen[t];
    if (b >= 0) invariant(p.tunnelStrBStart[t] + b <= p.capEnd, `tunnel ${t} string B past the data`);
  }
  for (let o = 0; o < p.optCount; o++) {
    invariant(p.optStart[o] + p.optLen[o] <= p.capEnd, `option ${o} data past the captured bytes`);
  }
  return kinds;
}

/** The decoded view of the last decodeCase (for tests that look further). */
export function lastView(): PacketView {
  return view;
}

/** Parse `bytes` as a capture file; only CaptureError may escape. Returns the packets delivered. */
export function readerCase(bytes: Uint8Array, chunk = 4096): number {
  let packets = 0;
  const parser = new CaptureParser(
    {
      onRecord(r) {
        invariant(r.offset >= 0 && r.offset + r.caplen <= r.buf.length, 'record view outside its chunk');
        invariant(r.tsNsec >= 0 && r.tsNsec < 1e9, `tsNsec ${r.tsNsec} out of range`);
        packets++;
      },
    },
    { name: 'fuzz' },
  );
  try {
    for (let i = 0; i < bytes.length; i += chunk) parser.push(bytes.subarray(i, i + chunk));
    parser.end();
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    invariant(/fuzz/.test(e.message) && /offset \d+/.test(e.message), `error without name/offset: ${e.message}`);
  }
  return packets;
}

/** Compile filter text; only FilterError may escape. The compiled predicate runs on a decoded packet. */
export function filterCase(text: string): boolean {
  try {
    const f = compileFilter(text);
    f(view);
    return true;
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return false;
  }
}
