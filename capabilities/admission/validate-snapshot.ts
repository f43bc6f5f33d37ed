// Validating admission of WukongSnapshots: a well-formed, immutable spec naming an existing Wukong, every
// problem at once with its field path; 4xx whatever arrives.
import { isDeepStrictEqual } from "node:util";
import { Log, type PeprValidateRequest } from "pepr";
import { failOpen, withDeadline } from "../../lib/admission/deadline";
import { type FeatureLookup, snapshotFeatureWarnings } from "../../lib/admission/feature-checks";
import { type SnapshotLookup, snapshotTargetProblems } from "../../lib/admission/snapshot-checks";
import { formatProblems } from "../../schemas/problems";
import { validateWukongSnapshot } from "../../schemas/validate-snapshot";
import { WukongSnapshotSpec } from "../../schemas/wukongsnapshot";
import type { WukongSnapshotResource } from "../kinds";

const UNPROCESSABLE = 422;
const LOOKUP_TIMEOUT_MS = 2000;

export function wukongSnapshotValidator(lookup: SnapshotLookup & FeatureLookup) {
  return async function validateWukongSnapshotRequest(request: PeprValidateRequest<WukongSnapshotResource>) {
    try {
      const namespace = request.Request.namespace ?? request.Raw.metadata?.namespace ?? "default";
      const oldSpec = (request.OldResource as WukongSnapshotResource | undefined)?.spec;
      // Metadata-only updates (our label, the delete-with-wukong annotation) never re-judge an admitted spec.
      if (oldSpec !== undefined && isDeepStrictEqual(JSON.parse(JSON.stringify(oldSpec)), JSON.parse(JSON.stringify(request.Raw.spec ?? null)))) {
        return request.Approve();
      }
      const problems = validateWukongSnapshot(request.Raw.spec, oldSpec);
      const parsed = WukongSnapshotSpec.safeParse(request.Raw.spec);
      const warnings: string[] = [];
      if (parsed.success && oldSpec === undefined) {
        const verdict = await failOpen("Wukongs", () => snapshotTargetProblems(namespace, parsed.data, lookup), LOOKUP_TIMEOUT_MS);
        problems.push(...verdict.problems);
        warnings.push(...verdict.warnings, ...(await snapshotWarnings(lookup)));
      }
      if (problems.length > 0) return request.Deny(formatProblems(problems), UNPROCESSABLE, warnings);
      return request.Approve(warnings);
    } catch (error) {
      Log.error({ name: request.Request.name, error: String(error) }, "WukongSnapshot validation failed unexpectedly");
      return request.Deny("spec: could not be validated because of an internal error in the Wukong webhook; see the operator log", UNPROCESSABLE);
    }
  };
}

/** The snapshot API or its feature gate missing: admitted (the cluster may gain it), with a warning. */
async function snapshotWarnings(lookup: FeatureLookup): Promise<string[]> {
  const features = await withDeadline(lookup.clusterFeatures(), LOOKUP_TIMEOUT_MS).catch(() => undefined);
  return features ? snapshotFeatureWarnings(features) : [];
}
