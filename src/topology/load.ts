/**
 * `loadTopology(sources)`: read every `--topology` source, sniff what each file is, and build one
 * Topology. A source is a file, a folder (read recursively; per-host dumps are grouped by the
 * folder they sit in) or a live OVN Southbound address `ovsdb:tcp:HOST:PORT` / `ovsdb:unix:PATH`.
 *
 * Precedence, weakest first: offline OVN dumps, labels learnt from other hosts' routes, per-host
 * dumps (vRouter, OVS), live OVN databases, static maps.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseJson, TopologyError } from './errors.js';
import { Facts } from './facts.js';
import { newHostDump, type HostDump } from './host-dump.js';
import { hostFacts } from './hosts.js';
import { Inventory, isLibvirtXml, isNovaTable } from './inventory.js';
import { ovnFacts, type OvnTables } from './ovn.js';
import { addOvnJson, addOvnListText, isOvnJson, isOvnListText } from './ovn-files.js';
import { LiveOvnSource } from './ovn-live.js';
import { isOvsText, parseOvs } from './ovs.js';
import { isStaticMap, staticMapFacts } from './static-map.js';
import { TopologyIndex } from './lookup.js';
import type { Topology } from './types.js';
import { isVrouterText, parseVrouter } from './vrouter.js';

export interface LoadTopologyOptions {
  /** Connect / request timeout for live OVSDB sources, ms (default 5000). */
  timeoutMs?: number;
  /** Keep live OVSDB connections open and follow updates (default true). */
  follow?: boolean;
  /** First wait before reopening a lost followed OVSDB connection, ms (default 1000; doubles up to 30 s). */
  retryMs?: number;
  /** Inactivity probe of followed OVSDB connections, ms: an echo after this much silence, the connection given up after as much again (default 5000; 0: none). */
  probeMs?: number;
  /** Non-fatal remarks (skipped rows, files in a folder that are not topology). Default: ignored. */
  warn?: (msg: string) => void;
  /** TunnelNames cache size (distinct tunnel ids). */
  cacheSize?: number;
}

/** Largest topology file read (a text dump bigger than this is not a dump). */
const MAX_FILE = 512 * 1024 * 1024;
const MAX_DEPTH = 6;

/** What a file turned out to be. */
export type TopologyFileKind = 'ovn-json' | 'ovn-list' | 'static-map' | 'vrouter' | 'ovs' | 'libvirt' | 'nova' | 'unknown';

/** Sniff a file's kind from its content. */
export function sniffTopologyFile(text: string, file: string): { kind: TopologyFileKind; json?: unknown } {
  const head = text.trimStart();
  if (head.startsWith('{') || head.startsWith('[')) {
    const json = parseJson(text, file);
    if (isOvnJson(json)) return { kind: 'ovn-json', json };
    if (isStaticMap(json)) return { kind: 'static-map', json };
    return { kind: 'unknown' };
  }
  if (isLibvirtXml(text)) return { kind: 'libvirt' };
  if (isOvnListText(text)) return { kind: 'ovn-list' };
  if (isVrouterText(text)) return { kind: 'vrouter' };
  if (isOvsText(text)) return { kind: 'ovs' };
  if (isNovaTable(text)) return { kind: 'nova' };
  return { kind: 'unknown' };
}

async function listFiles(path: string, depth: number, out: string[]): Promise<void> {
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(path, e.name);
    if (e.isDirectory()) {
      if (depth < MAX_DEPTH) await listFiles(p, depth + 1, out);
    } else if (e.isFile()) out.push(p);
  }
}

export async function loadTopology(sources: readonly string[], opts: LoadTopologyOptions = {}): Promise<Topology> {
  const warn = opts.warn ?? (() => {});
  const ovnTables: OvnTables = {};
  const inventory = new Inventory();
  const hostDumps = new Map<string, HostDump[]>();
  const staticMaps: { doc: Record<string, unknown>; file: string }[] = [];
  const live: LiveOvnSource[] = [];
  const closeAll = () => live.forEach((l) => l.close());

  try {
    for (const src of sources) {
      if (src.startsWith('ovsdb:')) {
        const address = src.slice(6);
        try {
          live.push(
            await LiveOvnSource.open(address, { timeoutMs: opts.timeoutMs ?? 5000, follow: opts.follow ?? true, retryMs: opts.retryMs, probeMs: opts.probeMs, warn }),
          );
        } catch (e) {
          throw new TopologyError((e as Error).message, address);
        }
        continue;
      }
      let st;
      try {
        st = await stat(src);
      } catch (e) {
        throw new TopologyError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, src);
      }
      const files: string[] = [];
      if (st.isDirectory()) await listFiles(src, 0, files);
      else files.push(src);
      for (const file of files) {
        const size = (await stat(file)).size;
        if (size > MAX_FILE) throw new TopologyError(`file too large for a topology dump (${size} bytes)`, file);
        const text = await readFile(file, 'utf8');
        const { kind, json } = sniffTopologyFile(text, file);
        const group = (): HostDump => {
          const dir = dirname(file);
          let list = hostDumps.get(dir);
          if (!list) hostDumps.set(dir, (list = []));
          const d = newHostDump(file);
          list.push(d);
          return d;
        };
        switch (kind) {
          case 'ovn-json':
            addOvnJson(json, file, ovnTables, warn);
            break;
          case 'ovn-list':
            addOvnListText(text, file, ovnTables);
            break;
          case 'static-map':
            staticMaps.push({ doc: json as Record<string, unknown>, file });
            break;
          case 'vrouter':
            parseVrouter(text, file, group());
            break;
          case 'ovs':
            parseOvs(text, file, group());
            break;
          case 'libvirt':
            inventory.addLibvirtXml(text, file);
            break;
          case 'nova':
            inventory.addNovaTable(text, file);
            break;
          default:
            if (files.length === 1 && !st.isDirectory()) {
              throw new TopologyError(
                'not a topology source peelcap knows (ovn-sbctl JSON or list output, static map JSON, vRouter mpls/nh/vif/rt output, ovs-ofctl dump-flows, ovs-vsctl show, libvirt XML, nova list)',
                file,
              );
            }
            warn(`${file}: not a topology file peelcap knows: skipped`);
        }
      }
    }

    const statics = staticMaps.map((s) => staticMapFacts(s.doc, s.file, inventory));
    const remote: Facts[] = [];
    const own: Facts[] = [];
    for (const [dir, dumps] of hostDumps) {
      const f = hostFacts(dir, dumps, inventory);
      remote.push(f.remote);
      own.push(f.own);
    }
    const layers = [ovnFacts(ovnTables, warn), ...remote, ...own, ...live.map((l) => l.facts()), ...statics];
    const index = new TopologyIndex(layers, [closeAll], { cacheSize: opts.cacheSize });
    const firstLive = 1 + remote.length + own.length;
    live.forEach((l, i) => (l.onChange = (facts) => index.replaceLayer(firstLive + i, facts)));
    return index;
  } catch (e) {
    closeAll();
    throw e;
  }
}
