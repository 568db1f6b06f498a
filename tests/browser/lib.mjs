// Shared by the browser scenarios: Debian's chromium through playwright-core, and a test
// NIP-07 signer. The signer's key stays in this Node process: the page calls `window.nostr`,
// which Playwright forwards here, as an extension would keep the key in its own process.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium } from 'playwright-core'
import { finalizeEvent, getPublicKey } from 'nostr-tools/pure'

const require = createRequire(import.meta.url)

export async function launch () {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

// A page whose `window.nostr` signs with `secretHex`; console errors and page errors are kept
// in `page.problems`, and for a failure's report, what its status line said (`page.said`) and
// its last WebSocket frames (`page.frames`).
export async function signerPage (browser, secretHex, options = {}) {
  const context = await browser.newContext(options)
  const page = await context.newPage()
  page.problems = []
  page.said = []
  page.frames = []
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`))
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`) })
  const keep = (line) => {
    page.frames.push(line)
    if (page.frames.length > 40) page.frames.shift()
  }
  const frame = (dir) => (f) => keep(`${dir} ${String(f.payload).slice(0, 160)}`)
  page.on('websocket', (ws) => {
    ws.on('framesent', frame('>'))
    ws.on('framereceived', frame('<'))
    ws.on('close', () => keep('socket closed'))
  })
  await page.exposeFunction('__said', (text) => { page.said.push(text) })
  await page.addInitScript(() => {
    let last = ''
    new MutationObserver(() => {
      const text = document.querySelector('#status')?.textContent || ''
      if (text && text !== last) window.__said(text)
      last = text
    }).observe(document, { subtree: true, childList: true, characterData: true })
  })
  if (secretHex) {
    const sk = Uint8Array.from(Buffer.from(secretHex, 'hex'))
    await page.exposeFunction('__nip07PublicKey', () => getPublicKey(sk))
    await page.exposeFunction('__nip07Sign', (template) => finalizeEvent(template, sk))
    await page.addInitScript(() => {
      window.nostr = {
        getPublicKey: () => window.__nip07PublicKey(),
        signEvent: (template) => window.__nip07Sign(template),
      }
    })
  }
  return page
}

// Signs in through the page's own button (unless the page did so itself, as it does for a
// visitor who signed in before in this tab) and waits until it says so.
export async function signIn (page) {
  const signedIn = () => document.querySelector('#whoami')?.textContent.startsWith('Signed in')
  await page.waitForFunction(() => document.querySelector('#whoami')?.textContent.startsWith('Signed in') ||
    !document.querySelector('#signin')?.hidden)
  if (!(await page.evaluate(signedIn))) {
    await page.click('#signin')
    await page.click('#way-extension')
  }
  await page.waitForFunction(signedIn)
}

// The page's status line, once it says something matching `pattern`.
export async function status (page, pattern) {
  await page.waitForFunction((p) => new RegExp(p).test(document.querySelector('#status')?.textContent || ''), pattern.source)
  return page.textContent('#status')
}

// Runs axe-core in the page; returns its serious and critical violations.
export async function audit (page) {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
  await page.evaluate(source)
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }))
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

// Does the page scroll sideways at its viewport?
export async function scrollsSideways (page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
}

// After a failure: what each page last told its user, which says more than a timeout does.
export async function tellWhereTheyWere (pages) {
  for (const [i, p] of pages.entries()) {
    const said = await p.textContent('#status').catch(() => null)
    console.log(`page ${i} at ${p.url()}: status ${JSON.stringify(said)}; ${p.problems.join('; ')}`)
    if (p.said?.length) console.log(`  it said: ${p.said.slice(-8).map((t) => JSON.stringify(t)).join(', ')}`)
    if (p.frames?.length) console.log(`  its last frames:\n    ${p.frames.join('\n    ')}`)
  }
}

// Presses "Sign and propose"; each time the page asks to confirm (a change far from the value
// now, or one that would refuse most of the last week's events), presses again. Returns what
// it asked.
export async function propose (page) {
  const asked = []
  await page.click('#propose button[type=submit]')
  for (let i = 0; i < 3; i++) {
    const prompt = await page.waitForFunction(() => {
      const text = document.querySelector('#propose-error')?.textContent || ''
      return /press .Sign and propose. again/.test(text) && text
    }, null, { timeout: 1500 }).then((h) => h.jsonValue(), () => null)
    if (!prompt || asked.includes(prompt)) break
    asked.push(prompt)
    await page.click('#propose button[type=submit]')
  }
  return asked
}
