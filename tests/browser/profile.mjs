// Where the long frames of opening a big definition go, in headless Chromium (after web/build.sh):
//   node profile.mjs [states=1500] [depth=0]
//   PROFILE_CASE=map node profile.mjs    the simulator pane running map10k from F5 to the end
// Samples the page with the DevTools profiler while loadDefinition runs and the layout is made,
// splits the samples into animation frames, and prints, for each frame over 16 ms, the functions
// that took most of it (inclusive time). Needs a build with the wasm name section: by default
// web/build.sh removes it; ASL_STUDIO_DIST can point at a dist made with
// `wasm-bindgen --target web --no-typescript --out-name asl_studio --out-dir DIR <the .wasm>`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { serveDist, launchChromium } from './serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(process.env.ASL_STUDIO_DIST ?? path.join(here, '../../web/dist'));
const states = process.argv[2] ?? '1500';
const depth = process.argv[3] ?? '0';
const { server, url } = await serveDist(dist);
const browser = await launchChromium();
try {
  const text = execFileSync('python3', [path.resolve(here, '../data/bench/gen_asl.py'), states, '--depth', depth],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  const startAt = JSON.parse(text).StartAt;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  // Every animation frame runs inside this named function, so the profile's frames can be told apart.
  await page.addInitScript(() => {
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (callback) => raf(function aslAnimationFrame(time) { callback(time); });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.aslStudio?.firstFrameMs() !== undefined, null, { timeout: 180_000 });
  await page.waitForTimeout(500);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  if (process.env.PROFILE_CASE === 'map') {
    // The pane running map10k from F5 to the end (the definition and input loaded first, unprofiled).
    await cdp.send('Profiler.stop');
    const definition = fs.readFileSync(path.resolve(here, '../data/bench/map10k.asl.json'), 'utf8');
    const input = fs.readFileSync(path.resolve(here, '../data/bench/map10k.input.json'), 'utf8');
    await page.evaluate(([d, i]) => {
      window.aslStudio.loadDefinition(d, 'map10k.asl.json');
      window.aslStudio.simulatorSetInput(i);
    }, [definition, input]);
    await page.waitForTimeout(1_000);
    await cdp.send('Profiler.start');
    await page.locator('#asl_studio_canvas').focus();
    await page.keyboard.press('F5');
    await page.waitForFunction(() => JSON.parse(window.aslStudio.simulatorState()).phase === 'ready', null,
      { timeout: 120_000 });
  } else {
    await page.evaluate((t) => { window.aslStudio.loadDefinition(t, 'big.asl.json'); }, text);
    await page.waitForFunction((name) => !window.aslStudio.isLayingOut() && window.aslStudio.stateRect(name) !== undefined,
      startAt, { timeout: 120_000, polling: 'raf' });
  }
  await page.waitForTimeout(1_000);
  const { profile } = await cdp.send('Profiler.stop');
  report(profile);
  await context.close();
} finally {
  await browser.close();
  server.close();
}

function report(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id) => {
    const names = [];
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      names.push(f.functionName || `(anonymous ${path.basename(f.url)}:${f.lineNumber})`);
    }
    return names;
  };
  // Consecutive samples inside aslAnimationFrame (or loadDefinition's evaluate) make one task.
  const tasks = [];
  let current = null;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const stack = stackOf(profile.samples[i]);
    const kind = stack.includes('aslAnimationFrame') ? 'frame'
      : stack.some((s) => s.includes('loadDefinition')) ? 'loadDefinition' : null;
    if (kind === null) { current = null; continue; }
    if (!current || current.kind !== kind) { current = { kind, ms: 0, stacks: [] }; tasks.push(current); }
    current.ms += ms;
    current.stacks.push([ms, stack]);
  }
  console.log(tasks.map((t) => `${t.kind === 'frame' ? '' : 'load:'}${t.ms.toFixed(0)}`).join(' '));
  tasks.forEach((task, index) => {
    if (task.ms < 16) return;
    const inclusive = new Map();
    const self = new Map();
    for (const [ms, stack] of task.stacks) {
      for (const name of new Set(stack)) inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
      self.set(stack[0], (self.get(stack[0]) ?? 0) + ms);
    }
    const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
      .map(([name, ms]) => `    ${ms.toFixed(1).padStart(6)} ms  ${name.slice(0, 150)}`).join('\n');
    console.log(`#${index} ${task.kind} ${task.ms.toFixed(1)} ms\n  inclusive:\n${top(inclusive, Number(process.env.PROFILE_TOP ?? 40))}\n  self:\n${top(self, 12)}`);
  });
}
