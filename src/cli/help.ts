/** `--help` text per command, with examples. */
import type { Command } from './args.js';

const COMMON = `Input (one of):
  FILE | -                 a pcap or pcapng file, or - for stdin
  -r FILE                  the same, tcpdump style
  -i IFACE                 capture live through tcpdump (or dumpcap)

Common options:
  -c N                     stop after N packets (that passed the filter)
  --decode-as SPEC         TABLE==VALUE=DECODER, repeatable, e.g. udp.port==8888=contrail-mirror,
                           udp.port==8472=vxlan, mpls.label==120=eth, ethertype==0x9999=vlan
  --topology SRC           load names (OVN/OVS dumps, vRouter dumps, host maps), repeatable;
                           ovsdb:tcp:HOST:PORT or ovsdb:unix:PATH reads a live OVN Southbound
                           (with -i: followed, and reopened when the server restarts)
  --depth N                decode at most N layers per packet (default 16)
  --checksums              validate IP/UDP/TCP checksums (reported as bad-checksum)
  -j, --jobs N             decode a capture file on up to N threads (default 1; one per ~1 GiB)
  -q                       no warnings or summary on stderr
  -h, --help               this help
FILTER is the trailing words, e.g.: vni == 8 and icmp   |   mpls.label == 31   |   inner.ip.src == 10.0.0.1`;

const TEXT: Record<Command | 'main', string> = {
  main: `peelcap — peel overlay tunnels (VXLAN, Geneve/OVN, MPLS over GRE/UDP, GRE, ERSPAN, Contrail
mirror, jmirror, VLAN) off pcap/pcapng captures.

Usage: peelcap COMMAND [options] FILE|-|-i IFACE [FILTER...]

Commands:
  read     one line per packet: tunnel context | inner summary (the default command)
  json     one JSON object per packet (JSON lines)
  strip    write the innermost frames to pcap/pcapng (decapsulate)
  stats    packets/bytes per tunnel kind, VNI, label stack, VLAN, endpoints, protocol, conversation
  live     read from an interface: peelcap live -i eth0 (= peelcap read -i eth0)
  bpf      print the tcpdump/BPF expression for a filter

Examples:
  peelcap capture.pcap
  peelcap read capture.pcap vni == 8
  peelcap json -c 10 capture.pcapng | jq .tunnels
  peelcap strip capture.pcap -w - | tcpdump -nr -
  peelcap stats capture.pcap
  sudo peelcap live -i eth0 geneve

'peelcap COMMAND --help' shows the options of a command. Exit codes: 0 done, 1 input error, 2 bad usage.`,

  read: `Usage: peelcap read FILE|-|-i IFACE [options] [FILTER...]

One tcpdump-like line per packet: the tunnel context, '|', then the innermost frame, e.g.
  12:07:02.093007 gre 172.20.0.25>172.20.0.23 mpls[31] | 12.12.0.102 > 10.10.0.100 ICMP echo request id 15119 seq 20030
Decode problems end the line: [truncated in udp at 34].

Output options:
  -t                       no timestamp
  -tt                      seconds since the epoch
  -ttt                     delta to the previous packet
  -tttt                    date and time
  -ttttt                   delta to the first packet
  --nano                   nanosecond fractions (default microseconds)
  -v                       add every field of every layer, one indented line per layer

${COMMON}

Examples:
  peelcap read capture.pcap
  peelcap capture.pcap 'vni == 8 and icmp'
  peelcap read -tttt -c 5 capture.pcapng
  cat capture.pcap | peelcap read -
  peelcap read capture.pcap --decode-as udp.port==8888=contrail-mirror`,

  json: `Usage: peelcap json FILE|-|-i IFACE [options] [FILTER...]

One JSON object per line (schema: README, "JSON lines"): frame, ts, iface, caplen, len, layers,
tunnels, vnis, labels, vlans, inner, names (with --topology), errors.

Output options:
  -v                       add "detail": every field of every layer

${COMMON}

Examples:
  peelcap json capture.pcap
  peelcap json capture.pcap geneve | jq -c '{vni: .vnis[0], inner}'
  peelcap json -i eth0 -c 100`,

  strip: `Usage: peelcap strip FILE|-|-i IFACE -w OUT|- [options] [FILTER...]

Write the innermost frame of each packet (everything after the last tunnel header) with its
original timestamp. Inner IP packets without Ethernet get the raw-IP link type (101) unless --eth.
Packets without a tunnel are written whole.

Output options:
  -w OUT                   output file; - = stdout. A .pcapng name selects pcapng
  --format F               pcap (µs), pcap-ns or pcapng
  --eth                    give inner IP packets a synthesized Ethernet header (00:00:00:00:00:00)
  --interface-per K        pcapng: one interface per vni, label (MPLS stack) or tunnel, named e.g. vni-8
  --no-comments            pcapng: do not write the tunnel context as each packet's comment

${COMMON}

Examples:
  peelcap strip capture.pcap -w inner.pcap
  peelcap strip capture.pcap -w - | tcpdump -nr -
  peelcap strip capture.pcap -w inner.pcapng --interface-per vni
  peelcap strip -i eth0 -w inner.pcapng 'vni == 5001'`,

  stats: `Usage: peelcap stats FILE|-|-i IFACE [options] [FILTER...]

Packets and bytes per tunnel kind, VNI, MPLS label stack, VLAN, outer endpoint pair, inner
protocol, the top inner conversations and decode problems by kind.

Output options:
  --json                   the report as one JSON object
  --top N                  conversations to list (default 20)

${COMMON}

Examples:
  peelcap stats capture.pcap
  peelcap stats --json capture.pcap | jq .vnis
  peelcap stats -i eth0 -c 10000`,

  live: `Usage: peelcap live -i IFACE [options] [FILTER...]

Short for 'peelcap read -i IFACE': runs 'tcpdump -U -w - --time-stamp-precision nano -i IFACE'
(or dumpcap) and decodes what it captures. Ctrl-C stops and prints the packet count. Capturing
needs root or the cap_net_raw capability.

Output options: as for read (-t…, --nano, -v).

${COMMON}

Examples:
  sudo peelcap live -i eth0
  sudo peelcap live -i eth0 -c 20 geneve`,

  bpf: `Usage: peelcap bpf FILTER...

Print the tcpdump/libpcap capture filter equivalent to a peelcap filter, to capture only what you
want before peeling (exact where BPF can express it, a superset otherwise).

Examples:
  peelcap bpf 'vni == 8'
  tcpdump -i eth0 -w cap.pcap "$(peelcap bpf 'geneve and inner.ip.src == 10.0.0.1')"`,
};

export function helpText(command: Command | 'main'): string {
  return `${TEXT[command]}\n`;
}
