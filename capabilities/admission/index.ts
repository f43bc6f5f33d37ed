// Admission for Wukongs: defaulting (Mutate) and validation (Validate) on CREATE and UPDATE.
import { Capability } from "pepr";
import { WukongResource } from "../kinds";
import { clusterLookup } from "./cluster-lookup";
import { defaultWukong } from "./mutate";
import { wukongValidator } from "./validate";

export const Admission = new Capability({
  name: "admission",
  description: "Defaults and validates Wukong specs at admission, naming each wrong field.",
});

Admission.When(WukongResource).IsCreatedOrUpdated().Mutate(defaultWukong).Validate(wukongValidator(clusterLookup));
