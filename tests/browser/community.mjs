// The community page in a real browser, against a running relay:
//
//   node community.mjs <ws url> <founder secret hex> <founder> <founder> [screenshot dir]
//
// Three founders sign in with a NIP-07 signer; one proposes a limit through the form; the
// others vote through the page, which shows the tally live, then the decision and the new
// policy; the relay enforces it. A member mints an invite and a newcomer joins through the
// link. A comment appears live in another member's thread. A `<script>` in a proposal does not
// run. Reading works without JavaScript. axe finds no serious or critical violations, and no
// page scrolls sideways on a phone.

import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay'
import WebSocket from 'ws'
import { audit, launch, propose, tellWhereTheyWere, scrollsSideways, signIn, signerPage, status } from './lib.mjs'

useWebSocketImplementation(WebSocket)

const [url, ...rest] = process.argv.slice(2)
const founders = rest.slice(0, 3)
const shots = rest[3]
const http = url.replace(/^ws/, 'http')
const hexOf = (bytes) => Buffer.from(bytes).toString('hex')
const now = () => Math.floor(Date.now() / 1000)
const log = (...a) => console.log('•', ...a)

const browser = await launch()
const problems = []
const pages = []
async function page (secret, options) {
  const p = await signerPage(browser, secret, options)
  pages.push(p)
  return p
}
async function shot (p, name) {
  if (!shots) return
  mkdirSync(shots, { recursive: true })
  // The passing status line would sit in the middle of a full-page picture.
  await p.evaluate(() => { document.querySelector('#status').textContent = '' })
  await p.screenshot({ path: `${shots}/${name}.png`, fullPage: true })
}

// Publishes a profile (kind 0) named `name` for `secret`, as its own client would.
async function profile (secret, name, notes = 0) {
  const key = Buffer.from(secret, 'hex')
  const r = await Relay.connect(url)
  for (let i = 0; i < 50 && !r.challenge; i++) await new Promise((resolve) => setTimeout(resolve, 20))
  await r.auth(async (template) => finalizeEvent(template, key))
  await r.publish(finalizeEvent({ kind: 0, created_at: now(), tags: [], content: JSON.stringify({ name }) }, key))
  for (let i = 0; i < notes; i++) {
    await r.publish(finalizeEvent({ kind: 1, created_at: now() - i, tags: [], content: `${name} says hello to the street, note ${i}.` }, key))
  }
  r.close()
}

try {
  // The founders have names, as people do, and have talked this week.
  await Promise.all(founders.map((f, i) => profile(f, ['Ana', 'Ben', 'Chloé'][i], 4)))
  // Three founders sign in; one proposes shorter notes through the form.
  const [a, b, c] = await Promise.all(founders.map((f) => page(f, { viewport: { width: 1100, height: 900 } })))
  await a.goto(`${http}/propose?action=set&param=limitation.max_content_length`)
  await signIn(a)
  // Every rule is offered in words; the dotted name is a detail, never the label.
  const names = JSON.parse(await a.textContent('#catalogue')).params.map((p) => p.name)
  const offered = await a.$$eval('#param option', (os) => os.map((o) => o.textContent))
  assert.ok(offered.length > 20 && offered.every((text) => !names.some((n) => text.includes(n))), 'options are words, not keys')
  assert.match(await a.textContent('#param-hint'), /most characters a note/)
  // A length of time is asked for in days, hours or minutes, and carried in seconds.
  await a.selectOption('#param', 'admission.invite_expiry')
  assert.equal(await a.isVisible('#value-unit'), true, 'a unit for a duration')
  await a.selectOption('#param', 'notify.announce')
  assert.equal(await a.evaluate(() => document.getElementById('value').tagName), 'SELECT', 'yes or no for a switch')
  await a.selectOption('#param', 'limitation.max_content_length')
  assert.equal(await a.isVisible('#value-unit'), false)
  await a.fill('#value', 'lots')
  await a.fill('#text', 'Shorter notes\nWe talk more when we write less.')
  await propose(a)
  assert.match(await a.textContent('#propose-error'), /whole number/, 'a bad value is caught before signing')
  await a.fill('#value', '10')
  const asked = await propose(a)
  assert.ok(asked.some((q) => /Of the last \d+ events here \(in the past week\), \d+ would be refused/.test(q)), `the form counts what it would refuse: ${asked}`)
  await status(a, /stop the community governing itself/)
  log('a change that would lock members out is refused, in words')
  await a.fill('#value', '2000')
  await shot(a, 'propose')
  assert.ok((await propose(a)).some((q) => /a tenth or less of the value now/.test(q)), 'a change to a tenth of the value now is confirmed before signing')
  await a.waitForURL(/\/proposals\/[0-9a-f]{64}$/)
  const proposalUrl = a.url()
  log('proposed through the form:', proposalUrl)
  assert.equal(await a.textContent('h1'), 'Shorter notes')
  assert.match(await a.textContent('#change-title + p'), /Longest post: 2,000 characters \(now 102,400 characters\)/)

  // The others vote through the page; the proposer's page follows the tally live.
  for (const p of [b, c]) {
    await p.goto(proposalUrl)
    await signIn(p)
  }
  await signIn(a)
  await b.fill('#vote-reason', '<b>Easier</b> to read on a phone')
  await b.click('button[data-vote=yes]')
  await status(b, /Done/)
  await b.waitForFunction(() => /You voted yes/.test(document.getElementById('my-vote')?.textContent || ''))
  log('your own vote is said in words')
  await a.waitForFunction(() => /yes 1/.test(document.querySelector('#standing figure.tally svg')?.getAttribute('aria-label') || ''))
  log('the tally updated live on the proposer\'s page')
  await a.waitForFunction(() => /<b>Easier<\/b> to read on a phone/.test(document.querySelector('#voters q.reason')?.textContent || ''))
  assert.equal(await a.$('#voters q.reason b'), null, 'a reason is text, never markup')
  log('a vote\'s reason is shown beside it, escaped')
  await shot(a, 'proposal')
  await c.click('button[data-vote=yes]')
  await status(c, /Done/)
  await a.click('button[data-vote=yes]')
  await status(a, /Done/)
  await a.waitForFunction(() => /Passed/.test(document.querySelector('#standing')?.textContent || ''))
  log('the decision appeared on the page')

  // The new policy is shown, and enforced.
  await a.goto(`${http}/policy`)
  assert.match(await a.textContent('tr[id="limitation.max_content_length"]'), /Longest post.*2,000 characters/s)
  await a.goto(http)
  assert.match(await a.textContent('#intro'), /version 2/)
  await shot(a, 'overview')
  const relay = await Relay.connect(url)
  const outsider = generateSecretKey()
  const long = finalizeEvent({ kind: 1, created_at: now(), tags: [], content: 'x'.repeat(2001) }, outsider)
  await assert.rejects(relay.publish(long), /invalid/, 'the relay enforces the decision')
  log('the relay enforces the new limit')

  // The decision log checks itself in the browser.
  await a.goto(`${http}/decisions`)
  await a.waitForSelector('#chain-check.ok')
  assert.match(await a.textContent('#chain-check'), /2 decisions/)
  await shot(a, 'decisions')

  // A member mints an invite; a newcomer joins through the link.
  await a.goto(`${http}/members`)
  await signIn(a)
  await a.click('#mint-invite')
  await a.waitForSelector('#invite-result:not([hidden])')
  const link = await a.inputValue('#invite-link')
  assert.match(link, /\/join\?code=[0-9a-f]+$/)
  const newcomer = hexOf(generateSecretKey())
  const n = await page(newcomer, { viewport: { width: 800, height: 700 } })
  await n.goto(link)
  await signIn(n)
  await n.click('#join button[type=submit]')
  await n.waitForURL(/\/welcome\?as=member$/)
  await n.fill('#profile-name', 'Dana')
  await n.click('#profile button[type=submit]')
  await status(n, /People here now see you as Dana/)
  await a.reload()
  assert.equal(await a.locator('#tree li').count(), 4, 'three founders and the newcomer')
  const tree = await a.textContent('#tree')
  for (const name of ['Ana', 'Ben', 'Chloé', 'Dana']) assert.ok(tree.includes(name), `members are shown by name: ${tree}`)
  await shot(a, 'members')
  log('a newcomer joined through an invite link')

  // A comment appears live in another member's thread.
  await b.goto(proposalUrl)
  await signIn(b)
  await c.goto(proposalUrl)
  await signIn(c)
  await b.fill('#comment-text', 'Short and kind, then.')
  await b.click('form.comment button[type=submit]')
  await status(b, /Done/)
  await c.waitForFunction(() => /Short and kind, then\./.test(document.querySelector('#thread')?.textContent || ''))
  await c.click('button.reply')
  await c.fill('#comment-text', 'Agreed.')
  await c.click('form.comment button[type=submit]')
  await b.waitForFunction(() => document.querySelectorAll('#thread ol.thread ol.thread li').length === 1)
  log('comments and replies appear live')

  // A script in a proposal is text, not code.
  const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> javascript:alert(1)'
  const poll = finalizeEvent({
    kind: 1068,
    created_at: now(),
    content: hostile,
    tags: [['gov', 'set'], ['change', 'reports.threshold', '4'], ['class', 'ordinary'],
      ['option', 'yes', 'Yes'], ['option', 'no', 'No'], ['option', 'abstain', 'Abstain'],
      ['polltype', 'singlechoice'], ['endsAt', String(now() + 7200)], ['relay', url]],
  }, Buffer.from(founders[1], 'hex'))
  const member = await Relay.connect(url)
  for (let i = 0; i < 50 && !member.challenge; i++) await new Promise((r) => setTimeout(r, 20))
  await member.auth(async (template) => finalizeEvent(template, Buffer.from(founders[1], 'hex')))
  await member.publish(poll)
  await c.goto(`${http}/proposals/${poll.id}`)
  assert.equal(await c.evaluate(() => window.__pwned), undefined, 'nothing ran')
  assert.ok((await c.textContent('h1')).startsWith('<script>window.__pwned'), 'the text is shown as it was written')
  await c.goto(http)
  assert.equal(await c.evaluate(() => window.__pwned), undefined)
  log('hostile content renders as text')

  // Reading needs no JavaScript.
  const plain = await browser.newContext({ javaScriptEnabled: false })
  const reader = await plain.newPage()
  await reader.goto(proposalUrl)
  assert.equal(await reader.textContent('h1'), 'Shorter notes')
  assert.match(await reader.textContent('#standing'), /Passed/)
  await reader.goto(http)
  assert.match(await reader.textContent('#open'), /Open for a vote \(1\)/)
  await plain.close()
  log('reading works without JavaScript')

  // Accessibility and phones.
  const auditing = await browser.newContext({ bypassCSP: true, viewport: { width: 1100, height: 900 } })
  // Plain narrow viewports: a phone's mobile mode would zoom out to fit and hide the overflow.
  const widths = [320, 390, 1280]
  // Readers far from UTC see their own time, with UTC on hover.
  const narrow = await Promise.all(widths.map((width) => browser.newContext({ viewport: { width, height: 740 }, timezoneId: 'Pacific/Auckland', locale: 'en-US' }).then((c) => c.newPage())))
  const at = await auditing.newPage()
  const wide = []
  for (const path of ['/', new URL(proposalUrl).pathname, '/propose', '/propose?action=ban', '/decisions', '/policy', '/members', '/join', '/reports', '/welcome']) {
    await at.goto(`${http}${path}`)
    const violations = await audit(at)
    assert.deepEqual(violations.map((v) => `${v.id}: ${v.help}`), [], `axe on ${path}`)
    for (const [i, small] of narrow.entries()) {
      await small.goto(`${http}${path}`)
      if (await scrollsSideways(small)) wide.push(`${path} at ${widths[i]} px: ${await small.evaluate(() => document.documentElement.scrollWidth)} px wide`)
    }
  }
  assert.deepEqual(wide, [], 'nothing scrolls sideways')
  // On a phone the header is one row, its links behind a menu.
  const phone = narrow[0]
  await phone.goto(http)
  const headerHeight = await phone.$eval('header.top', (h) => h.offsetHeight)
  assert.ok(headerHeight <= 72, `one row (${headerHeight} px)`)
  assert.equal(await phone.isVisible('#site-nav'), false, 'links folded away')
  await phone.click('#menu')
  assert.equal(await phone.isVisible('#site-nav a[href="/members"]'), true, 'the menu shows them')
  assert.equal(await phone.getAttribute('#menu', 'aria-expanded'), 'true')
  const small = narrow[1]
  await small.goto(proposalUrl)
  const moment = await small.$eval('time[data-at]', (t) => ({ text: t.textContent, utc: t.title, at: Number(t.dataset.at) }))
  const auckland = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Pacific/Auckland' }).format(new Date(moment.at * 1000))
  assert.equal(moment.text, auckland, 'the time in Auckland')
  assert.match(moment.utc, /UTC$/, 'UTC on hover')
  log('times are shown in the reader\'s time zone:', moment.text, '/', moment.utc)
  await shot(small, 'phone-proposal')
  log('axe finds nothing serious; nothing scrolls sideways at 320, 390 or 1280 px')

  for (const p of pages) problems.push(...p.problems.filter((m) => !/favicon/.test(m)))
  assert.deepEqual(problems, [], 'no script errors or CSP violations in the pages')
  relay.close()
  member.close()
  console.log('ok')
} catch (e) {
  await tellWhereTheyWere(pages)
  throw e
} finally {
  await browser.close()
}
