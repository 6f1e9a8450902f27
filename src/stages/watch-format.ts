// One line per watch event, e.g.
//   rebuilt in 41 ms: 1 of 52 dispatches recompiled (conv 3x3, 96→96), module relinked
//   error [MODEL_CORRUPT]: model.onnx: not a valid ONNX model: …; keeping the last good model.vmfb
import { basename } from 'node:path';
import { isIreetsError } from '../util/errors.js';
import type { Explain } from './compiler.js';
import type { WatchEvent, WatchSource } from './watch.js';

const SOURCE_NAMES: Record<WatchSource, string> = { data: 'external data', model: 'model', tuning: 'tuning' };

/** Regions named in a line; the rest are counted. */
const MAX_LABELS = 3;

export function formatWatchEvent(e: WatchEvent, output: string): string {
  if (e.kind === 'cancelled') return `build cancelled: a newer change arrived`;
  const cause = e.changed.some((c) => c !== 'model') ? ` (${e.changed.map((c) => SOURCE_NAMES[c]).join(' and ')} changed)` : '';
  if (e.kind === 'failed') {
    const keep = e.first ? 'no module written yet' : `keeping the last good ${basename(output)}`;
    return `error${cause}${describeError(e.error)}; ${keep}`;
  }
  const ms = `${e.ms.toFixed(0)} ms`;
  const weights = e.weightsWritten && !e.first ? ', weights rewritten' : '';
  if (e.first) return `built ${basename(output)} in ${ms}: ${e.explain.summary}${moduleState(e.explain, e.written)}`;
  return `rebuilt in ${ms}${cause}: ${compiled(e.explain)}${moduleState(e.explain, e.written)}${weights}`;
}

function compiled(x: Explain): string {
  const labels = [...new Set(x.recompiled.map((r) => r.label))];
  const shown = labels.slice(0, MAX_LABELS).join('; ');
  const more = labels.length > MAX_LABELS ? `; ${labels.length - MAX_LABELS} more` : '';
  return `${x.summary}${labels.length > 0 ? ` (${shown}${more})` : ''}`;
}

function moduleState(x: Explain, written: boolean): string {
  const linked = (x.stages.find((s) => s.stage === 'module')?.executed ?? 0) > 0;
  const stale = x.staleInputs.length > 0 ? '; the model changed during the build' : '';
  if (!written) return `, module unchanged${stale}`;
  return `${linked ? ', module relinked' : ', module from the cache'}${stale}`;
}

function describeError(e: unknown): string {
  // An IreetsError's message starts with its culprit (the file, node or op).
  if (isIreetsError(e)) return ` [${e.code}]: ${e.message}`;
  return `: ${e instanceof Error ? e.message : String(e)}`;
}
