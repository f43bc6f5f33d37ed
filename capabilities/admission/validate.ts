// Validating admission: every problem at once, each with its field path; 4xx whatever arrives.
import { Log, type PeprValidateRequest } from "pepr";
import { clusterChecks, type ClusterLookup } from "../../lib/admission/cluster-checks";
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
      const oldParsed = WukongSpec.safeParse((request.OldResource as WukongResource | undefined)?.spec);
      const oldSpec = oldParsed.success ? oldParsed.data : undefined;
      const problems = validateWukong({ name, spec: request.Raw.spec, oldSpec, annotations: request.Raw.metadata?.annotations });
      const warnings = plainPasswordWarning(request.Raw);
      if (problems.length === 0) {
        const spec = WukongSpec.parse(request.Raw.spec);
        const verdict = await clusterChecks({ namespace, name, spec, oldSpec }, lookup);
        problems.push(...verdict.problems);
        warnings.push(...verdict.warnings);
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

function plainPasswordWarning(wukong: WukongResource): string[] {
  return wukong.spec?.cloudInitUser?.password !== undefined
    ? ["spec.cloudInitUser.password is stored in plain text in this Wukong; prefer passwordHash (mkpasswd -m sha-512)"]
    : [];
}
