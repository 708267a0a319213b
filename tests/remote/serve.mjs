// serve.mjs - `relax serve`'s page in Debian's headless Chromium
// (playwright-core), at a phone's viewport:
//   node serve.mjs URL OUT_DIR ROOM
// Checks: without the key 401 and no page; with it the list of clients
// (anna and bob, made by the caller), the room shown as text; bad starts
// over the API (unknown profile, lengths out of range, bad JSON, unknown
// fields) are 400 and change nothing; tapping bob, "+5 min" and Start
// plays bob's week at that length (the status shows profile, length,
// room); a second start is 409; after 8 s on the audio clock, Stop (two
// taps) returns the page to the list (state idle). Prints "figure NAME
// VALUE" and "resumed_at_ms MS" lines; saves OUT_DIR/serve-page.png (the
// list), OUT_DIR/serve-chooser.png (the length chooser) and
// OUT_DIR/serve-playing.png (bob's session on the remote).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPhone } from "./phone.mjs";
import { api, fail, note, parseRemote, request, status, waitStatus } from "./lib.mjs";

const [url, outDir, room] = process.argv.slice(2);
if (!url || !outDir || room === undefined) fail("usage: node serve.mjs URL OUT_DIR ROOM");
const r = parseRemote(url);
const base = `http://${r.host}:${r.port}/`;

async function expectStatus(what, res, want, re) {
  if (res.status !== want) fail(`${what}: answered ${res.status}, want ${want} (${res.body})`);
  if (re && !re.test(res.body)) fail(`${what}: answer ${JSON.stringify(res.body)} does not match ${re}`);
}

async function main() {
  let phone;
  try {
    phone = await openPhone(base);
    const { page, problems } = phone;

    note("without the key: 401, no page, no API");
    const denied = await page.goto(base);
    if (denied.status() !== 401) fail("the page without a key answered " + denied.status());
    if ((await page.content()).includes("Relax remote")) fail("the page was shown without a key");
    for (const p of ["/api/profiles", "/api/status"]) {
      const res = await request(r, { path: p });
      await expectStatus("GET " + p + " without the key", res, 401);
    }
    await expectStatus("POST /api/start without the key",
      await request(r, { method: "POST", path: "/api/start", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ profile: "anna" }) }), 401);

    note("with the key: the list of clients and the room");
    const ok = await page.goto(url);
    if (ok.status() !== 200) fail("the page with the key answered " + ok.status());
    await page.waitForSelector('#profiles button[data-name="anna"]');
    await page.waitForSelector('#profiles button[data-name="bob"]');
    if ((await page.textContent("#state")) !== "idle") fail("state shown: " + await page.textContent("#state"));
    const shownRoom = await page.textContent("#room");
    if (shownRoom !== "Room: " + room) fail(`room shown as ${JSON.stringify(shownRoom)}, want ${JSON.stringify("Room: " + room)}`);
    if (await page.$("#room *")) fail("the room name was parsed as markup");
    if (await page.$("#profiles .week *")) fail("a week title was parsed as markup");
    const st0 = await status(r);
    if (st0.state !== "idle" || st0.room !== room || !st0.serve) fail("status at the start: " + JSON.stringify(st0));
    const prof = JSON.parse((await api(r, "GET", "/api/profiles")).body);
    if (prof.room !== room) fail("/api/profiles room: " + JSON.stringify(prof.room));
    const bob = prof.profiles.find((p) => p.name === "bob");
    const anna = prof.profiles.find((p) => p.name === "anna");
    if (!bob || !anna || prof.profiles.length !== 2) fail("profiles: " + JSON.stringify(prof));
    if (anna.week !== 2 || anna.done !== 1) fail("anna should be at week 2 with one done: " + JSON.stringify(anna));
    if (bob.week !== 1 || !(bob.resume_ms > 0)) fail("bob should resume week 1: " + JSON.stringify(bob));
    await page.screenshot({ path: path.join(outDir, "serve-page.png"), fullPage: true });

    note("bad starts: 400, nothing starts");
    const bad = [
      [{ profile: "nobody" }, /no such profile/],
      [{ profile: "anna", length_ms: anna.length_min_ms - 1 }, /length_ms must be from/],
      [{ profile: "anna", length_ms: anna.length_max_ms + 1 }, /length_ms must be from/],
      [{ profile: "anna", length_ms: "long" }, /whole number/],
      [{ profile: "anna", extra: 1 }, /unknown field/],
      [{ length_ms: 60000 }, /wants a profile/],
      [[], /JSON object/],
    ];
    for (const [body, re] of bad)
      await expectStatus("start " + JSON.stringify(body), await api(r, "POST", "/api/start", body), 400, re);
    await expectStatus("start with broken JSON", await request(r, { method: "POST", path: "/api/start",
      headers: { Authorization: "Bearer " + r.key, "Content-Type": "application/json" }, body: "{\"profile\":" }), 400,
      /not valid JSON/);
    await expectStatus("GET /api/start", await api(r, "GET", "/api/start"), 405);
    if ((await status(r)).state !== "idle") fail("a bad start changed the state");

    note("tap bob, +5 min, Start");
    await page.tap('#profiles button[data-name="bob"]');
    await page.waitForSelector("#chooser:not([hidden])");
    const rangeText = await page.textContent("#range");
    if (!/^From .* to .*/.test(rangeText)) fail("the range is not shown: " + JSON.stringify(rangeText));
    const want = Math.min(bob.length_max_ms, bob.length_ms + 300000);
    await page.tap("#longer");
    const chosen = Number(await page.inputValue("#len"));
    if (chosen !== want) fail(`the length after +5 min is ${chosen}, want ${want}`);
    await page.screenshot({ path: path.join(outDir, "serve-chooser.png"), fullPage: true });
    const t0 = Date.now();
    await page.tap("#go");
    const playing = await waitStatus(r, "bob's session playing", (s) => s.state === "playing", 60000);
    console.log("figure start_to_playing_ms " + (Date.now() - t0));
    if (playing.profile !== "bob") fail("profile playing: " + playing.profile);
    if (playing.length_ms !== want) fail(`length playing ${playing.length_ms}, want ${want}`);
    if (playing.room !== room) fail("room while playing: " + JSON.stringify(playing.room));
    if (playing.session !== "week-01") fail("session playing: " + playing.session);
    await page.waitForFunction(() => document.getElementById("state").textContent === "playing");
    if (!(await page.isHidden("#lobby"))) fail("the list is still shown while playing");
    await page.screenshot({ path: path.join(outDir, "serve-playing.png"), fullPage: true });
    const whoShown = await page.textContent("#room");
    if (whoShown !== "Room: " + room + " \u00b7 For bob") fail("while playing the page says " + JSON.stringify(whoShown));

    note("a second start while it plays: 409");
    await expectStatus("second start", await api(r, "POST", "/api/start", { profile: "anna" }), 409,
      /already playing/);

    const from = playing.position_ms;
    await waitStatus(r, "8 s played", (s) => s.position_ms >= from + 8000, 60000);
    note("Stop (two taps): back to the list");
    await page.tap("#stop");
    await page.tap("#stop");
    const idle = await waitStatus(r, "idle after Stop", (s) => s.state === "idle", 30000);
    if (idle.profile !== "" || idle.message !== "") fail("idle status after stop: " + JSON.stringify(idle));
    await page.waitForSelector("#lobby:not([hidden])");
    await page.waitForSelector('#profiles button[data-name="bob"]');
    console.log("resumed_at_ms " + from);
    if (problems.length) fail(problems.join("; "));
    note("the page passed");
  } finally {
    if (phone) await phone.close();
  }
}

main().catch((e) => fail(e.stack || String(e)));
