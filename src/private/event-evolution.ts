import { Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { bundleUpcasters, bundleUpcastersCheck, type EvolutionBundleInput } from './bundle-projection';
import { checkProjectionExports } from './check-projection';
import { declaredEventVersions, typesNeedingUpcasters, type DeclaredEventVersions } from './event-versions';
import { validateProjectionEntry } from './validation';
import type { EventTypeVersions } from '../event-type-versions';

/** The props that say how an API's events change shape. */
export interface EvolutionProps {
  readonly eventVersions?: EventTypeVersions[];
  readonly upcasters?: string;
  readonly eventSchemas?: { [eventType: string]: any };
}

/** An API's declared event versions and its checked upcasters module. */
export interface EventEvolution extends EvolutionBundleInput {
  readonly declared: DeclaredEventVersions;
  /**
   * The sha256 of the upcasters module's bundle (undefined without one): each view table's
   * Custom::ViewBackfill carries it, so a deploy that changes the upcasters flags the views built
   * with the earlier ones.
   */
  readonly upcastersHash?: string;
}

/**
 * Checks `eventVersions` and `upcasters` at synth: each type stored at more than one version needs
 * the upcasters module, and the module must have an upcaster for every step and none that could
 * never run (checked by loading its bundle as the aggregator will, in a child process). Undefined
 * when neither is set, so an API without versions bundles exactly as before.
 */
export function eventEvolution(scope: Construct, props: EvolutionProps): EventEvolution | undefined {
  if (props.eventVersions === undefined && props.upcasters === undefined) return undefined;
  const declared = declaredEventVersions(props.eventVersions ?? [], props.eventSchemas, Token.isUnresolved);
  const needing = typesNeedingUpcasters(declared.versions);
  if (props.upcasters === undefined) {
    if (needing.length > 0) {
      const [type] = needing;
      const { first } = declared.versions[type];
      throw new Error(`eventVersions: "${type}" is stored at versions ${first} to ${declared.versions[type].current}, so it needs an upcaster ` +
        `from each version to the next: set upcasters to a module that exports upcasters["${type}"][${first}].`);
    }
    return { declared, versions: declared.versions };
  }
  validateProjectionEntry(props.upcasters, 'upcasters');
  checkProjectionExports(scope, 'upcasters', props.upcasters, bundleUpcastersCheck(props.upcasters, declared.versions));
  return { declared, versions: declared.versions, upcasters: props.upcasters, upcastersHash: bundleUpcasters(props.upcasters).hash };
}
