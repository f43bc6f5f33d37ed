// Validating admission: every problem at once, each with its field path; 4xx whatever arrives.
import { isDeepStrictEqual } from "node:util";
import { Log, type PeprValidateRequest } from "pepr";
import { clusterChecks, type ClusterLookup } from "../../lib/admission/cluster-checks";
import { staticGatewayWarnings } from "../../lib/networks/route-warnings";
import { formatProblems, uniqueProblems } from "../../schemas/problems";
import { WukongSpec } from "../../schemas/spec";
import { validateWukong } from "../../schemas/validate";
import type { WukongResource } from "../kinds";

const UNPROCESSABLE = 422;

export function wukongValidator(lookup: ClusterLookup) {
  return async function validateWukongRequest(request: PeprValidateRequest<WukongResource>) {
    try {
      const name = request.Raw.metadata?.name ?? request.Request.name ?? "";
      const namespace = request.Request.namespace ?? request.Raw.metadata?.namespace ?? "default";
      const oldRaw = (request.OldResource as WukongResource | undefined)?.spec;
      // Metadata-only updates (our finalizer, labels, annotations) never re-judge an admitted spec:
      // a lookup timeout must not block a deletion.
      if (oldRaw !== undefined && sameJson(oldRaw, request.Raw.spec)) return request.Approve();
      const oldParsed = WukongSpec.safeParse(oldRaw);
      const oldSpec = oldParsed.success ? oldParsed.data : undefined;
      const problems = validateWukong({ name, spec: request.Raw.spec, oldSpec, annotations: request.Raw.metadata?.annotations });
      const warnings = plainPasswordWarning(request.Raw);
      // Cluster checks need a well-formed spec; they run beside cross-field problems so all come at once.
      const parsed = WukongSpec.safeParse(request.Raw.spec);
      if (parsed.success) {
        const spec = parsed.data;
        const verdict = await clusterChecks({ namespace, name, spec, oldSpec }, lookup);
        problems.push(...verdict.problems);
        warnings.push(...staticGatewayWarnings(spec), ...verdict.warnings);
      }
      if (problems.length > 0) return request.Deny(formatProblems(uniqueProblems(problems)), UNPROCESSABLE, warnings);
      return request.Approve(warnings);
    } catch (error) {
      // A bug of ours must not become a 500 nor admit an unchecked spec.
      Log.error({ name: request.Request.name, error: String(error) }, "validation failed unexpectedly");
      return request.Deny("spec: could not be validated because of an internal error in the Wukong webhook; see the operator log", UNPROCESSABLE);
    }
  };
}

/** Equal as JSON, whatever the key order or the objects' prototypes (Pepr's copies have none). */
const sameJson = (a: unknown, b: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));

function plainPasswordWarning(wukong: WukongResource): string[] {
  return wukong.spec?.cloudInitUser?.password !== undefined
    ? ["spec.cloudInitUser.password is stored in plain text in this Wukong; prefer passwordHash (mkpasswd -m sha-512)"]
    : [];
}
