/**
 * OVN Southbound rows -> names. The same code serves the offline JSON (`ovn-sbctl --format=json list`,
 * `ovsdb-client transact`) and the live OVSDB connection. Columns are read by name and missing or
 * extra columns are tolerated: releases differ (26.03 added Datapath_Binding `type`/`nb_uuid`).
 */
import { Facts, portKey } from './facts.js';
import { canonicalIpv6, ipv4ToU32 } from './ip.js';
import { cellInt, cellMap, cellString, cellUuid, cellUuids, type Row } from './ovsdb-values.js';

export const OVN_TABLES = ['Datapath_Binding', 'Port_Binding', 'Multicast_Group', 'Chassis', 'Encap'] as const;
export type OvnTable = (typeof OVN_TABLES)[number];
export type OvnTables = Partial<Record<OvnTable, Row[]>>;

/** Columns peelcap reads from each table (a live connection asks for those the schema has). */
export const OVN_COLUMNS: Record<OvnTable, readonly string[]> = {
  Datapath_Binding: ['tunnel_key', 'external_ids', 'type', 'nb_uuid'],
  Port_Binding: ['logical_port', 'tunnel_key', 'datapath', 'external_ids'],
  Multicast_Group: ['name', 'tunnel_key', 'datapath'],
  Chassis: ['name', 'hostname', 'encaps'],
  Encap: ['chassis_name', 'type', 'ip'],
};

/**
 * Which table a set of column names comes from, or undefined. `ovn-sbctl list` output does not say,
 * so the columns decide; each test uses a column only that table has.
 */
export function ovnTableOf(columns: ReadonlySet<string>): OvnTable | undefined {
  if (columns.has('logical_port')) return 'Port_Binding';
  if (columns.has('chassis_name')) return 'Encap';
  if (columns.has('hostname') || columns.has('encaps')) return 'Chassis';
  if (columns.has('tunnel_key') && columns.has('datapath') && columns.has('name')) return 'Multicast_Group';
  if (columns.has('tunnel_key') && (columns.has('external_ids') || columns.has('nb_uuid') || columns.has('load_balancers'))) {
    return 'Datapath_Binding';
  }
  return undefined;
}

/** Friendly datapath name, as ovn-trace prints it: Neutron's name2, then name, then the NB UUID. */
function datapathName(row: Row): string | undefined {
  const ids = cellMap(row.external_ids);
  return (
    nonEmpty(ids.get('name2')) ??
    nonEmpty(ids.get('name')) ??
    nonEmpty(ids.get('logical-switch')) ??
    nonEmpty(ids.get('logical-router')) ??
    nonEmpty(cellUuid(row.nb_uuid))
  );
}

/** Friendly port name: Neutron's port name when set, else the logical port. */
function portName(row: Row): string | undefined {
  const ids = cellMap(row.external_ids);
  return nonEmpty(ids.get('name')) ?? nonEmpty(ids.get('neutron:port_name')) ?? nonEmpty(cellString(row.logical_port));
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/**
 * Names from Southbound rows. Rows that cannot be joined (a port without a datapath column, a
 * datapath without `_uuid`) are reported through `warn` and skipped.
 */
export function ovnFacts(tables: OvnTables, warn: (msg: string) => void = () => {}): Facts {
  const f = new Facts();
  const dpKeyByUuid = new Map<string, number>();
  let noUuid = 0;
  for (const row of tables.Datapath_Binding ?? []) {
    const key = cellInt(row.tunnel_key);
    if (key === undefined) continue;
    const name = datapathName(row);
    if (name !== undefined) f.datapaths.set(key, name);
    const uuid = cellUuid(row._uuid);
    if (uuid !== undefined) dpKeyByUuid.set(uuid, key);
    else noUuid++;
  }
  if (noUuid > 0) warn(`${noUuid} Datapath_Binding rows have no _uuid column: ports cannot be joined to them`);
  const joinPorts = (table: 'Port_Binding' | 'Multicast_Group', nameOf: (r: Row) => string | undefined) => {
    let unjoined = 0;
    for (const row of tables[table] ?? []) {
      const key = cellInt(row.tunnel_key);
      const name = nameOf(row);
      if (key === undefined || name === undefined) continue;
      const dp = dpKeyByUuid.get(cellUuid(row.datapath) ?? '');
      if (dp === undefined) unjoined++;
      else f.ports.set(portKey(dp, key), name);
    }
    if (unjoined > 0) {
      warn(`${unjoined} ${table} rows name no known datapath (need the datapath column and the Datapath_Binding table): skipped`);
    }
  };
  joinPorts('Port_Binding', portName);
  joinPorts('Multicast_Group', (r) => nonEmpty(cellString(r.name)));

  const hostByChassis = new Map<string, string>();
  const chassisByEncap = new Map<string, string>();
  for (const row of tables.Chassis ?? []) {
    const name = cellString(row.name);
    if (name === undefined) continue;
    hostByChassis.set(name, nonEmpty(cellString(row.hostname)) ?? name);
    for (const e of cellUuids(row.encaps)) chassisByEncap.set(e, name);
  }
  for (const row of tables.Encap ?? []) {
    const ipText = cellString(row.ip);
    const chassis = nonEmpty(cellString(row.chassis_name)) ?? chassisByEncap.get(cellUuid(row._uuid) ?? '');
    if (ipText === undefined || chassis === undefined) continue;
    const host = hostByChassis.get(chassis) ?? chassis;
    const v4 = ipv4ToU32(ipText);
    if (v4 >= 0) {
      f.hosts4.set(v4, host);
      if (cellString(row.type) === 'vxlan') f.ovnVxlan4.add(v4);
    } else {
      const v6 = canonicalIpv6(ipText);
      if (v6 !== undefined) f.hosts6.set(v6, host);
    }
  }
  return f;
}
