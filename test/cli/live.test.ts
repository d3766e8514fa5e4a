/**
 * Live capture on the loopback interface: real VXLAN and Geneve datagrams sent from a UDP socket to
 * 127.0.0.1:4789 / :6081 go through tcpdump into peelcap. Needs tcpdump and capture rights (root).
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eth, geneve, icmpEcho, ipv4, ovnOption, vxlan } from '../../samples/craft.js';
import { describeWith } from '../helpers/env.js';
import { bin, ensureBuilt } from './run-cli.js';

// VNIs nobody else uses, so concurrent traffic on lo cannot match
const VXLAN_VNI = 7340033;
const GENEVE_VNI = 7340034;
const SIGINT_VNI = 7340035;

function inner(src: string, dst: string, seq: number): Uint8Array {
  return eth({
    src: '02:00:00:00:00:01',
    dst: '02:00:00:00:00:02',
    payload: ipv4({ src, dst, payload: icmpEcho({ type: 'request', id: 4242, seq }) }),
  });
}

const sockets: Socket[] = [];

async function bound(port: number): Promise<void> {
  // a listener, so the kernel sends no ICMP port-unreachable back; a busy port is fine too
  const s = createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((resolve) => {
    s.once('error', () => resolve());
    s.bind(port, '127.0.0.1', () => resolve());
  });
}

/** Send every 50 ms until stopped. */
function sendLoop(packets: [number, Uint8Array][]): () => void {
  const s = createSocket('udp4');
  const t = setInterval(() => {
    for (const [port, data] of packets) s.send(data, port, '127.0.0.1');
  }, 50);
  return () => {
    clearInterval(t);
    s.close();
  };
}

function run(args: string[]): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { done, child };
}

beforeAll(async () => {
  ensureBuilt();
  await bound(4789);
  await bound(6081);
});

afterAll(() => sockets.forEach((s) => s.close()));

describeWith({ tools: ['tcpdump'] }, 'peelcap live capture on lo', () => {
  it('decodes VXLAN and Geneve sent over the loopback interface', async () => {
    const { done } = run(['json', '-i', 'lo', '-c', '4', `vni == ${VXLAN_VNI} or vni == ${GENEVE_VNI}`]);
    const stop = sendLoop([
      [4789, vxlan({ vni: VXLAN_VNI, payload: inner('10.70.0.1', '10.70.0.2', 1) })],
      [6081, geneve({ vni: GENEVE_VNI, critical: true, options: [ovnOption(3, 4)], payload: inner('10.80.0.1', '10.80.0.2', 2) })],
    ]);
    const r = await done;
    stop();
    expect(r.code, r.stderr).toBe(0);
    const pkts = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(pkts).toHaveLength(4);
    const vx = pkts.find((p) => p.tunnels[0]?.type === 'vxlan');
    const ge = pkts.find((p) => p.tunnels[0]?.type === 'geneve');
    expect(vx).toMatchObject({ vnis: [VXLAN_VNI], inner: { src: '10.70.0.1', dst: '10.70.0.2', proto: 'icmp' } });
    expect(vx.tunnels[0]).toMatchObject({ src: '127.0.0.1', dst: '127.0.0.1', dport: 4789 });
    expect(ge).toMatchObject({ vnis: [GENEVE_VNI], inner: { src: '10.80.0.1', dst: '10.80.0.2', icmp: { seq: 2 } } });
    expect(ge.tunnels[0].ovn).toEqual({ inport: 3, outport: 4 });
    expect(pkts[0].ts).toMatch(/^\d+\.\d{9}$/);
  }, 30_000);

  it('Ctrl-C (SIGINT) ends cleanly with the packet count on stderr', async () => {
    const { done, child } = run(['live', '-i', 'lo', '-t', `vni == ${SIGINT_VNI}`]);
    const stop = sendLoop([[4789, vxlan({ vni: SIGINT_VNI, payload: inner('10.90.0.1', '10.90.0.2', 3) })]]);
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGINT');
    const r = await done;
    stop();
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines[0]).toBe(`127.0.0.1>127.0.0.1 vxlan vni ${SIGINT_VNI} | 10.90.0.1 > 10.90.0.2 ICMP echo request id 4242 seq 3`);
    expect(r.stderr).toBe(`${lines.length} packet${lines.length === 1 ? '' : 's'} (interrupted)\n`);
  }, 30_000);

  it('a missing interface is one clear message and exit 1', async () => {
    const { done } = run(['read', '-i', 'nosuchif0']);
    const r = await done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/live capture on 'nosuchif0' failed: tcpdump exited with 1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
