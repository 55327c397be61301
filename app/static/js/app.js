// Progressive enhancement only: every page works without this file.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";
import { initCompetencyChoosers } from "./competency-chooser.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
initCompetencyChoosers();
