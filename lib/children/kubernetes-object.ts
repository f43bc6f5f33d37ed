// A minimal object shape for builders: lib/ stays free of client libraries.
export interface ObjectMeta {
  name: string;
  /** Absent for cluster-scoped objects (the NodeNetworkConfigurationPolicy). */
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}
