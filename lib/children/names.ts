// The child names live in schemas/child-names.ts, beside the rules that check their length at admission (schemas/
// imports nothing from lib/); the builders take them from here.
export { attachedNadName, cloudInitSecretName, diskClaimName, generatedNadName, virtualMachineName } from "../../schemas/child-names";
