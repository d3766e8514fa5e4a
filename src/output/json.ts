/**
 * `peelcap json`: one JSON object per line, the DecodedPacket shape documented in the README (JSON lines).
 * Plain lines are written straight from the view (json-line.ts); `-v` (detail) goes through the object.
 */
import { describePacket, type DescribeOptions } from '../describe.js';
import type { PacketView } from '../packet.js';
import { BatchedLineSink } from './byte-batch.js';
import { writeJsonLine } from './json-line.js';
import type { LineOutput } from './line-output.js';

export class JsonSink extends BatchedLineSink {
  constructor(
    out: LineOutput,
    private readonly opts: DescribeOptions = {},
  ) {
    super(out);
  }

  packet(p: PacketView): void {
    if (this.opts.detail) this.out.write(`${JSON.stringify(describePacket(p, this.opts))}\n`);
    else writeJsonLine(this.batch, p, this.opts.topology);
  }
}
