/**
 * Topology naming: turn VNIs, labels and OVN port keys into networks, ports, hosts and VMs.
 * `loadTopology(sources)` is the entry point; the CLI's `--topology SRC` passes its values here.
 */
export type { Topology, TunnelNames } from './types.js';
export { loadTopology, sniffTopologyFile, type LoadTopologyOptions, type TopologyFileKind } from './load.js';
export { TopologyError } from './errors.js';
export { TopologyIndex } from './lookup.js';
export { Facts, type LabelTarget } from './facts.js';
