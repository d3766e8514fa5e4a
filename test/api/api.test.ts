/**
 * The library as a user imports it: `import … from 'peelcap'` resolved through a node_modules link
 * to the built package (package.json "exports"), run in a separate node process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeWith, projectRoot, samplesDir } from '../helpers/env.js';
import { ensureBuilt, tsharkFields } from '../cli/run-cli.js';

const overlays = join(samplesDir, 'overlays.pcap');
const ovn = join(samplesDir, 'ovn-geneve.pcap');
let app: string;

beforeAll(() => {
  ensureBuilt();
  app = mkdtempSync(join(tmpdir(), 'peelcap-user-'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(projectRoot, join(app, 'node_modules', 'peelcap'), 'dir');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'user-app', type: 'module', private: true }));
});

/** Run an ES module as the user app would; its stdout parsed as JSON. */
function runUser(code: string): any {
  const file = join(app, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, code);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8' }));
}

describeWith({ tools: ['tshark'] }, "import from 'peelcap'", () => {
  it('decodePackets / openCapture iterate decoded packets with for await (path, Buffer, stream)', () => {
    const out = runUser(`
      import { decodePackets, openCapture } from 'peelcap';
      import { readFileSync, createReadStream } from 'node:fs';
      const fromPath = [];
      for await (const p of decodePackets(${JSON.stringify(overlays)}, { filter: 'mpls.label == 31' })) fromPath.push(p);
      const fromBuffer = [];
      for await (const p of openCapture(readFileSync(${JSON.stringify(overlays)}), { filter: 'mpls.label == 31' })) fromBuffer.push(p);
      let fromStream = 0;
      for await (const p of openCapture(createReadStream(${JSON.stringify(overlays)}))) fromStream++;
      // breaking out early stops reading
      let first;
      for await (const p of decodePackets(${JSON.stringify(overlays)})) { first = p.frame; break; }
      console.log(JSON.stringify({ fromPath, fromBuffer, fromStream, first }));
    `);
    expect(out.fromPath.length).toBeGreaterThan(0);
    expect(out.fromBuffer).toEqual(out.fromPath);
    const gre = out.fromPath.find((p: any) => p.tunnels[0].type === 'gre');
    expect(gre.tunnels[0]).toEqual({ type: 'gre', src: '172.20.0.25', dst: '172.20.0.23' });
    expect(gre.inner.icmp).toEqual({ type: 8, code: 0, id: 15119, seq: 20030 });
    expect(out.first).toBe(1);
  });

  it('PeelTransform turns capture bytes into packet objects; the writer and filter are exported too', () => {
    const out = runUser(`
      import { PeelTransform, createWriter, compileFilter, createRegistry, readCapture, peel, PacketView } from 'peelcap';
      import { createReadStream } from 'node:fs';
      const vnis = [];
      await new Promise((resolve, reject) => createReadStream(${JSON.stringify(ovn)}, { highWaterMark: 7 })
        .pipe(new PeelTransform({ filter: 'geneve' }))
        .on('data', (p) => vnis.push(p.vnis[0])).on('end', resolve).on('error', reject));
      // low level: zero-copy views and a compiled filter
      const reg = createRegistry();
      const f = compileFilter('vni == 8');
      const view = new PacketView();
      let matched = 0;
      await readCapture(${JSON.stringify(ovn)}, { onRecord(rec) { peel(view, rec, reg); if (f(view)) matched++; } });
      console.log(JSON.stringify({ vnis, matched, writer: typeof createWriter }));
    `);
    expect(out.matched).toBe(1);
    expect(out.writer).toBe('function');
    expect(out.vnis).toEqual(tsharkFields(ovn, ['geneve.vni']).map((r) => Number(r['geneve.vni'][0])));
  });

  it('a bad filter is a FilterError the user can catch', () => {
    const out = runUser(`
      import { decodePackets, FilterError } from 'peelcap';
      try { for await (const p of decodePackets(${JSON.stringify(ovn)}, { filter: 'vni ==' })) {} console.log('{}'); }
      catch (e) { console.log(JSON.stringify({ filterError: e instanceof FilterError, message: e.message })); }
    `);
    expect(out.filterError).toBe(true);
  });
});

describe("import from 'peelcap' (typed)", () => {
  it('type-checks user TypeScript against the published declarations', () => {
    writeFileSync(
      join(app, 'use.ts'),
      `import { decodePackets, type DecodedPacket, type TunnelInfo } from 'peelcap';
       async function main(): Promise<number> {
         let n = 0;
         for await (const p of decodePackets('x.pcap', { filter: 'vxlan', decodeAs: ['udp.port==8472=vxlan'] })) {
           const t: TunnelInfo | undefined = p.tunnels[0];
           const d: DecodedPacket = p;
           n += (t?.vni ?? 0) + d.frame;
         }
         return n;
       }
       void main;\n`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['use.ts'] }),
    );
    const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    // throws (test fails) on any type error
    execFileSync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { cwd: app, encoding: 'utf8' });
  });
});
