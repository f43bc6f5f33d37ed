// Which Pepr process this is: controllers run only in the watcher (or `pepr dev`), admission only in the
// admission pods (or `pepr dev`), and neither while `pepr build` loads the module to read its bindings.
export const isBuild = (): boolean => process.env.PEPR_MODE === "build";

export const runsControllers = (): boolean => process.env.PEPR_WATCH_MODE === "true" || process.env.PEPR_MODE === "dev";

export const servesAdmission = (): boolean => !isBuild() && process.env.PEPR_WATCH_MODE !== "true";

/** Pepr's pods listen on 3000; WUKONG_PORT lets the local stack run admission and watcher side by side. */
export const serverPort = (): number => Number(process.env.WUKONG_PORT ?? 3000);
