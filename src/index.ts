/**
 * peelcap: peel overlay tunnels (VXLAN, Geneve/OVN, MPLS over GRE/UDP, GRE, ERSPAN, Contrail mirror,
 * jmirror, VLAN) off pcap/pcapng captures.
 *
 * High level: {@link openCapture} / {@link decodePackets} (for await over {@link DecodedPacket}
 * objects) and {@link PeelTransform} (a Node stream). Low level, zero-copy: {@link readCapture} +
 * {@link peel} into a reused {@link PacketView}. Output: {@link createWriter} (pcap/pcapng),
 * {@link describePacket}, {@link formatLine}, {@link StatsCollector}.
 *
 * @packageDocumentation
 */

// High-level decoding
export { openCapture, decodePackets, PeelTransform, Capture, type DecodeOptions } from './api.js';
export {
  describePacket,
  describeTunnel,
  describeInner,
  type DecodedPacket,
  type TunnelInfo,
  type TunnelType,
  type InnerInfo,
  type GeneveOption,
  type DecodeError,
  type PacketNames,
  type DescribeOptions,
} from './describe.js';

// Low-level engine
export { PacketView, TunnelFlag } from './packet.js';
export { peel } from './peel.js';
export { Registry, DecodeAsError } from './registry.js';
export { createRegistry, DECODERS } from '../decoders/index.js';
export type { DecoderModule, DecoderDefaults } from '../decoders/types.js';
export { Layer, Tunnel, Problem, MplsRule, LAYER_NAMES, TUNNEL_NAMES, PROBLEM_NAMES, MPLS_RULE_NAMES } from './layers.js';
export { runPipeline, type PipelineOptions, type PipelineResult, type PacketFilter } from './pipeline.js';

// Captures in and out
export {
  readCapture,
  CaptureParser,
  createWriter,
  PcapWriter,
  PcapngWriter,
  CaptureError,
  copyRecord,
  type CaptureSource,
  type ReadOptions,
  type ReadSummary,
  type CaptureRecord,
  type InterfaceInfo,
  type OwnedRecord,
  type RecordSink,
  type CaptureFormat,
  type PacketWriter,
  type WriteFormat,
  type WriterInterface,
  type WriteTarget,
} from './capture/index.js';

// Filter and topology
export { compileFilter, validateFilter, FilterError, FIELDS, type CompiledFilter, type FilterOptions } from './filter/index.js';
export { toBpf, BpfError, type BpfResult } from './filter/bpf.js';
export { loadTopology, TopologyError, type Topology, type TunnelNames, type LoadTopologyOptions } from './topology/index.js';

// Output helpers (what the CLI uses)
export { formatLine, formatContext, formatInner, type TextLineOptions } from './output/text.js';
export { TimeFormatter, type TimeMode } from './output/time.js';
export { StatsCollector, renderStats, type StatsReport, type StatsRow, type ConversationRow } from './output/stats.js';
export { StripSink, type StripOptions, type InterfacePer } from './output/strip.js';
export type { PacketSink } from './output/sink.js';

// Live capture
export { startLiveCapture, LiveCapture, LiveCaptureError, type LiveOptions } from './live.js';
