/**
 * What one per-host text dump (Contrail vRouter tools, OVS tools) says, before the files of one host
 * are put together. Shared by the parsers: pasted transcripts keep their shell prompts, and a prompt
 * names the host the command ran on.
 */

/** A vRouter next hop (`nh --get` / `nh --list`). */
export interface VrouterNh {
  id: number;
  /** Encap, Tunnel, Composite, Receive… */
  type: string;
  /** AF_INET, AF_INET6, AF_BRIDGE… */
  family: string;
  /** Interface index (vif) for Encap next hops. */
  oif?: number;
  /** Destination MAC written by an Encap next hop (first 6 bytes of Encap Data). */
  mac?: string;
  /** Tunnel destination IPv4 (u32) of a Tunnel next hop. */
  dip?: number;
}

/** A vRouter interface (`vif --get` / `vif --list`). */
export interface VrouterVif {
  name: string;
  mac?: string;
  ip?: string;
}

/** A labelled route (`rt --dump`): the label is the one the remote end (tunnel next hop) owns. */
export interface VrouterRoute {
  family: 'inet' | 'bridge';
  /** Prefix (inet) or MAC (bridge). */
  dest: string;
  label: number;
  nh: number;
  line: number;
}

/** A claim about which host a dump belongs to. */
export interface HostClaim {
  ip?: number;
  name?: string;
  /** Where the claim comes from, for error messages: "file:line (how)". */
  where: string;
}

export interface HostDump {
  file: string;
  /** vRouter: label -> next hop id. */
  readonly labels: Map<number, number>;
  readonly nhs: Map<number, VrouterNh>;
  readonly vifs: Map<number, VrouterVif>;
  readonly routes: VrouterRoute[];
  /** OVS ML2: tunnel id -> local VLAN on this host. */
  readonly vlans: Map<number, number>;
  readonly claims: HostClaim[];
}

export function newHostDump(file: string): HostDump {
  return { file, labels: new Map(), nhs: new Map(), vifs: new Map(), routes: [], vlans: new Map(), claims: [] };
}

/**
 * A shell prompt line: `cmpt001:~# mpls --get 31`, `root@cmpt002:~# nh --get 73`,
 * `(vrouter-agent)[root@server-5a /]$ vif --get 5`, `compute01# ovs-vsctl show`.
 */
const PROMPT = /^\s*(?:\([\w.-]+\))?\[?(?:[\w.-]+@)?([A-Za-z][\w.-]*)(?::\S*|\s+[^\]#$]*)?\]?\s?[#$]\s+(\S.*)$/;

export function matchPrompt(line: string): { host: string; command: string } | undefined {
  const m = PROMPT.exec(line);
  return m ? { host: m[1], command: m[2].trim() } : undefined;
}

/** `# compute: 172.20.0.23 cmpt001` / `# host: 10.0.10.14 compute0`: an explicit identity header. */
export function matchHostHeader(line: string): { ip?: string; name?: string } | undefined {
  const m = /^\s*#\s*(?:compute|host)\s*:\s*(\S+)(?:\s+(\S+))?\s*$/i.exec(line);
  if (!m) return undefined;
  return /^\d+\.\d+\.\d+\.\d+$/.test(m[1]) ? { ip: m[1], name: m[2] } : { name: m[1], ip: m[2] };
}

/** MAC text when `s` is one (vRouter prints `2:aa:f0:88:f0:65` without leading zeros). */
export function normalMac(s: string): string | undefined {
  const parts = s.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':');
}
