// Progressive enhancement only: every page works without this file.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";
import { initCompetencyChoosers } from "./competency-chooser.js";
import { forgetOtherPeople } from "./offline/device.js";
import { startIdleWarning } from "./offline/idle.js";
import { clearDeviceOnSignOut, keepPagesForOffline, registerServiceWorker } from "./offline/shell.js";
import { restoreTyping, startTyping } from "./offline/typing.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
forgetOtherPeople();
restoreTyping(); // before NHS.UK's script, so put-back choices open their notes
initAll();
initCompetencyChoosers();
clearDeviceOnSignOut();
startTyping();
startIdleWarning();
registerServiceWorker();
keepPagesForOffline();
