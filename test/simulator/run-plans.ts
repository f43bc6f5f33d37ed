// The one place that performs planned actions against the API server: logs one line per successful
// transition and tolerates races (404/409 -> re-read and retry next loop).
import { isConflict, isNotFound, KubeClient } from "../support/kube-client";
import { Logger } from "./log";
import { Action, Plan } from "./plan";

export async function runPlans(client: KubeClient, plans: Plan[], logger: Logger): Promise<void> {
  for (const plan of plans) {
    for (const action of plan) {
      if (!(await runAction(client, action, logger))) break;
    }
  }
}

async function runAction(client: KubeClient, action: Action, logger: Logger): Promise<boolean> {
  const target =
    action.type === "create"
      ? `${action.res.plural} ${action.obj.metadata.namespace}/${action.obj.metadata.name}`
      : action.type === "note"
        ? action.key
        : `${action.res.plural} ${action.namespace}/${action.name}`;
  try {
    switch (action.type) {
      case "note":
        logger.once(action.key, action.log);
        return true;
      case "create":
        await client.create(action.res, action.obj);
        break;
      case "patch":
        await client.mergePatch(action.res, action.namespace, action.name, action.patch, action.subresource);
        break;
      case "jsonPatch":
        await client.jsonPatch(action.res, action.namespace, action.name, action.ops);
        break;
      case "delete":
        await client.delete(action.res, action.namespace, action.name, action.uid, action.force);
        break;
    }
    if (action.log) logger.info(action.log); // an empty log: a routine write (a Lease renewal), not a transition
    logger.clear(target);
    return true;
  } catch (err) {
    if (isNotFound(err) || isConflict(err)) {
      // Someone else changed or removed the object since we listed it: re-read next loop.
      logger.debug(`${action.type} ${target} raced (${(err as Error).message}); retrying next loop`);
    } else {
      logger.once(target, `error: ${action.type} ${target} failed: ${(err as Error).message}`);
    }
    return false;
  }
}
