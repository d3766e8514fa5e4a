/**
 * Which VM owns an interface: libvirt domain XML (`virsh dumpxml`, nova's `libvirt.xml`) gives
 * tap -> instance UUID / name (and nova's `<nova:name>`), `nova list` / `nova show` tables give
 * instance UUID -> VM name. Taps are unique in a deployment, so one inventory serves every host.
 */
import { TopologyError } from './errors.js';

export class Inventory {
  /** tap -> instance UUID (or domain name when no UUID). */
  private readonly instanceOfTap = new Map<string, string>();
  /** instance UUID or domain name -> VM name. */
  private readonly vmName = new Map<string, string>();
  /** Static map: tap -> VM name, wins over everything. */
  readonly explicit = new Map<string, string>();

  vmOf(tap: string | undefined): string | undefined {
    if (tap === undefined) return undefined;
    const e = this.explicit.get(tap);
    if (e !== undefined) return e;
    const inst = this.instanceOfTap.get(tap);
    return inst === undefined ? undefined : (this.vmName.get(inst) ?? inst);
  }

  /** libvirt domain XML. */
  addLibvirtXml(text: string, file: string): void {
    const uuid = /<uuid>\s*([^<\s]+)\s*<\/uuid>/.exec(text)?.[1];
    const domain = /<domain\b[^>]*>[\s\S]*?<name>\s*([^<]+?)\s*<\/name>/.exec(text)?.[1];
    const novaName = /<nova:name>\s*([^<]+?)\s*<\/nova:name>/.exec(text)?.[1];
    const inst = uuid ?? domain;
    if (inst === undefined) throw new TopologyError('libvirt XML without <uuid> or <name>: cannot tell whose interfaces these are', file);
    if (novaName !== undefined) this.vmName.set(inst, novaName);
    else if (uuid !== undefined && domain !== undefined && !this.vmName.has(uuid)) this.vmName.set(uuid, domain);
    for (const m of text.matchAll(/<target\s+dev\s*=\s*["']([^"']+)["']/g)) this.instanceOfTap.set(m[1], inst);
  }

  /**
   * `nova list` rows (`| ID | Name | Status | ... |`, header optional) and `nova show` property
   * tables (`| id | ... |`, `| name | ... |`).
   */
  addNovaTable(text: string, file: string): void {
    let showId: string | undefined;
    let showName: string | undefined;
    text.split(/\r?\n/).forEach((line, i) => {
      const t = line.trim();
      if (!t.startsWith('|')) return;
      const cells = t.slice(1, t.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim());
      if (cells.length === 2) {
        if (cells[0] === 'id') showId = cells[1];
        else if (cells[0] === 'name') showName = cells[1];
        return;
      }
      if (cells.length >= 3 && /^[A-Z_]+$/.test(cells[2]) && cells[2] !== 'STATUS') {
        if (cells[0] === '' || cells[1] === '') throw new TopologyError(`nova list row without ID or Name: '${t}'`, file, i + 1);
        this.vmName.set(cells[0], cells[1]);
      }
    });
    if (showId !== undefined && showName !== undefined) this.vmName.set(showId, showName);
  }
}

export function isLibvirtXml(text: string): boolean {
  return /^\s*<domain\b/.test(text) || (/^\s*</.test(text) && /<target\s+dev=/.test(text));
}

export function isNovaTable(text: string): boolean {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.length > 0 && lines.filter((l) => /^\s*[|+]/.test(l)).length >= lines.length / 2;
}
