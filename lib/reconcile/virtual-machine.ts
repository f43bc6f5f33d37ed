// Virtual machine step: the cloud-init Secret, then the VirtualMachine; the user's Secrets are only looked at.
import { isAvailable } from "../networks/node-network-status";
import type { ReconcileContext } from "./context";
import { ensureChild } from "./writes";
import { withUnpluggedNics } from "../children/nic-unplug";

export async function reconcileVirtualMachine(ctx: ReconcileContext): Promise<void> {
  const { port, namespace, name, desired, observed } = ctx;
  await checkUserSecrets(ctx);
  const secret = desired.cloudInitSecret;
  await ensureChild(ctx, "Secret", secret, port.get("Secret", namespace, secret.metadata.name));
  const vmi = port.get("VirtualMachineInstance", namespace, name);
  const vm = withUnpluggedNics(desired.virtualMachine, vmi?.spec as Parameters<typeof withUnpluggedNics>[1]);
  const live = port.get("VirtualMachine", namespace, vm.metadata.name);
  // A VM started before its host bridge exists fails at pod start with a CNI error nobody sees: wait for NMState.
  // A VM that already exists is left running.
  const bridgesPending = (observed.nodeNetworks ?? []).some(network => !isAvailable(network));
  if (!live && bridgesPending) return;
  observed.virtualMachine = await ensureChild(ctx, "VirtualMachine", vm, live);
  observed.virtualMachineInstance = vmi;
}

async function checkUserSecrets(ctx: ReconcileContext): Promise<void> {
  const spec = ctx.wukong.spec;
  const wanted = [
    ["spec.sshKeySecret", spec?.sshKeySecret],
    ["spec.cloudInit.userDataSecretRef", spec?.cloudInit?.userDataSecretRef?.name],
  ] as const;
  for (const [field, secretName] of wanted) {
    if (!secretName || (await ctx.port.exists("Secret", ctx.namespace, secretName))) continue;
    ctx.observed.childErrors.push({ kind: "Secret", name: secretName, reason: "NotFound", message: `Secret ${secretName} named by ${field} does not exist` });
  }
}
