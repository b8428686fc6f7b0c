// Starts ASL Studio on the page's canvas, with a loading state and plain messages when the
// browser cannot run it. The wasm module's exports are published as `window.aslStudio` for
// embedding and tests.
import init, * as studio from './asl_studio.js';

const CANVAS_ID = 'asl_studio_canvas';
const status = document.getElementById('status');

function showError(title, detail) {
  status.hidden = false;
  status.className = 'error';
  status.replaceChildren();
  const box = document.createElement('div');
  const heading = document.createElement('strong');
  heading.textContent = title;
  box.append(heading);
  if (detail) {
    const text = document.createElement('p');
    text.textContent = detail;
    box.append(text);
  }
  status.append(box);
  window.aslStudioError = `${title}${detail ? `: ${detail}` : ''}`;
}

function hasWebGl2() {
  try {
    return !!document.createElement('canvas').getContext('webgl2');
  } catch {
    return false;
  }
}

// The module uses WebAssembly SIMD (Chrome 91, Firefox 89, Safari 16.4 and later). This is the
// smallest module that needs it: one function returning `i8x16.splat(i32.const 0)`.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 8, 1, 6, 0, 65, 0, 253, 15, 11]);

function hasWasmSimd() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

const share = document.getElementById('share');

document.addEventListener('asl-studio-first-frame', () => {
  status.hidden = true;
  share.hidden = false;
}, { once: true });

share.addEventListener('click', () => {
  try {
    window.aslStudio.copyShareLink();
    share.textContent = 'Link copied';
  } catch (error) {
    console.warn(error);
    share.textContent = 'Cannot share';
  }
  setTimeout(() => { share.textContent = 'Share link'; }, 2000);
});

// The designer runs the simulator on F5 and Ctrl+R (Cmd+R); in a page those keys reload it,
// so while the studio has the keyboard they only run. Shift+Ctrl+R still reloads.
document.addEventListener('keydown', (event) => {
  const ctrlOrCmd = event.ctrlKey || event.metaKey;
  const run = (event.key === 'F5' && !ctrlOrCmd)
    || (ctrlOrCmd && !event.shiftKey && !event.altKey && event.key.toLowerCase() === 'r');
  if (run && event.target !== share) event.preventDefault();
}, { capture: true });

async function main() {
  if (typeof WebAssembly !== 'object') {
    showError('This browser cannot run WebAssembly.', 'ASL Studio needs a current Chrome, Edge, Firefox or Safari.');
    return;
  }
  if (!hasWasmSimd()) {
    showError('This browser cannot run WebAssembly SIMD.',
      'ASL Studio needs Chrome or Edge 91, Firefox 89, Safari 16.4 or newer.');
    return;
  }
  if (!hasWebGl2()) {
    showError('This browser has WebGL2 turned off or unsupported.',
      'ASL Studio draws with WebGL2. Enable hardware acceleration (or WebGL) in the browser settings, or use a current browser.');
    return;
  }
  try {
    await init();
    window.aslStudio = studio;
    await studio.start(CANVAS_ID);
    // eframe stops drawing after a panic (and logs it to the console); say so on the page.
    const watch = setInterval(() => {
      if (studio.hasPanicked()) {
        clearInterval(watch);
        showError('ASL Studio stopped after an internal error.',
          'Your work is autosaved in this browser: reload the page to recover it.');
      }
    }, 1000);
  } catch (error) {
    console.error(error);
    showError('ASL Studio could not start.', String(error?.message ?? error));
  }
}

main();
