// CTest browser.screens: the screens the seed journeys (journeys_test.mjs) do not click, each
// action checked on the wire afterwards — ADMINISTRATION's rejection, revocation and user
// management (administration_screens.mjs), an application's API keys, OAuth IDs and deletion
// (credential_screens.mjs), the console's token buttons, quotas, snapshot and world reset
// (console_screens.mjs, last: the reset empties the world). Every screen shot is also checked for
// accessibility (accessibility.mjs).
// Usage: node tests/browser/screens_test.mjs PATH/TO/pistesim SCREENSHOT_DIR
import { administrationScreens } from "./administration_screens.mjs";
import { consoleScreens } from "./console_screens.mjs";
import { credentialScreens } from "./credential_screens.mjs";
import { runBrowserTest } from "./harness.mjs";

await runBrowserTest("browser.screens", async (frame) => {
  await administrationScreens(frame);
  await credentialScreens(frame);
  await consoleScreens(frame);
});
