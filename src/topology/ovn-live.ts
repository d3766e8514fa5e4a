/**
 * Live OVN Southbound over OVSDB JSON-RPC. `follow` (the default) uses `monitor`: its reply is the
 * initial contents, and `update` notifications keep the tables current, so a long capture names ports
 * created after it started. Without `follow`, one `transact` of `select`s loads a snapshot and the
 * connection is closed. Only columns the server's schema has are asked for (releases differ).
 */
import type { Facts } from './facts.js';
import { OVN_COLUMNS, OVN_TABLES, ovnFacts, type OvnTable, type OvnTables } from './ovn.js';
import { OvsdbClient } from './ovsdb-client.js';
import type { Row } from './ovsdb-values.js';

const DB = 'OVN_Southbound';

export interface LiveOvnOptions {
  timeoutMs: number;
  follow: boolean;
  warn: (msg: string) => void;
}

export class LiveOvnSource {
  /** Rows by table and UUID. */
  private readonly rows = new Map<OvnTable, Map<string, Row>>();
  /** Called with fresh facts after each update. */
  onChange: (facts: Facts) => void = () => {};

  private constructor(
    private readonly client: OvsdbClient | undefined,
    private readonly warn: (msg: string) => void,
  ) {}

  /** Connect to `address` (`tcp:HOST:PORT` / `unix:PATH`) and load the tables. */
  static async open(address: string, opts: LiveOvnOptions): Promise<LiveOvnSource> {
    const client = await OvsdbClient.connect(address, opts.timeoutMs);
    try {
      const columns = await wantedColumns(client);
      if (!opts.follow) {
        const src = new LiveOvnSource(undefined, opts.warn);
        await src.selectAll(client, columns);
        client.close();
        return src;
      }
      const src = new LiveOvnSource(client, opts.warn);
      client.onNotify = (method, params) => {
        if (method === 'update' && params[0] === 'peelcap') {
          src.apply(params[1] as TableUpdates);
          src.onChange(src.facts());
        }
      };
      client.onClose = (err) => opts.warn(`${err.message}; names stay as last seen`);
      const requests: Record<string, { columns: string[] }> = {};
      for (const [t, cols] of columns) requests[t] = { columns: cols };
      src.apply((await client.request('monitor', [DB, 'peelcap', requests])) as TableUpdates);
      client.unref();
      return src;
    } catch (e) {
      client.close();
      throw e;
    }
  }

  /** Names from the current rows. */
  facts(): Facts {
    const tables: OvnTables = {};
    for (const [t, m] of this.rows) tables[t] = [...m.values()];
    return ovnFacts(tables, this.warn);
  }

  close(): void {
    this.client?.close();
  }

  private async selectAll(client: OvsdbClient, columns: Map<OvnTable, string[]>): Promise<void> {
    const tables = [...columns.keys()];
    const ops = tables.map((t) => ({ op: 'select', table: t, where: [], columns: ['_uuid', ...columns.get(t)!] }));
    const results = (await client.request('transact', [DB, ...ops])) as { rows?: Row[]; error?: string }[];
    tables.forEach((t, i) => {
      const r = results[i];
      if (!r || r.error) throw new Error(`OVSDB ${client.address}: select ${t} failed: ${r?.error ?? 'no result'}`);
      const m = new Map<string, Row>();
      for (const row of r.rows ?? []) m.set(String((row._uuid as unknown[])[1]), row);
      this.rows.set(t, m);
    });
  }

  private apply(updates: TableUpdates): void {
    for (const [table, rows] of Object.entries(updates ?? {})) {
      if (!(OVN_TABLES as readonly string[]).includes(table)) continue;
      let m = this.rows.get(table as OvnTable);
      if (!m) this.rows.set(table as OvnTable, (m = new Map()));
      for (const [uuid, change] of Object.entries(rows)) {
        if (change.new === undefined) m.delete(uuid);
        else m.set(uuid, { ...m.get(uuid), ...change.new, _uuid: ['uuid', uuid] });
      }
    }
  }
}

type TableUpdates = Record<string, Record<string, { old?: Row; new?: Row }>>;

/** The columns peelcap reads that this server's schema has, per table present. */
async function wantedColumns(client: OvsdbClient): Promise<Map<OvnTable, string[]>> {
  let schema: { tables?: Record<string, { columns?: Record<string, unknown> }> };
  try {
    schema = (await client.request('get_schema', [DB])) as typeof schema;
  } catch (e) {
    const dbs = await client.request('list_dbs', []).catch(() => undefined);
    throw new Error(`${(e as Error).message}${Array.isArray(dbs) ? ` (databases there: ${dbs.join(', ')})` : ''}`);
  }
  const out = new Map<OvnTable, string[]>();
  for (const t of OVN_TABLES) {
    const cols = schema.tables?.[t]?.columns;
    if (cols) out.set(t, OVN_COLUMNS[t].filter((c) => c in cols));
  }
  return out;
}
