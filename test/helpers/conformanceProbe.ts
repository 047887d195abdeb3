// The independent protocol probes live beside the checkout, in ../shared/conformance/ (CI has that folder; a
// fresh clone does not). A test that runs one skips, saying so, when it is absent.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectRoot } from './cliProcess';

export interface ConformanceProbe {
  /** Absolute path of the probe script. */
  readonly path: string;
  /** A skip reason for node:test when the probe is not there, else false. */
  readonly skip: string | false;
}

/** The probe `file` (e.g. `openpi_probe.mjs`) of ../shared/conformance/, or why a test using it skips. */
export function conformanceProbe(file: string): ConformanceProbe {
  const path = resolve(projectRoot, '../shared/conformance', file);
  return {
    path,
    skip: existsSync(path)
      ? false
      : `the conformance probe ${path} is not here (the ../shared/conformance/ folder beside the checkout; CI has it)`,
  };
}
