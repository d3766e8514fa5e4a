/**
 * Cells in RFC 7047 JSON notation, as `ovn-sbctl --format=json` and OVSDB JSON-RPC give them:
 * atoms are bare, `["uuid", s]`, `["set", [...]]` (a one-element set may be written bare),
 * `["map", [[k, v], ...]]`.
 */

export type Row = Record<string, unknown>;

function setItems(cell: unknown): unknown[] {
  if (Array.isArray(cell) && cell[0] === 'set' && Array.isArray(cell[1])) return cell[1];
  return cell === undefined || cell === null ? [] : [cell];
}

/** A UUID reference (bare or a one-element set), or undefined. */
export function cellUuid(cell: unknown): string | undefined {
  for (const item of setItems(cell)) {
    if (Array.isArray(item) && (item[0] === 'uuid' || item[0] === 'named-uuid') && typeof item[1] === 'string') return item[1];
    if (typeof item === 'string') return item;
  }
  return undefined;
}

/** Every UUID of a set of references. */
export function cellUuids(cell: unknown): string[] {
  const out: string[] = [];
  for (const item of setItems(cell)) {
    const u = cellUuid(item);
    if (u !== undefined) out.push(u);
  }
  return out;
}

/** An integer (bare or a one-element set), or undefined. */
export function cellInt(cell: unknown): number | undefined {
  for (const item of setItems(cell)) if (typeof item === 'number' && Number.isInteger(item)) return item;
  return undefined;
}

/** A string (bare or a one-element set), or undefined. */
export function cellString(cell: unknown): string | undefined {
  for (const item of setItems(cell)) if (typeof item === 'string') return item;
  return undefined;
}

/** A string map, or an empty map. */
export function cellMap(cell: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(cell) && cell[0] === 'map' && Array.isArray(cell[1])) {
    for (const pair of cell[1]) {
      if (Array.isArray(pair) && pair.length === 2) out.set(String(pair[0]), cellUuid(pair[1]) ?? String(pair[1]));
    }
  }
  return out;
}
