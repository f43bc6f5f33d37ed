// Child names: admission checks their length with these same functions.
import { attachedNadName, cloudInitSecretName, diskClaimName, generatedNadName, virtualMachineName } from "../../../lib/children";

describe("child names", () => {
  it("are derived from the Wukong name", () => {
    expect(generatedNadName("web", "mgmt")).toBe("web-mgmt");
    expect(attachedNadName("web", { name: "mgmt" })).toBe("web-mgmt");
    expect(attachedNadName("web", { name: "mgmt", nadName: "corp-net" })).toBe("corp-net");
    expect(diskClaimName("web", "system")).toBe("web-system");
    expect(virtualMachineName("web")).toBe("web");
    expect(cloudInitSecretName("web")).toBe("web-cloudinit");
  });
});
