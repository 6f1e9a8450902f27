// Measured trials, kept in the build cache so a second `ireets tune` resumes instead of
// restarting. A trial is keyed by the device (driver and description: another machine, thread
// count or GPU measures anew), the target, the region and its default executable's hash (a new
// compiler makes new code: old timings no longer describe it), and the candidate's knobs.
import type { KernelTuning } from '../../codegen/kernel-tuning.js';
import type { HalDevice } from '../../hal/types.js';
import type { Target } from '../compile-pipeline.js';
import type { SideRecords } from '../queries/records.js';

const KIND = 'tune.trial';
const VERSION = 'trial-1';

export interface TrialRecord {
  median_ms: number;
  /** The default's median in the run that measured this trial. */
  baseline_ms: number;
  ratio: number;
  /** Dispatches per timed batch. */
  repeat: number;
  /** The candidate compiled to the default's code. */
  sameCode: boolean;
  /** When it was measured (ms since the epoch). */
  at: number;
}

export class TrialRecords {
  private readonly device: string;

  constructor(private readonly records: SideRecords, device: HalDevice, private readonly target: Target) {
    this.device = `${device.driver}|${device.description}`;
  }

  private key(regionKey: string, defaultHash: string, tuning: KernelTuning): unknown {
    return { device: this.device, target: this.target, regionKey, defaultHash, tuning };
  }

  get(regionKey: string, defaultHash: string, tuning: KernelTuning): TrialRecord | undefined {
    return this.records.get<TrialRecord>(KIND, VERSION, this.key(regionKey, defaultHash, tuning));
  }

  put(regionKey: string, defaultHash: string, tuning: KernelTuning, record: TrialRecord): Promise<void> {
    return this.records.put(KIND, VERSION, this.key(regionKey, defaultHash, tuning), record);
  }
}
