/**
 * Live OVN Southbound over OVSDB JSON-RPC. `follow` (the default) uses `monitor`: its reply is the
 * initial contents, and `update` notifications keep the tables current, so a long capture names ports
 * created after it started. A followed connection that drops (a restarted or failed-over ovsdb-server)
 * or falls silent (an inactivity probe's echo unanswered: a hung server, a vanished host) is reopened
 * with growing waits; until then the names stay as last seen, and the new monitor's
 * contents replace the old rows, so rows deleted meanwhile go too. Without `follow`, one `transact` of
 * `select`s loads a snapshot and the connection is closed. Only columns the server's schema has are
 * asked for (releases differ, and a server may come back upgraded).
 */
import type { Facts } from './facts.js';
import { OVN_COLUMNS, OVN_TABLES, ovnFacts, type OvnTable, type OvnTables } from './ovn.js';
import { OvsdbClient } from './ovsdb-client.js';
import type { Row } from './ovsdb-values.js';

const DB = 'OVN_Southbound';
/** Longest wait between reconnection attempts. */
const MAX_RETRY_MS = 30_000;

export interface LiveOvnOptions {
  timeoutMs: number;
  follow: boolean;
  warn: (msg: string) => void;
  /** First wait before reopening a lost followed connection, ms; doubles per failed attempt up to 30 s (default 1000). */
  retryMs?: number;
  /** Inactivity probe of a followed connection, ms (default 5000, OVSDB's own default; 0: none). */
  probeMs?: number;
}

export class LiveOvnSource {
  /** Rows by table and UUID. */
  private rows = new Map<OvnTable, Map<string, Row>>();
  private client: OvsdbClient | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  /** Called with fresh facts after each update, and after a reconnection. */
  onChange: (facts: Facts) => void = () => {};

  private constructor(
    readonly address: string,
    private readonly opts: LiveOvnOptions,
  ) {}

  /** Connect to `address` (`tcp:HOST:PORT` / `unix:PATH`) and load the tables. */
  static async open(address: string, opts: LiveOvnOptions): Promise<LiveOvnSource> {
    const src = new LiveOvnSource(address, opts);
    if (opts.follow) await src.monitor();
    else await src.snapshot();
    return src;
  }

  /** Names from the current rows. */
  facts(): Facts {
    const tables: OvnTables = {};
    for (const [t, m] of this.rows) tables[t] = [...m.values()];
    return ovnFacts(tables, this.opts.warn);
  }

  /** Close the connection and stop reconnecting. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.client?.close();
  }

  private async snapshot(): Promise<void> {
    const client = await OvsdbClient.connect(this.address, this.opts.timeoutMs);
    try {
      const columns = await wantedColumns(client);
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
    } finally {
      client.close();
    }
  }

  /** Connect, start the monitor and take its initial contents as the rows; rejects on any failure. */
  private async monitor(): Promise<void> {
    const client = await OvsdbClient.connect(this.address, this.opts.timeoutMs);
    try {
      const columns = await wantedColumns(client);
      client.onNotify = (method, params) => {
        if (method === 'update' && params[0] === 'peelcap') {
          this.apply(params[1] as TableUpdates);
          this.onChange(this.facts());
        }
      };
      const requests: Record<string, { columns: string[] }> = {};
      for (const [t, cols] of columns) requests[t] = { columns: cols };
      const initial = (await client.request('monitor', [DB, 'peelcap', requests])) as TableUpdates;
      if (this.closed) throw new Error('closed');
      this.rows = new Map();
      this.apply(initial);
    } catch (e) {
      client.close();
      throw e;
    }
    this.client = client;
    client.onClose = (err) => this.lost(err);
    client.startProbe(this.opts.probeMs ?? 5000);
    client.unref();
  }

  private lost(err: Error): void {
    this.client = undefined;
    this.opts.warn(`${err.message}; names stay as last seen while peelcap reconnects`);
    this.reconnect(this.opts.retryMs ?? 1000);
  }

  private reconnect(waitMs: number): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.monitor().then(
        () => {
          this.opts.warn(`OVSDB ${this.address}: reconnected; names follow the database again`);
          this.onChange(this.facts());
        },
        () => this.reconnect(Math.min(waitMs * 2, MAX_RETRY_MS)),
      );
    }, waitMs);
    // a capture that ends while the database is away must not wait for it
    this.retry.unref();
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
