// Virtual machine step: the cloud-init Secret, then the VirtualMachine; the user's Secrets are only looked at.
import { kind } from "pepr";
import { VirtualMachine, VirtualMachineInstance } from "../kinds";
import type { ReconcileContext } from "../lifecycle/context";
import { applyIfChanged, getOrUndefined } from "../runtime/children";
import { recordingFailure } from "../runtime/failures";

export async function reconcileVirtualMachine(ctx: ReconcileContext): Promise<void> {
  const { namespace, name, desired, observed, wukong } = ctx;
  await checkUserSecrets(ctx);

  const secret = desired.cloudInitSecret;
  const liveSecret = await getOrUndefined(kind.Secret, namespace, secret.metadata.name);
  const secretResult = await recordingFailure(observed.childErrors, "Secret", secret.metadata.name, () => applyIfChanged(kind.Secret, secret, liveSecret));
  if (secretResult === "created") await ctx.events.record(wukong, "Normal", "Created", `Created cloud-init Secret ${secret.metadata.name}`);

  const vm = desired.virtualMachine;
  const liveVm = await getOrUndefined(VirtualMachine, namespace, vm.metadata.name);
  const vmResult = await recordingFailure(observed.childErrors, "VirtualMachine", vm.metadata.name, () => applyIfChanged(VirtualMachine, vm, liveVm));
  if (vmResult === "created") await ctx.events.record(wukong, "Normal", "Created", `Created VirtualMachine ${vm.metadata.name}`);
  if (vmResult === "updated") await ctx.events.record(wukong, "Normal", "Updated", `Updated VirtualMachine ${vm.metadata.name} to match the spec`);

  // Re-read after a write so status reflects what the API server stored.
  observed.virtualMachine = vmResult === "unchanged" ? liveVm : await getOrUndefined(VirtualMachine, namespace, vm.metadata.name);
  observed.virtualMachineInstance = await getOrUndefined(VirtualMachineInstance, namespace, name);
}

async function checkUserSecrets(ctx: ReconcileContext): Promise<void> {
  const spec = ctx.wukong.spec;
  const wanted = [
    ["spec.sshKeySecret", spec?.sshKeySecret],
    ["spec.cloudInit.userDataSecretRef", spec?.cloudInit?.userDataSecretRef?.name],
  ] as const;
  for (const [field, secretName] of wanted) {
    if (!secretName) continue;
    if (!(await getOrUndefined(kind.Secret, ctx.namespace, secretName))) {
      ctx.observed.childErrors.push({ kind: "Secret", name: secretName, reason: "NotFound", message: `Secret ${secretName} named by ${field} does not exist` });
    }
  }
}
