// `ireets watch` as an rxjs pipeline: file changes → debounce → build (a newer change cancels
// the build in flight) → module written atomically → optionally run. Each build ends in one
// event: built, failed (the last good module stays in place) or cancelled.
//
//   watchBuilds(compiler, { model: 'm.onnx', output: 'm.vmfb', tuning: 't.json' }).subscribe((e) => ...)
//
// The model and the tuning spec are read afresh by every build, so a half-written file (an
// editor mid-save) fails that build only, and the next save recovers. The external data files
// the model names are watched too, as each build finds them (compiler.dataFiles).
import { BehaviorSubject, buffer, concat, debounceTime, defer, from, map, Observable, of, share, switchMap } from 'rxjs';
import { cancelledError } from '../graph/cancellation.js';
import type { Target } from './compile-pipeline.js';
import type { Compiler, Explain, TuningSpec } from './compiler.js';
import { readTuningSpec } from './tuning-file.js';
import { fileChanges } from './watch-files.js';

/** What changed: the model file, the tuning spec, or an external data file of the model. */
export type WatchSource = 'model' | 'tuning' | 'data';

export interface WatchOptions {
  model: string;
  /** The module file, replaced atomically after each good build. */
  output: string;
  /** Default cpu; several: the module carries one host program each. */
  targets?: readonly Target[];
  /** A tuning spec (JSON) to read at every build and to watch like the model. */
  tuning?: string;
  /** Quiet time after the last change before a build starts (default 100 ms). */
  debounceMs?: number;
  /** What to react to (default: changes on disk of the model, its external data files and the tuning spec). */
  changes?: Observable<WatchSource>;
  /**
   * Where the weights go (compileToFile's `weights`). Default 'external': an edit that keeps the
   * weights rewrites a small module, not the whole model.
   */
  weights?: 'embed' | 'external';
  /** Runs after each build that wrote a new module; its lines join the build's event. */
  afterBuild?: (output: string, signal: AbortSignal) => Promise<string[]>;
}

interface BuildEventBase {
  /** What changed since the last build ([] for the first build). */
  changed: WatchSource[];
}

export type WatchEvent =
  | (BuildEventBase & {
      kind: 'built';
      /** The first good build of this watch. */
      first: boolean;
      /** Reading inputs to module renamed into place. */
      ms: number;
      explain: Explain;
      /** false: the module file already held this module. */
      written: boolean;
      bytes: number;
      /** The parameter archive was written (weights changed), with weights: 'external'. */
      weightsWritten: boolean;
      /** Lines from afterBuild (e.g. how the outputs moved). */
      report: string[];
    })
  | (BuildEventBase & {
      kind: 'failed';
      /** No good build yet: there is no module to keep. */
      first: boolean;
      ms: number;
      error: unknown;
    })
  | (BuildEventBase & { kind: 'cancelled' });

export const DEFAULT_DEBOUNCE_MS = 100;

/** Builds once at subscription, then after every (debounced) change, until unsubscribed. */
export function watchBuilds(compiler: Compiler, options: WatchOptions): Observable<WatchEvent> {
  return defer(() => {
    const fixed: [WatchSource, string][] = [['model', options.model]];
    if (options.tuning) fixed.push(['tuning', options.tuning]);
    // The data files are known once a build has read the model; a build that finds others re-aims the watch.
    let dataFiles: string[] = [];
    const watched$ = new BehaviorSubject<[WatchSource, string][]>(fixed);
    const followDataFiles = (): void => {
      const now = compiler.dataFiles(options.model);
      if (now.length === dataFiles.length && now.every((p, i) => p === dataFiles[i])) return;
      dataFiles = now;
      watched$.next([...fixed, ...now.map((p): [WatchSource, string] => ['data', p])]);
    };
    const changes$ = (options.changes ?? watched$.pipe(switchMap((files) => fileChanges(files)))).pipe(share());
    // Every change within the quiet period joins one batch: one build for a burst of writes.
    const batches$ = changes$.pipe(
      buffer(changes$.pipe(debounceTime(options.debounceMs ?? DEFAULT_DEBOUNCE_MS))),
      map((list) => [...new Set(list)].sort()),
    );
    let inflight: WatchSource[] | undefined;
    let built = false;
    const buildOnce = (changed: WatchSource[]): Observable<WatchEvent> =>
      new Observable<WatchEvent>((subscriber) => {
        const abort = new AbortController();
        const t0 = performance.now();
        inflight = changed;
        void (async () => {
          let event: WatchEvent;
          try {
            const tuning = options.tuning ? await readTuningSpec(options.tuning) : undefined;
            const r = await compiler.compileToFile(options.model, options.output, {
              ...(options.targets ? { targets: options.targets } : {}),
              ...(tuning ? { tuning } : {}),
              signal: abort.signal,
              weights: options.weights ?? 'external',
            });
            const ms = performance.now() - t0;
            const report = r.written && options.afterBuild ? await runAfterBuild(options.afterBuild, options.output, abort.signal) : [];
            event = { kind: 'built', changed, first: !built, ms, explain: r.explain, written: r.written, bytes: r.bytes, weightsWritten: r.parameters?.written ?? false, report };
            built = true;
          } catch (error) {
            event = { kind: 'failed', changed, first: !built, ms: performance.now() - t0, error };
          }
          if (abort.signal.aborted) return; // switched to a newer build, which reported this one as cancelled
          inflight = undefined;
          if (!options.changes) followDataFiles();
          subscriber.next(event);
          subscriber.complete();
        })();
        return () => abort.abort(cancelledError('a newer change arrived', options.model));
      });
    return concat(of<WatchSource[]>([]), batches$).pipe(
      switchMap((changed) => {
        // switchMap has just unsubscribed (aborted) the build still in flight, if any.
        const cancelled: WatchEvent[] = inflight ? [{ kind: 'cancelled', changed: inflight }] : [];
        return concat(from(cancelled), buildOnce(changed));
      }),
    );
  });
}

async function runAfterBuild(run: NonNullable<WatchOptions['afterBuild']>, output: string, signal: AbortSignal): Promise<string[]> {
  try {
    return await run(output, signal);
  } catch (e) {
    if (signal.aborted) throw e;
    return [`run failed: ${e instanceof Error ? e.message : String(e)}`];
  }
}
