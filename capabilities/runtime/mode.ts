// Which Pepr process this is: controllers and start-up side effects run only in the watcher (or `pepr dev`),
// never in admission pods nor while `pepr build` loads the module to read its bindings.
export const runsControllers = (): boolean => process.env.PEPR_WATCH_MODE === "true" || process.env.PEPR_MODE === "dev";
