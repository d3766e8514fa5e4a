/**
 * `peelcap json`: one JSON object per line, the DecodedPacket shape documented in the README (JSON lines).
 */
import { describePacket, type DescribeOptions } from '../describe.js';
import type { PacketView } from '../packet.js';
import type { LineOutput } from './line-output.js';
import type { PacketSink } from './sink.js';

export class JsonSink implements PacketSink {
  constructor(
    private readonly out: LineOutput,
    private readonly opts: DescribeOptions = {},
  ) {}

  packet(p: PacketView): void {
    this.out.write(`${JSON.stringify(describePacket(p, this.opts))}\n`);
  }

  afterChunk(): Promise<void> | undefined {
    return this.out.afterChunk();
  }

  end(): Promise<void> {
    return this.out.end();
  }
}
