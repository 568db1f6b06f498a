// A members-only community in the browser:
//
//   node members-only.mjs <ws url> <founder secret hex> <founder secret hex>
//
// An anonymous visitor sees the relay's public record but not what members wrote; a member who
// signs in sees it, the page asking for it with requests their signer signs (NIP-98), without
// sessions or cookies; a stranger who signs in still does not.

import assert from 'node:assert/strict'
import { finalizeEvent, generateSecretKey } from 'nostr-tools/pure'
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay'
import WebSocket from 'ws'
import { launch, signIn, signerPage } from './lib.mjs'

useWebSocketImplementation(WebSocket)

const [url, founder, other] = process.argv.slice(2)
const http = url.replace(/^ws/, 'http')
const now = () => Math.floor(Date.now() / 1000)
const key = (hex) => Buffer.from(hex, 'hex')

const relay = await Relay.connect(url)
for (let i = 0; i < 50 && !relay.challenge; i++) await new Promise((r) => setTimeout(r, 20))
await relay.auth(async (t) => finalizeEvent(t, key(founder)))
const poll = finalizeEvent({
  kind: 1068,
  created_at: now(),
  content: 'Members-only business\nOnly members should read this.',
  tags: [['gov', 'set'], ['change', 'reports.threshold', '4'], ['class', 'ordinary'],
    ['option', 'yes', 'Yes'], ['option', 'no', 'No'], ['option', 'abstain', 'Abstain'],
    ['polltype', 'singlechoice'], ['endsAt', String(now() + 7200)], ['relay', url]],
}, key(founder))
await relay.publish(poll)
relay.close()

const browser = await launch()
try {
  const anonymous = await signerPage(browser, null)
  await anonymous.goto(`${http}/proposals/${poll.id}`)
  assert.equal(await anonymous.textContent('h1'), "A member's proposal")
  assert.ok(!(await anonymous.content()).includes('Only members should read this'))
  await anonymous.goto(http)
  assert.match(await anonymous.textContent('#open'), /A member's proposal/)

  const stranger = await signerPage(browser, Buffer.from(generateSecretKey()).toString('hex'))
  await stranger.goto(`${http}/proposals/${poll.id}`)
  await signIn(stranger)
  await stranger.waitForTimeout(500)
  assert.ok(!(await stranger.content()).includes('Only members should read this'), 'a stranger still does not read it')

  const member = await signerPage(browser, other)
  await member.goto(`${http}/proposals/${poll.id}`)
  await signIn(member)
  await member.waitForFunction(() => document.querySelector('h1')?.textContent === 'Members-only business')
  assert.match(await member.textContent('.text'), /Only members should read this/)
  await member.click('button[data-vote=yes]')
  await member.waitForFunction(() => /Done/.test(document.querySelector('#status')?.textContent || ''))
  await member.waitForFunction(() => /yes 1/.test(document.querySelector('#standing figure.tally svg')?.getAttribute('aria-label') || ''))
  console.log('ok')
} finally {
  await browser.close()
}
