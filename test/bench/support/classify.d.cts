// Types of classify.cjs (plain CommonJS so that it can be preloaded into processes without a TypeScript loader).
export interface RequestClass {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  scope: string;
}
export function classify(method: string, rawPath: string, contentType?: string): RequestClass | undefined;
export function keyOf(c: RequestClass): string;
