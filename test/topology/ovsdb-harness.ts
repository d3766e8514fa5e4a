/**
 * A throw-away OVN control plane for the live topology tests: NB and SB `ovsdb-server`s (the SB on a
 * unix socket and on a 127.0.0.1 TCP port) and `ovn-northd`, all in a temp dir, stopped by `stop()`.
 * Needs the Debian package ovn-central (ovsdb-server, ovsdb-tool from openvswitch-common).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Tools the lab needs (for describeWith). */
export const OVN_LAB_TOOLS = ['ovsdb-server', 'ovsdb-tool', 'ovsdb-client', 'ovn-northd', 'ovn-nbctl', 'ovn-sbctl'];

const SCHEMA_DIRS = [process.env.OVN_SCHEMA_DIR, '/usr/share/ovn', '/usr/local/share/ovn'].filter(Boolean) as string[];

export interface OvnLab {
  dir: string;
  /** `unix:PATH` of the Southbound server. */
  sbUnix: string;
  /** `tcp:127.0.0.1:PORT` of the Southbound server. */
  sbTcp: string;
  nbctl(...args: string[]): Promise<string>;
  sbctl(...args: string[]): Promise<string>;
  /** Stop the Southbound server (its clients see the connection close); the database file stays. */
  stopSb(): Promise<void>;
  /** Start the Southbound server again on the same sockets and database file. */
  startSb(): Promise<void>;
  /** Freeze / thaw the Southbound server (SIGSTOP / SIGCONT): connections stay open and go silent. */
  pauseSb(): void;
  resumeSb(): void;
  /** `ovsdb-tool transact` on the Southbound file while its server is stopped. */
  sbOffline(...ops: object[]): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`OVN lab: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startOvnLab(): Promise<OvnLab> {
  const schemaDir = SCHEMA_DIRS.find((d) => existsSync(join(d, 'ovn-sb.ovsschema')));
  if (!schemaDir) throw new Error(`OVN lab: no ovn-sb.ovsschema in ${SCHEMA_DIRS.join(', ')}`);
  const dir = await mkdtemp(join(tmpdir(), 'peelcap-ovn-'));
  const env = { ...process.env, OVS_RUNDIR: dir, OVS_DBDIR: dir, OVS_LOGDIR: dir, OVN_RUNDIR: dir, OVN_DBDIR: dir, OVN_LOGDIR: dir };
  const children: ChildProcess[] = [];
  const kill = async (c: ChildProcess) => {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  };
  const stop = async () => {
    for (const c of children.reverse()) await kill(c);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const nbSock = join(dir, 'nb.sock');
    const sbSock = join(dir, 'sb.sock');
    const port = await freePort();
    await run('ovsdb-tool', ['create', join(dir, 'nb.db'), join(schemaDir, 'ovn-nb.ovsschema')], { env });
    await run('ovsdb-tool', ['create', join(dir, 'sb.db'), join(schemaDir, 'ovn-sb.ovsschema')], { env });
    const start = (cmd: string, args: string[]) => {
      const c = spawn(cmd, args, { env, stdio: 'ignore', cwd: dir });
      children.push(c);
      return c;
    };
    start('ovsdb-server', [join(dir, 'nb.db'), `--remote=punix:${nbSock}`, `--unixctl=${join(dir, 'nb.ctl')}`, '-vconsole:off', `--log-file=${join(dir, 'nb.log')}`]);
    const sbArgs = [
      join(dir, 'sb.db'),
      `--remote=punix:${sbSock}`,
      `--remote=ptcp:${port}:127.0.0.1`,
      `--unixctl=${join(dir, 'sb.ctl')}`,
      '-vconsole:off',
      `--log-file=${join(dir, 'sb.log')}`,
    ];
    let sb = start('ovsdb-server', sbArgs);
    await waitFor('the database sockets', () => existsSync(nbSock) && existsSync(sbSock));
    start('ovn-northd', [
      `--ovnnb-db=unix:${nbSock}`,
      `--ovnsb-db=unix:${sbSock}`,
      `--unixctl=${join(dir, 'northd.ctl')}`,
      '-vconsole:off',
      `--log-file=${join(dir, 'northd.log')}`,
    ]);
    const ctl = (tool: string, db: string) => async (...args: string[]) =>
      (await run(tool, [`--db=${db}`, '--timeout=20', ...args], { env })).stdout.trim();
    const lab: OvnLab = {
      dir,
      sbUnix: `unix:${sbSock}`,
      sbTcp: `tcp:127.0.0.1:${port}`,
      nbctl: ctl('ovn-nbctl', `unix:${nbSock}`),
      sbctl: ctl('ovn-sbctl', `unix:${sbSock}`),
      stopSb: () => kill(sb),
      async startSb() {
        sb = start('ovsdb-server', sbArgs);
        await waitFor('the Southbound server', async () => (await run('ovsdb-client', ['list-dbs', `unix:${sbSock}`]).catch(() => undefined)) !== undefined);
      },
      pauseSb: () => void sb.kill('SIGSTOP'),
      resumeSb: () => void sb.kill('SIGCONT'),
      sbOffline: async (...ops) => (await run('ovsdb-tool', ['transact', join(dir, 'sb.db'), JSON.stringify(['OVN_Southbound', ...ops])], { env })).stdout,
      stop,
    };
    await lab.nbctl('--wait=sb', 'sync');
    return lab;
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The tunnel keys seed 004's routing post read back with `ovn-sbctl get` (lines 921-926, 939-944):
 * each switch's datapath key and the port keys inside it (port keys are only unique per datapath).
 */
export const SEED_004_TUNNEL_KEYS: Record<string, { key: number; ports: Record<string, number> }> = {
  network1: { key: 7, ports: { vm1: 1, 'net1-router1': 2 } },
  network2: { key: 8, ports: { vm2: 1, 'net2-router1': 2 } },
};

export interface SeedTopologyOptions {
  /**
   * Ask northd for the seed's tunnel keys (`SEED_004_TUNNEL_KEYS`) through ovn-nb(5)
   * `other_config:requested-tnl-key` / `options:requested-tnl-key`, so the seed's captures resolve.
   * Without it northd picks its own keys (1, 2, ... in a fresh database).
   */
  seedKeys?: boolean;
}

/**
 * The topology of seed 004 (trunk and routing posts): network1, network2, router1 with a port on
 * each, vm1, vm2, and the trunk subports child1 (parent vm1, VLAN 30) and child2 (parent vm2, VLAN 50);
 * two chassis with Geneve encaps. Waits until northd has written the Southbound.
 */
export async function buildSeedTopology(lab: OvnLab, opts: SeedTopologyOptions = {}): Promise<void> {
  const nb = lab.nbctl;
  // `-- set ...` rides in the same ovn-nbctl transaction, so northd never sees the row without its request.
  const request = (table: string, record: string, column: string, key: number | undefined) =>
    opts.seedKeys && key !== undefined ? ['--', 'set', table, record, `${column}:requested-tnl-key=${key}`] : [];
  const dpKey = (ls: string) => request('Logical_Switch', ls, 'other_config', SEED_004_TUNNEL_KEYS[ls]?.key);
  const portKey = (ls: string, port: string) => request('Logical_Switch_Port', port, 'options', SEED_004_TUNNEL_KEYS[ls]?.ports[port]);
  await nb('ls-add', 'network1', ...dpKey('network1'));
  await nb('ls-add', 'network2', ...dpKey('network2'));
  await nb('lsp-add', 'network1', 'vm1', ...portKey('network1', 'vm1'));
  await nb('lsp-add', 'network2', 'vm2', ...portKey('network2', 'vm2'));
  await nb('lsp-set-addresses', 'vm1', '40:44:00:00:00:01 192.168.0.11');
  await nb('lsp-set-addresses', 'vm2', '40:44:00:00:00:02 192.168.1.11');
  await nb('lr-add', 'router1');
  await nb('lrp-add', 'router1', 'router1-net1', '40:44:00:00:00:03', '192.168.0.1/24');
  await nb('lsp-add', 'network1', 'net1-router1');
  await nb('lsp-set-addresses', 'net1-router1', '40:44:00:00:00:03');
  await nb('lsp-set-type', 'net1-router1', 'router');
  // lsp-set-options replaces the whole options map, so the key request follows it.
  await nb('lsp-set-options', 'net1-router1', 'router-port=router1-net1', ...portKey('network1', 'net1-router1'));
  await nb('lrp-add', 'router1', 'router1-net2', '40:44:00:00:00:04', '192.168.1.1/24');
  await nb('lsp-add', 'network2', 'net2-router1');
  await nb('lsp-set-addresses', 'net2-router1', '40:44:00:00:00:04');
  await nb('lsp-set-type', 'net2-router1', 'router');
  await nb('lsp-set-options', 'net2-router1', 'router-port=router1-net2', ...portKey('network2', 'net2-router1'));
  // Trunk subports (seed 004 lines 24-32): `lsp-add SWITCH PORT PARENT TAG`.
  await nb('lsp-add', 'network2', 'child1', 'vm1', '30');
  await nb('lsp-add', 'network2', 'child2', 'vm2', '50');
  await nb('lsp-set-addresses', 'child1', '40:44:00:00:00:03 192.168.1.13');
  await nb('lsp-set-addresses', 'child2', '40:44:00:00:00:04 192.168.1.14');
  await nb('--wait=sb', 'sync');
  // Chassis are written by ovn-controller in a real cluster; here by hand (seed 004 lines 41-55).
  await lab.sbctl('chassis-add', 'worker1', 'geneve', '192.168.50.100');
  await lab.sbctl('chassis-add', 'worker2', 'geneve', '192.168.50.101');
  await lab.sbctl('set', 'Chassis', 'worker1', 'hostname=worker1.lab');
  await lab.sbctl('set', 'Chassis', 'worker2', 'hostname=worker2.lab');
}
