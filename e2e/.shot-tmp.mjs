import { chromium } from "playwright-core";
const [,, url, out, sel, w] = process.argv;
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const p = await b.newPage({ viewport: { width: Number(w || 1280), height: 900 } });
p.on("console", (m) => console.log("console:", m.type(), m.text()));
await p.goto(url);
if (sel && sel !== "-") await p.locator(sel).first().screenshot({ path: out });
else await p.screenshot({ path: out, fullPage: true });
await b.close();
