/** Paths of the topology fixtures, and the OVN samples kept in ../shared/notes (not copied here). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import { inCI, projectRoot } from '../helpers/env.js';

export const fixtures = join(projectRoot, 'test', 'topology', 'fixtures');
export const fixture = (...p: string[]) => join(fixtures, ...p);

/** Real `ovn-sbctl` outputs from an OVN 23.03 lab (notes/ovn-sb-samples). */
export const ovnSamplesDir = join(projectRoot, '..', 'shared', 'notes', 'ovn-sb-samples');
export const ovnSample = (name: string) => join(ovnSamplesDir, name);

/** describe() over the notes' OVN samples: skipped when absent, failing under CI=true. */
export function describeWithOvnSamples(name: string, fn: () => void): void {
  if (existsSync(join(ovnSamplesDir, 'dp.json'))) describe(name, fn);
  else if (inCI) {
    describe(name, () => {
      throw new Error(`CI=true but ${ovnSamplesDir} is missing`);
    });
  } else describe.skip(`${name} (missing ${ovnSamplesDir})`, fn);
}
