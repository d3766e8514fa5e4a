/**
 * A minimal OVSDB JSON-RPC client (RFC 7047) over node:net: requests with ids, the server's `echo`
 * keep-alives answered, notifications (`update`) handed to a callback. OVSDB frames nothing: JSON
 * values follow each other on the stream, so a small scanner finds where each one ends.
 */
import { connect, type Socket } from 'node:net';

/** Splits a stream of concatenated JSON values (objects or arrays) into parsed values. */
export class JsonStreamSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scanned = 0;

  push(chunk: string): unknown[] {
    this.buf += chunk;
    const out: unknown[] = [];
    let start = 0;
    for (let i = this.scanned; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--this.depth === 0) {
          out.push(JSON.parse(this.buf.slice(start, i + 1)));
          start = i + 1;
        }
      } else if (this.depth === 0 && c > 0x20) {
        throw new Error(`unexpected '${this.buf[i]}' between JSON-RPC messages`);
      }
    }
    this.buf = this.buf.slice(start);
    this.scanned = this.buf.length;
    return out;
  }
}

/** `tcp:HOST:PORT`, `tcp:[V6]:PORT` or `unix:PATH` -> net.connect options. */
export function parseOvsdbAddress(addr: string): { path: string } | { host: string; port: number } {
  if (addr.startsWith('unix:') && addr.length > 5) return { path: addr.slice(5) };
  const m = /^tcp:(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(addr);
  if (m) {
    const port = Number(m[3]);
    if (port > 0 && port < 65536) return { host: m[1] ?? m[2], port };
  }
  throw new Error(`bad OVSDB address '${addr}': expected tcp:HOST:PORT or unix:PATH`);
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class OvsdbClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly splitter = new JsonStreamSplitter();
  private closedError: Error | undefined;
  private probe: NodeJS.Timeout | undefined;
  /** Something arrived since the probe's last tick. */
  private heard = true;
  /** Our echo is out, unanswered. */
  private echoSent = false;
  /** Called for server notifications such as monitor `update`. */
  onNotify: (method: string, params: unknown[]) => void = () => {};
  /** Called once when the connection ends for any reason other than close(). */
  onClose: (err: Error) => void = () => {};

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (e) => this.fail(new Error(`OVSDB ${address}: ${e.message}`)));
    socket.on('close', () => this.fail(new Error(`OVSDB ${address}: connection closed`)));
  }

  /** Connect, or reject with a message naming the address (refused, unknown host, timeout). */
  static connect(address: string, timeoutMs: number): Promise<OvsdbClient> {
    const opts = parseOvsdbAddress(address);
    return new Promise((resolve, reject) => {
      const socket = connect(opts);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`cannot reach OVSDB at ${address}: no connection after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot reach OVSDB at ${address}: ${e.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new OvsdbClient(socket, address, timeoutMs));
      });
    });
  }

  /** Send one request; resolves with its `result`, rejects on an error reply, a timeout or a lost connection. */
  request(method: string, params: unknown[]): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`OVSDB ${this.address}: no answer to '${method}' after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(JSON.stringify({ method, params, id }));
    });
  }

  /** Let the process exit even while the connection is open (a live topology must not keep it alive). */
  unref(): void {
    this.socket.unref();
  }

  /**
   * Inactivity probe, as OVSDB peers do: after `ms` of silence send an `echo`; when another `ms`
   * passes without a byte from the server, the connection is given up as lost (onClose). A server
   * that hangs or a host that vanished without closing the connection is noticed this way.
   */
  startProbe(ms: number): void {
    if (ms <= 0 || this.closedError) return;
    this.probe = setInterval(() => {
      if (this.heard) {
        this.heard = false;
        this.echoSent = false;
      } else if (!this.echoSent) {
        this.echoSent = true;
        this.socket.write(JSON.stringify({ method: 'echo', params: [], id: 'echo' }));
      } else {
        this.fail(new Error(`OVSDB ${this.address}: no answer to an echo for ${ms} ms`));
        this.socket.destroy();
      }
    }, ms);
    this.probe.unref();
  }

  close(): void {
    if (this.closedError) return;
    this.closedError = new Error(`OVSDB ${this.address}: connection closed`);
    clearInterval(this.probe);
    this.rejectAll(this.closedError);
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.heard = true;
    let messages: unknown[];
    try {
      messages = this.splitter.push(chunk);
    } catch (e) {
      this.fail(new Error(`OVSDB ${this.address}: ${(e as Error).message}`));
      this.socket.destroy();
      return;
    }
    for (const msg of messages) this.dispatch(msg as Record<string, unknown>);
  }

  private dispatch(msg: Record<string, unknown>): void {
    if (typeof msg.method === 'string') {
      const params = Array.isArray(msg.params) ? msg.params : [];
      if (msg.method === 'echo') this.socket.write(JSON.stringify({ result: params, error: null, id: msg.id }));
      else this.onNotify(msg.method, params);
      return;
    }
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!p) return;
    this.pending.delete(msg.id as number);
    clearTimeout(p.timer);
    if (msg.error !== null && msg.error !== undefined) {
      const e = msg.error as { error?: string; details?: string } | string;
      const text = typeof e === 'string' ? e : [e.error, e.details].filter(Boolean).join(': ');
      p.reject(new Error(`OVSDB ${this.address}: ${text || JSON.stringify(e)}`));
    } else p.resolve(msg.result);
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    clearInterval(this.probe);
    this.rejectAll(err);
    this.onClose(err);
  }

  private rejectAll(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}
