// page.mjs - the remote's page in Debian's headless Chromium (playwright-core,
// no browser download), at a phone's viewport, against a playing
// `relax play --remote-listen 127.0.0.1:0`:
//   node page.mjs URL OUT_DIR
// Checks: the page loads with the key and not without; the title is shown
// as text (never as markup); tapping Pause pauses the player; three taps on
// "Volume -" lower it by 6 dB; Resume; "+5 min" makes the session 5 minutes
// longer; "Stop" (tapped twice) fades out. Waits go by the player's audio
// clock (position_ms), except one deliberate 1.5 s pause the caller
// measures in the captured audio. Prints "figure NAME VALUE" lines and
// saves OUT_DIR/remote-page.png.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPhone } from "./phone.mjs";
import { fail, note, parseRemote, status, waitStatus } from "./lib.mjs";

const [url, outDir] = process.argv.slice(2);
if (!url || !outDir) fail("usage: node page.mjs URL OUT_DIR");
const r = parseRemote(url);
const base = `http://${r.host}:${r.port}/`;

async function main() {
  let phone;
  try {
    phone = await openPhone(base);
    const { page, problems } = phone;

    note("without the key: 401, no page");
    const denied = await page.goto(base);
    if (denied.status() !== 401) fail("the page without a key answered " + denied.status());
    if ((await page.content()).includes("Relax remote")) fail("the page was shown without a key");

    note("with the key: the page, live");
    const t0 = Date.now();
    const ok = await page.goto(url);
    if (ok.status() !== 200) fail("the page with the key answered " + ok.status());
    await page.waitForFunction(() => document.getElementById("state").textContent === "playing");
    console.log("figure page_live_ms " + (Date.now() - t0));
    const st0 = await status(r);
    const shown = await page.textContent("#title");
    if (shown !== st0.title) fail(`title shown as ${JSON.stringify(shown)}, want ${JSON.stringify(st0.title)}`);
    if (await page.$("#title *")) fail("the title was parsed as markup");
    const cookies = await page.context().cookies(base);
    const kc = cookies.find((c) => c.name === "relax_key");
    if (!kc || !kc.httpOnly || kc.sameSite !== "Strict") fail("no HttpOnly SameSite=Strict key cookie: " + JSON.stringify(cookies));

    note("play 7.5 s (audio clock), then tap Pause");
    await waitStatus(r, "7.5 s played", (s) => s.position_ms >= 7500, 60000);
    // tap to display, timed inside the page: the request, the player's
    // control loop, the live update and the redraw
    await page.evaluate(() => {
      const el = document.getElementById("state");
      window.__tap = 0;
      window.__shown = 0;
      document.getElementById("toggle").addEventListener("click", () => { window.__tap = performance.now(); }, { capture: true, once: true });
      new MutationObserver(() => {
        if (el.textContent === "paused" && !window.__shown) window.__shown = performance.now();
      }).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await page.tap("#toggle");
    await page.waitForFunction(() => document.getElementById("state").textContent === "paused");
    const latency = await page.evaluate(() => window.__shown - window.__tap);
    console.log("figure pause_tap_to_page_ms " + latency.toFixed(0));
    if (latency > 1000) fail(`the pause took ${latency} ms to show`);
    const paused = await waitStatus(r, "paused", (s) => s.state === "paused", 5000);

    note("three taps on Volume -: 6 dB down");
    for (let i = 1; i <= 3; i++) {
      await page.tap("#voldown");
      await waitStatus(r, `volume -${2 * i} dB`, (s) => Math.abs(s.volume_db - (paused.volume_db - 2 * i)) < 1e-9, 5000);
    }
    await page.waitForFunction((want) => document.getElementById("vol").textContent === want,
      "volume " + (paused.volume_db - 6 > 0 ? "+" : "") + (paused.volume_db - 6) + " dB");
    await page.waitForTimeout(1500);   // a pause long enough to find in the recording
    await page.screenshot({ path: path.join(outDir, "remote-page-paused.png") });

    note("Resume, play 6.5 s more");
    await page.tap("#toggle");
    await page.waitForFunction(() => document.getElementById("state").textContent === "playing");
    const resumed = await status(r);
    await waitStatus(r, "6.5 s more", (s) => s.position_ms >= resumed.position_ms + 6500, 60000);

    note("+5 min");
    const before = await status(r);
    // the test session's silence stretches from 40 s to 10 min
    if (!before.length_live) fail("the length cannot change live");
    await page.tap("button[data-delta='300000']");
    const longer = await waitStatus(r, "5 min longer", (s) => s.length_ms !== before.length_ms, 30000);
    console.log(`figure length_ms ${before.length_ms} -> ${longer.length_ms}`);
    if (Math.abs(longer.length_ms - before.length_ms - 300000) > 1000)
      fail(`+5 min changed the length from ${before.length_ms} to ${longer.length_ms}`);
    await page.waitForFunction(() => document.getElementById("remaining").textContent.length > 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(outDir, "remote-page.png"), fullPage: true });

    if (problems.length) fail("the page reported: " + problems.join("; "));

    note("Stop: two taps, fade out");
    await page.tap("#stop");
    if ((await page.textContent("#stop")) !== "Tap again to stop") fail("the first tap on Stop did not ask again");
    if ((await status(r)).state !== "playing") fail("one tap on Stop stopped the session");
    await page.tap("#stop");
    await page.waitForFunction(() => ["stopping", "ended"].includes(document.getElementById("state").textContent)
      || document.getElementById("conn").textContent !== "");
    console.log("page: all checks passed");
  } finally {
    if (phone) await phone.close();
  }
}

main().catch((e) => fail(e.stack || String(e)));
