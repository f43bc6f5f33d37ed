// Which Pepr process this is: controllers and start-up side effects run only in the watcher (or `pepr dev`),
// never in admission pods nor while `pepr build` loads the module to read its bindings.
export const runsControllers = (): boolean => process.env.PEPR_WATCH_MODE === "true" || process.env.PEPR_MODE === "dev";

export const isBuild = (): boolean => process.env.PEPR_MODE === "build";

/** Pepr's pods listen on 3000; WUKONG_PORT lets the local stack run admission and watcher side by side. */
export const serverPort = (): number => Number(process.env.WUKONG_PORT ?? 3000);
