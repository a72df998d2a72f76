import { loadModule } from './load-module';
import type { SpecContext } from './scenario';
import { SpecUsageError } from './spec-events';
import { DEFAULTS } from '../../src/contract';
import { declaredEventVersions } from '../../src/private/event-versions';
import { indexSpecsOf, validateViewIndexes } from '../../src/private/view-index-validation';
import type { ProjectionSpecOptions } from '../../src/testing/types';
import type { ViewIndex } from '../../src/view-index';
import { loadHandlers } from '../aggregator/projection-module';
import { loadUpcasting, upcastingWithout } from '../core/upcast';
import type { IndexSpec } from '../core/view-indexes';

/** The stream of events that name none. */
export const DEFAULT_SPEC_STREAM = 'stream-1';

/**
 * What a spec runs against, built as the construct builds it: the handlers by the aggregator's
 * `loadHandlers`, the event versions by synth's own checks of `eventVersions`, the upcasters by
 * the aggregator's `loadUpcasting` (a missing step is an error here as it is at synth).
 */
export function specContext(projection: string | object, options: ProjectionSpecOptions = {}): SpecContext {
  const handlers = loadHandlers(typeof projection === 'string' ? loadModule(projection) : projection);
  let versions;
  try {
    versions = declaredEventVersions(options.eventVersions ?? [], undefined).versions;
  } catch (err) {
    throw new SpecUsageError((err as Error).message);
  }
  const upcastersModule = typeof options.upcasters === 'string' ? loadModule(options.upcasters, 'upcasters') : options.upcasters;
  const upcasting = upcastersModule === undefined ? upcastingWithout(versions) : loadUpcasting(upcastersModule, versions);
  const streamIdField = options.streamIdField ?? DEFAULTS.streamIdField;
  if (typeof streamIdField !== 'string' || streamIdField.length === 0 || streamIdField === 'version') {
    throw new SpecUsageError(`streamIdField must be a field name other than "version", got ${JSON.stringify(streamIdField)}`);
  }
  const indexes = indexSpecs(options.indexes, streamIdField);
  return { handlers, upcasting, streamIdField, streamId: options.streamId ?? DEFAULT_SPEC_STREAM, indexes };
}

/** The view's indexes as the aggregator reads them, checked by synth's own rules. */
function indexSpecs(indexes: ViewIndex[] | undefined, streamIdField: string): IndexSpec[] {
  try {
    validateViewIndexes(indexes, streamIdField, 'indexes');
  } catch (err) {
    throw new SpecUsageError((err as Error).message);
  }
  return indexSpecsOf(indexes ?? []);
}
