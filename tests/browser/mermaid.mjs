// Renders Mermaid files with the real Mermaid library (node_modules/mermaid, pinned in
// package-lock.json) in headless Chromium, and fails on any file Mermaid cannot parse or draw.
// `asl-studio render --to mermaid` output is checked this way (tests/browser/run.sh makes the files
// from every corpus definition first).
//
//   node mermaid.mjs DIR        every *.mmd file in DIR
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2];
if (!dir || !fs.existsSync(dir)) {
  console.error('usage: node mermaid.mjs DIR (a folder of .mmd files)');
  process.exit(2);
}
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.mmd')).sort();
if (files.length === 0) {
  console.error(`${dir}: no .mmd files`);
  process.exit(2);
}
const bundle = path.join(here, 'node_modules/mermaid/dist/mermaid.min.js');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
let failures = 0;
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
  await page.addScriptTag({ path: bundle });
  await page.evaluate(() => {
    // Big corpus machines are over Mermaid's default limits, which exist for untrusted pages.
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', maxTextSize: 10_000_000, maxEdges: 100_000 });
  });
  for (const [index, file] of files.entries()) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const result = await page.evaluate(async ({ text, id }) => {
      try {
        await window.mermaid.parse(text);
        const { svg } = await window.mermaid.render(id, text);
        if (!svg.includes('<svg')) return 'render returned no SVG';
        // Mermaid draws a syntax error as a picture instead of throwing in some versions.
        if (svg.includes('Syntax error in text')) return 'rendered a syntax-error picture';
        return null;
      } catch (error) {
        return String(error?.message ?? error);
      }
    }, { text, id: `m${index}` });
    if (result) {
      failures += 1;
      console.error(`FAIL ${file}: ${result.split('\n').slice(0, 6).join('\n')}`);
    }
  }
} finally {
  await browser.close();
}
console.log(`mermaid: ${files.length - failures} of ${files.length} files rendered`);
process.exit(failures === 0 ? 0 : 1);
