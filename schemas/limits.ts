// The bounds of the API: list lengths, sizes and counts, shared by the schemas and the cross-field rules.
import { Mi, Ti } from "./quantity";

export const LIMITS = {
  maxCpu: 256,
  minMemory: 128n * Mi,
  maxMemory: 16n * Ti,
  minDiskSize: Mi,
  maxDiskSize: 64n * Ti,
  maxNetworks: 16,
  maxDisks: 16,
  maxDnsServers: 3, // resolv.conf honours three nameservers
  maxGroups: 32,
  maxTolerations: 32,
  maxNodeSelector: 32,
  maxUserDataBytes: 64 * 1024,
  maxGpus: 8,
} as const;
