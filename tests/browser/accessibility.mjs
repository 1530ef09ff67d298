// Acting as a keyboard user: Tab from the top of the page to a control, then Enter — real key
// presses, so an unreachable control or a focus trap fails the journey.

// Puts the keyboard at the top of the page: on the skip link, which both pages have first.
async function fromTheTop(page) {
  await page.evaluate(() => {
    const first = document.querySelector("a.skip");
    if (first) first.focus();
    else document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
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
