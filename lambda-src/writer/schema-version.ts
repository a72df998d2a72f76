import type { AppendRequest } from './validate';
import type { EventTypeVersionInfo } from '../../src/contract';
import { HttpError } from '../core/http';

/**
 * The schema version a POST stores: the type's current version when it names none; an older one
 * it names, if the type accepts older versions (a client still on the old shape during a rollout);
 * never a version the API does not know yet (no reader could upcast it), nor one older than the
 * type's first. Answers 400 naming the versions this API accepts.
 */
export function schemaVersionOf(request: AppendRequest, info: EventTypeVersionInfo): number {
  const requested = request.schemaVersion;
  if (info.renamedTo !== undefined) return renamedTypeVersion(request, info, info.renamedTo);
  if (requested === undefined || requested === info.current) return info.current;
  const accepted = info.acceptOlder && info.first < info.current
    ? `versions ${info.first} to ${info.current}`
    : `version ${info.current} only`;
  if (requested > info.current) {
    throw new HttpError(400, `"${request.type}" has no schema version ${requested} yet: its current version is ${info.current}, and this API accepts ${accepted}`);
  }
  if (requested < info.first || !info.acceptOlder) {
    throw new HttpError(400, `"${request.type}" version ${requested} is not accepted: this API accepts ${accepted}`);
  }
  return requested;
}

/**
 * A renamed type has no current version of its own: a POST without `schemaVersion` stores its
 * last one (clients that still send it keep working); naming the version it was renamed at
 * answers 400 pointing to the new type.
 */
function renamedTypeVersion(request: AppendRequest, info: EventTypeVersionInfo, renamedTo: string): number {
  const last = info.current - 1;
  const requested = request.schemaVersion ?? last;
  if (requested >= info.current) {
    throw new HttpError(400, `"${request.type}" was renamed "${renamedTo}" at version ${info.current}: send "${renamedTo}", or version ${last} or older of "${request.type}"`);
  }
  if (requested < info.first || (requested < last && !info.acceptOlder)) {
    const accepted = info.acceptOlder && info.first < last ? `versions ${info.first} to ${last}` : `version ${last} only`;
    throw new HttpError(400, `"${request.type}" version ${requested} is not accepted: this API accepts ${accepted}`);
  }
  return requested;
}
