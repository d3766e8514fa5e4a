import type { CaptureRecord } from './capture/record.js';
import { Layer, Problem, Tunnel } from './layers.js';

/** Hard capacities of the reused tables. `--depth` can only lower the layer limit. */
export const MAX_LAYERS = 64;
export const MAX_TUNNELS = 32;
export const MAX_LABELS = 64;
export const MAX_VLANS = 16;
export const MAX_OPTIONS = 64;
export const MAX_PROBLEMS = 8;

const EMPTY = new Uint8Array(0);

/**
 * Tunnel flag bits (PacketView.tunnelFlags), by tunnel kind. They start at bit 16 because the low 16
 * bits hold a copy of the header's own flag word for some kinds (GRE flags/version, ERSPAN VLAN, VXLAN flags).
 */
export const enum TunnelFlag {
  /** VXLAN / Geneve / GRE: a reserved field is not zero (tolerated, reported). */
  ReservedNonZero = 1 << 16,
  GeneveOam = 1 << 17,
  GeneveCritical = 1 << 18,
  /** VXLAN Group Policy extension (G bit) present; id2 holds the group policy id. */
  VxlanGbp = 1 << 19,
  /** MPLS: a pseudowire control word follows the bottom label. */
  MplsControlWord = 1 << 20,
  /** Contrail mirror: the pre-2016 16-byte pcap record header precedes the TLVs. */
  ContrailLegacyHeader = 1 << 21,
  /** Contrail mirror: action flags say the copy was taken on ingress. */
  ContrailIngress = 1 << 22,
  /** GRE: version 1 (PPTP enhanced GRE). */
  GrePptp = 1 << 23,
  /** GRE carried in UDP (RFC 8086). */
  GreInUdp = 1 << 24,
}

/**
 * The decoded form of one packet: flat typed-array tables filled by the decoders, reused for every
 * packet of a stream (one instance per pipeline, nothing allocated per packet). Offsets are absolute
 * positions in `buf`; fields that nobody asked for stay in the bytes and are read on demand.
 *
 * Tunnel columns by kind (id / id2 are -1 when absent):
 * | kind            | id                 | id2                          | other columns                      |
 * |-----------------|--------------------|------------------------------|------------------------------------|
 * | vxlan           | VNI                | GBP group policy id          | flags: low 8 bits = VXLAN flags    |
 * | vxlan-gpe       | VNI                | next protocol                | flags: low 8 bits = flags          |
 * | geneve          | VNI                | protocol type                | options range, ovnIn/ovnOut        |
 * | gre             | key                | sequence number              | flags: low 16 bits = GRE flags/ver |
 * | mpls            | first label        | payload rule (MplsRule)      | labels range                       |
 * | erspan          | session id         | version (1, 2, 3)            | flags: low 16 bits = ERSPAN vlan   |
 * | contrail-mirror | action flags       | capturing host IPv4 (u32)    | strA = source VN, strB = dest VN   |
 * | jmirror         | session id         | mirror id                    |                                    |
 * | ipip            | -1                 | -1                           |                                    |
 */
export class PacketView {
  /** Chunk holding the packet (CaptureRecord.buf). */
  buf: Uint8Array = EMPTY;
  /** Packet start in buf. */
  start = 0;
  /** start + caplen. */
  capEnd = 0;
  /** Current decode limit: capEnd narrowed by enclosing length fields (IP total length, UDP length). */
  end = 0;
  /** Written by a decoder: where the next layer starts. */
  next = 0;

  frame = 0;
  tsSec = 0;
  tsNsec = 0;
  iface = 0;
  linktype = 0;
  caplen = 0;
  len = 0;
  comment: string | undefined = undefined;
  fileOffset = 0;

  layerCount = 0;
  readonly layerKind = new Uint8Array(MAX_LAYERS);
  /** First byte of the layer's header. */
  readonly layerStart = new Int32Array(MAX_LAYERS);
  /** First byte after the layer's header (its payload start). */
  readonly layerEnd = new Int32Array(MAX_LAYERS);
  /** End of the data the layer covers (p.end when it was pushed). */
  readonly layerLimit = new Int32Array(MAX_LAYERS);
  /** Checksum verdict of the layer (ChecksumVerdict from src/checksum.ts; 0 = not checked). */
  readonly layerCheck = new Uint8Array(MAX_LAYERS);

  tunnelCount = 0;
  readonly tunnelKind = new Uint8Array(MAX_TUNNELS);
  /** Layer index of the encapsulation header. */
  readonly tunnelLayer = new Int8Array(MAX_TUNNELS);
  /** Layer index of the IP header that carried the tunnel (-1 if none). */
  readonly tunnelOuterIp = new Int8Array(MAX_TUNNELS);
  /** Layer index of the UDP header that carried the tunnel (-1 if none). */
  readonly tunnelOuterUdp = new Int8Array(MAX_TUNNELS);
  readonly tunnelId = new Float64Array(MAX_TUNNELS);
  readonly tunnelId2 = new Float64Array(MAX_TUNNELS);
  readonly tunnelFlags = new Uint32Array(MAX_TUNNELS);
  readonly tunnelLabelStart = new Uint8Array(MAX_TUNNELS);
  readonly tunnelLabelCount = new Uint8Array(MAX_TUNNELS);
  readonly tunnelOptStart = new Uint8Array(MAX_TUNNELS);
  readonly tunnelOptCount = new Uint8Array(MAX_TUNNELS);
  /** OVN logical ingress / egress port keys from the Geneve option (-1 if absent). */
  readonly tunnelOvnIn = new Int32Array(MAX_TUNNELS);
  readonly tunnelOvnOut = new Int32Array(MAX_TUNNELS);
  /** Two byte-string fields per tunnel (offset in buf, length; length -1 = absent). */
  readonly tunnelStrAStart = new Int32Array(MAX_TUNNELS);
  readonly tunnelStrALen = new Int32Array(MAX_TUNNELS);
  readonly tunnelStrBStart = new Int32Array(MAX_TUNNELS);
  readonly tunnelStrBLen = new Int32Array(MAX_TUNNELS);

  /** MPLS label stack entries, raw 32-bit (label = e >>> 12, tc = (e >>> 9) & 7, s = (e >>> 8) & 1, ttl = e & 255). */
  labelCount = 0;
  readonly labels = new Uint32Array(MAX_LABELS);

  /** VLAN tags in order: TPID and TCI (id = tci & 0xfff, pcp = tci >>> 13, dei = (tci >>> 12) & 1). */
  vlanCount = 0;
  readonly vlanTpid = new Uint16Array(MAX_VLANS);
  readonly vlanTci = new Uint16Array(MAX_VLANS);

  /** Geneve options (all Geneve headers of the packet, in order). Data is buf[optStart, optStart+optLen). */
  optCount = 0;
  readonly optClass = new Uint16Array(MAX_OPTIONS);
  readonly optType = new Uint8Array(MAX_OPTIONS);
  readonly optStart = new Int32Array(MAX_OPTIONS);
  readonly optLen = new Uint8Array(MAX_OPTIONS);

  problemCount = 0;
  readonly problemKind = new Uint8Array(MAX_PROBLEMS);
  /** Layer (kind) being decoded when the problem was found. */
  readonly problemLayer = new Uint8Array(MAX_PROBLEMS);
  /** Offset relative to the packet start. */
  readonly problemOffset = new Int32Array(MAX_PROBLEMS);

  /** Set by finish(): layer indexes of the innermost frame (-1 when absent). */
  innerStart = -1;
  innerL2 = -1;
  innerL3 = -1;
  innerL4 = -1;
  /** Outermost IP layer (-1 when none). */
  outerL3 = -1;

  /** Start decoding a new record. */
  reset(rec: CaptureRecord): void {
    this.buf = rec.buf;
    this.start = rec.offset;
    this.capEnd = rec.offset + rec.caplen;
    this.end = this.capEnd;
    this.next = rec.offset;
    this.frame = rec.frame;
    this.tsSec = rec.tsSec;
    this.tsNsec = rec.tsNsec;
    this.iface = rec.iface;
    this.linktype = rec.linktype;
    this.caplen = rec.caplen;
    this.len = rec.len;
    this.comment = rec.comment;
    this.fileOffset = rec.fileOffset;
    this.layerCount = 0;
    this.tunnelCount = 0;
    this.labelCount = 0;
    this.vlanCount = 0;
    this.optCount = 0;
    this.problemCount = 0;
    this.innerStart = -1;
    this.innerL2 = -1;
    this.innerL3 = -1;
    this.innerL4 = -1;
    this.outerL3 = -1;
  }

  /**
   * Record a layer whose header spans [start, headerEnd). Narrow `end` first when the header has a
   * length field, so layerLimit is right. Returns the layer index, or -1 when the table is full
   * (the caller then stops; the depth problem is recorded here).
   */
  pushLayer(kind: Layer, start: number, headerEnd: number): number {
    const i = this.layerCount;
    if (i >= MAX_LAYERS) {
      this.problem(Problem.DepthLimit, kind, start);
      return -1;
    }
    this.layerKind[i] = kind;
    this.layerStart[i] = start;
    this.layerEnd[i] = headerEnd;
    this.layerLimit[i] = this.end;
    this.layerCheck[i] = 0;
    this.layerCount = i + 1;
    return i;
  }

  /**
   * Record an encapsulation whose header is layer `layer`; the carrying IP and UDP layers are found
   * by looking back. Returns the tunnel index or -1 when the table is full.
   */
  pushTunnel(kind: Tunnel, layer: number): number {
    const t = this.tunnelCount;
    if (t >= MAX_TUNNELS) {
      this.problem(Problem.DepthLimit, this.layerKind[layer], this.layerStart[layer]);
      return -1;
    }
    let ip = -1;
    let udp = -1;
    for (let i = layer - 1; i >= 0; i--) {
      const k = this.layerKind[i];
      if (k === Layer.Udp && udp < 0 && ip < 0) udp = i;
      else if (k === Layer.Ipv4 || k === Layer.Ipv6) {
        ip = i;
        break;
      }
    }
    // IP-in-IP: the tunnel header is the outer IP itself.
    if (kind === Tunnel.IpInIp) ip = layer;
    this.tunnelKind[t] = kind;
    this.tunnelLayer[t] = layer;
    this.tunnelOuterIp[t] = ip;
    this.tunnelOuterUdp[t] = udp;
    this.tunnelId[t] = -1;
    this.tunnelId2[t] = -1;
    this.tunnelFlags[t] = 0;
    this.tunnelLabelStart[t] = this.labelCount;
    this.tunnelLabelCount[t] = 0;
    this.tunnelOptStart[t] = this.optCount;
    this.tunnelOptCount[t] = 0;
    this.tunnelOvnIn[t] = -1;
    this.tunnelOvnOut[t] = -1;
    this.tunnelStrALen[t] = -1;
    this.tunnelStrBLen[t] = -1;
    this.tunnelCount = t + 1;
    return t;
  }

  /** Append an MPLS label stack entry to the current (last) tunnel. False when the table is full. */
  addLabel(entry: number): boolean {
    if (this.labelCount >= MAX_LABELS) return false;
    this.labels[this.labelCount++] = entry;
    if (this.tunnelCount > 0) this.tunnelLabelCount[this.tunnelCount - 1]++;
    return true;
  }

  addVlan(tpid: number, tci: number): boolean {
    if (this.vlanCount >= MAX_VLANS) return false;
    this.vlanTpid[this.vlanCount] = tpid;
    this.vlanTci[this.vlanCount++] = tci;
    return true;
  }

  /** Append a Geneve option to the current (last) tunnel. False when the table is full. */
  addOption(cls: number, type: number, dataStart: number, dataLen: number): boolean {
    if (this.optCount >= MAX_OPTIONS) return false;
    const i = this.optCount++;
    this.optClass[i] = cls;
    this.optType[i] = type;
    this.optStart[i] = dataStart;
    this.optLen[i] = dataLen;
    if (this.tunnelCount > 0) this.tunnelOptCount[this.tunnelCount - 1]++;
    return true;
  }

  /**
   * Where the current decode window ended on the wire: `end` when an enclosing length field narrowed
   * it below the captured bytes, else the packet's original length (the capture may hold fewer bytes
   * than that: snaplen). A length field reaching past this point lies; one reaching only past `end`
   * means the capture was cut short.
   */
  wireEnd(): number {
    const orig = this.start + this.len;
    return this.end < this.capEnd ? this.end : orig > this.capEnd ? orig : this.capEnd;
  }

  /**
   * Whether a header of `size` bytes at `off` lies inside the decode limit; when it does not, the
   * truncation is recorded against `kind`. The bounds check every decoder starts with.
   */
  fits(kind: Layer, off: number, size: number): boolean {
    if (off + size <= this.end) return true;
    this.problem(Problem.Truncated, kind, off);
    return false;
  }

  /** Record a decode problem at absolute offset `at`. Extra problems beyond the table are dropped. */
  problem(kind: Problem, layer: Layer, at: number): void {
    const i = this.problemCount;
    if (i >= MAX_PROBLEMS) return;
    this.problemKind[i] = kind;
    this.problemLayer[i] = layer;
    this.problemOffset[i] = at - this.start;
    this.problemCount = i + 1;
  }

  /** Derive the inner/outer indexes once decoding has stopped. */
  finish(): void {
    const n = this.layerCount;
    const kinds = this.layerKind;
    let first = 0;
    if (this.tunnelCount > 0) first = this.tunnelLayer[this.tunnelCount - 1] + 1;
    while (first < n && kinds[first] === Layer.PwControlWord) first++;
    for (let i = 0; i < n; i++) {
      const k = kinds[i];
      if (k === Layer.Ipv4 || k === Layer.Ipv6) {
        this.outerL3 = i;
        break;
      }
    }
    if (first >= n) return;
    this.innerStart = first;
    if (kinds[first] === Layer.Ethernet) this.innerL2 = first;
    for (let i = first; i < n; i++) {
      const k = kinds[i];
      if (this.innerL3 < 0) {
        if (k === Layer.Ipv4 || k === Layer.Ipv6 || k === Layer.Arp) this.innerL3 = i;
      } else if (k === Layer.Udp || k === Layer.Tcp || k === Layer.Icmp || k === Layer.Icmpv6) {
        this.innerL4 = i;
        break;
      }
    }
  }

  /** Index of the first layer of `kind` at or after `from`, or -1. */
  findLayer(kind: Layer, from = 0): number {
    for (let i = from; i < this.layerCount; i++) if (this.layerKind[i] === kind) return i;
    return -1;
  }

  /** The packet's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.capEnd);
  }
}
