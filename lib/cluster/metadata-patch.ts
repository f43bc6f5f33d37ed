// JSON patch (RFC 6902) ops on an object's labels or annotations. A key is one JSON pointer segment, escaped as
// RFC 6901 says (~ → ~0, / → ~1); an object with no annotations yet needs the whole map added.

/** The JSON pointer to one label or annotation. */
export function metadataKeyPath(map: "labels" | "annotations", key: string): string {
  return `/metadata/${map}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

/** The op that sets annotation `key` to `value` on an object whose annotations are `annotations`. */
export function setAnnotationOp(annotations: Record<string, string> | undefined, key: string, value: string): { op: "add"; path: string; value: unknown } {
  return annotations ? { op: "add", path: metadataKeyPath("annotations", key), value } : { op: "add", path: "/metadata/annotations", value: { [key]: value } };
}
