// The accessibility check every screen the browser tests visit goes through (docs/console.md):
//  - axe-core (Deque's engine, tests/browser/package.json) with the WCAG 2.x A and AA rules:
//    a label for every form control, names for buttons and links, colour contrast of 4.5:1 for
//    text (AA), valid ARIA, no positive tabindex…; any violation fails the run;
//  - the keyboard: from the top of the page, Tab reaches every submit button and button-like link
//    of the screen (its main actions) — real key presses, so a focus trap or an unreachable
//    control shows.
// Enter activating an action is checked where the journeys act with the keyboard (pressWithKeyboard).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let axeSource = null;

function axe() {
  if (axeSource === null) {
    try {
      axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
    } catch {
      throw new Error("tests/browser/node_modules lacks axe-core; run scripts/install-deps.sh");
    }
  }
  return axeSource;
}

const wcagAA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// axe's violations on the page as it is now, one line each ("rule: what — where").
async function axeViolations(page) {
  // page.evaluate runs through the DevTools protocol, which the pages' strict CSP does not govern.
  await page.evaluate(axe());
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }), wcagAA);
  return result.violations.flatMap((v) => v.nodes.slice(0, 3).map((n) => `${v.id}: ${v.help} — ${n.target.join(" ")}${n.failureSummary ? ` (${n.failureSummary.split("\n").slice(1).join(" ").trim().slice(0, 200)})` : ""}`));
}

// Puts the keyboard at the top of the page: on the skip link, which both pages have first.
async function fromTheTop(page) {
  await page.evaluate(() => {
    const first = document.querySelector("a.skip");
    if (first) first.focus();
    else document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
}

// Marks the screen's main actions (visible, enabled submit buttons and the links drawn as
// buttons: « Demander l'accès », « Créer une application de production »…) and returns their names.
async function markMainActions(page) {
  return page.evaluate(() => {
    const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
    const actions = [...document.querySelectorAll("main button[type=submit], main button:not([type]), main a.button")]
      .filter((b) => visible(b) && !b.disabled);
    actions.forEach((b, i) => b.setAttribute("data-a11y-action", String(i)));
    return actions.map((b) => b.textContent.trim());
  });
}

// Presses Tab from the top of the page until every marked action has had the focus.
async function unreachedByTab(page) {
  const names = await markMainActions(page);
  if (!names.length) return [];
  const pending = new Set(names.map((_, i) => String(i)));
  await fromTheTop(page);
  // Each control may take a press: the page's own count of focusable things bounds the walk.
  const bound = await page.evaluate(() => document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]").length + 5);
  for (let i = 0; i < bound && pending.size; i += 1) {
    await page.keyboard.press("Tab");
    const id = await page.evaluate(() => document.activeElement?.getAttribute("data-a11y-action"));
    if (id !== null && id !== undefined) pending.delete(id);
  }
  await page.evaluate(() => document.querySelectorAll("[data-a11y-action]").forEach((e) => e.removeAttribute("data-a11y-action")));
  return [...pending].map((i) => `« ${names[Number(i)]} » is not reached with Tab`);
}

// Everything wrong with `page`'s current screen, prefixed with `name`.
export async function accessibilityProblems(page, name) {
  const found = [...(await axeViolations(page)), ...(await unreachedByTab(page))];
  return found.map((p) => `${name}: accessibility: ${p}`);
}

// Acts as a keyboard user: Tab from the top until `target` has the focus, then Enter. Fails if
// Tab never gets there.
export async function pressWithKeyboard(page, target) {
  const handle = await target.elementHandle();
  await fromTheTop(page);
  const bound = await page.evaluate(() => document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]").length + 5);
  for (let i = 0; i < bound; i += 1) {
    await page.keyboard.press("Tab");
    if (await handle.evaluate((e) => e === document.activeElement)) {
      await page.keyboard.press("Enter");
      return;
    }
  }
  throw new Error(`« ${(await target.textContent()).trim()} » cannot be reached with Tab`);
}
