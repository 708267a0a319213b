// phone.mjs - the browser of the remote's page tests: Debian's headless
// Chromium (playwright-core, no browser download) at a phone's viewport,
// with the page's errors collected. The deliberate load without the key
// logs its 401s (the document and the browser's own favicon request,
// sometimes late): those are not errors.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

// -> {page, problems, close}; problems fills with page and console errors.
export async function openPhone(base) {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), "relax-chromium-"));
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(profileDir, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      timeout: 60000,
    });
  } catch (e) {
    fs.rmSync(profileDir, { recursive: true, force: true });
    throw e;
  }
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(20000);
  const problems = [];
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => {
    const keyless = [base, base + "favicon.ico"].includes(m.location().url) && / 401 /.test(m.text());
    if (m.type() === "error" && !keyless)
      problems.push("console: " + m.text() + " at " + m.location().url);
  });
  const close = async () => {
    await ctx.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
  };
  return { page, problems, close };
}
