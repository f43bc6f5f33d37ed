import { metadataKeyPath, setAnnotationOp } from "../../../lib/cluster/metadata-patch";

describe("metadata patch ops", () => {
  test("a key is one JSON pointer segment: ~ and / escaped as RFC 6901 says", () => {
    expect(metadataKeyPath("annotations", "vm.novasphere.dev/a~b/c")).toBe("/metadata/annotations/vm.novasphere.dev~1a~0b~1c");
    expect(metadataKeyPath("labels", "plain")).toBe("/metadata/labels/plain");
  });

  test("setting an annotation adds the key, or the whole map when the object has none", () => {
    expect(setAnnotationOp({ other: "x" }, "a/b", "v")).toEqual({ op: "add", path: "/metadata/annotations/a~1b", value: "v" });
    expect(setAnnotationOp(undefined, "a/b", "v")).toEqual({ op: "add", path: "/metadata/annotations", value: { "a/b": "v" } });
  });
});
