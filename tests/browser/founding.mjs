// Founding and joining a community with nothing but a browser, as someone new to Nostr would:
//
//   node founding.mjs <ws url> <setup link> [screenshot dir]
//
// The founder opens the setup link the relay printed, makes a key in the browser (kept
// encrypted with a passphrase, a backup offered), names the community, asks for a co-founder
// link and founds it, then says who they are. A neighbour with no extension opens an invite
// link, makes a key, joins and says who they are; the members page shows both by name. A
// third person opens the co-founder link, signs in with a remote signer (NIP-46: a small
// bunker in this process, talking through the community's own relay), joins as a founder,
// asks for a private message for each vote, and votes on the founder's proposal: the relay's
// message reaches it (decrypted here with nostr-tools), and a stranger reads the relay's
// announcement of the vote.

import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import * as nip44 from 'nostr-tools/nip44'
import * as nip59 from 'nostr-tools/nip59'
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay'
import WebSocket from 'ws'
import { launch, propose, tellWhereTheyWere, signerPage, status } from './lib.mjs'

useWebSocketImplementation(WebSocket)

const [url, setupLink, shots] = process.argv.slice(2)
const http = url.replace(/^ws/, 'http')
const now = () => Math.floor(Date.now() / 1000)
const log = (...a) => console.log('•', ...a)

const browser = await launch()
const pages = []
async function page (options = { viewport: { width: 1000, height: 900 } }) {
  const p = await signerPage(browser, null, options)
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

// Signs in with a key made in this browser, locked with `passphrase`.
async function makeKey (p, passphrase) {
  await p.click('#signin')
  await p.click('#way-local')
  await p.fill('#new-pass', passphrase)
  await p.fill('#new-pass-again', passphrase)
  await p.click('#make-key')
  await p.waitForSelector('#key-backup:not([hidden])')
  assert.match(decodeURIComponent(await p.getAttribute('#key-backup', 'href')), /ncryptsec1/)
  await p.click('#key-saved')
  await p.waitForFunction(() => document.querySelector('#whoami')?.textContent.startsWith('Signed in'))
}

// A remote signer (NIP-46) for `secret`, listening on the relay at `url`: it answers
// `connect`, `get_public_key` and `sign_event`. Returns its bunker:// link.
async function bunker (secret) {
  const pubkey = getPublicKey(secret)
  const relay = await Relay.connect(url)
  relay.subscribe([{ kinds: [24133], '#p': [pubkey] }], {
    onevent: async (e) => {
      const key = nip44.getConversationKey(secret, e.pubkey)
      const { id, method, params } = JSON.parse(nip44.decrypt(e.content, key))
      let result
      if (method === 'connect') result = 'ack'
      else if (method === 'get_public_key') result = pubkey
      else if (method === 'sign_event') result = JSON.stringify(finalizeEvent(JSON.parse(params[0]), secret))
      else if (method === 'ping') result = 'pong'
      else return
      const reply = finalizeEvent({ kind: 24133, created_at: now(), tags: [['p', e.pubkey]], content: nip44.encrypt(JSON.stringify({ id, result }), key) }, secret)
      await relay.publish(reply)
    },
  })
  return `bunker://${pubkey}?relay=${encodeURIComponent(url)}`
}

try {
  // The founder, from the setup link, with a key made here.
  const a = await page()
  await a.goto(setupLink)
  assert.match(await a.textContent('h1'), /Found your community/)
  await makeKey(a, 'correct horse battery')
  await a.fill('#setup-links', '1')
  await a.fill('#setup-name', 'Elm Street Neighbours')
  await a.fill('#setup-description', 'Our street\'s own place to talk and decide together.')
  await shot(a, 'setup')
  await a.click('#setup button[type=submit]')
  await a.waitForFunction(() => !document.querySelector('#setup-links-made').hidden || document.querySelector('#setup-error').textContent)
  assert.equal(await a.textContent('#setup-error'), '', 'the founding is accepted')
  const cofounderLink = await a.inputValue('.cofounder-link')
  assert.match(cofounderLink, /\/join\?code=[0-9a-f]+$/)
  await a.click('#setup-links-made a')
  await a.waitForURL(/\/welcome\?as=founder$/)
  log('founded through the setup page with a key made in the browser, with a co-founder link')
  await a.fill('#profile-name', 'Alice from number 12')
  await a.click('#profile button[type=submit]')
  await status(a, /People here now see you as Alice/)
  await shot(a, 'welcome')

  // A neighbour, with no extension: an invite link, a key made here, a name.
  await a.goto(`${http}/members`)
  await a.click('#mint-invite')
  await a.waitForSelector('#invite-result:not([hidden])')
  const invite = await a.inputValue('#invite-link')
  const b = await page({ viewport: { width: 390, height: 800 } })
  await b.goto(invite)
  await makeKey(b, 'another passphrase')
  await shot(b, 'join')
  await b.click('#join button[type=submit]')
  await b.waitForURL(/\/welcome\?as=member$/)
  await b.fill('#profile-name', 'Bob')
  await b.click('#profile button[type=submit]')
  await status(b, /People here now see you as Bob/)
  await b.goto(`${http}/members`)
  const tree = await b.textContent('#tree')
  assert.match(tree, /Alice from number 12/)
  assert.match(tree, /Bob/)
  log('a newcomer joined with a key made in the browser; the members page shows both names')
  // The key stays: a new tab in the same browser unlocks it with the passphrase.
  const b2 = await b.context().newPage()
  Object.assign(b2, { problems: [], said: [], frames: [] })
  b2.on('pageerror', (e) => b2.problems.push(`page error: ${e.message}`))
  pages.push(b2)
  await b2.goto(`${http}/members`)
  await b2.click('#signin')
  await b2.click('#way-local')
  await b2.fill('#unlock-pass', 'another passphrase')
  await b2.click('#unlock-key')
  await b2.waitForFunction(() => document.querySelector('#whoami')?.textContent === 'Signed in as Bob')
  log('the key made here unlocks with its passphrase in a new tab')

  // A third person, with a remote signer and the co-founder link: joins as a founder, then
  // votes on the founder's proposal.
  const cSecret = generateSecretKey()
  const link = await bunker(cSecret)
  const c = await page()
  await c.goto(cofounderLink)
  assert.match(await c.textContent('#join'), /one of this community's founders/)
  await c.click('#signin')
  await c.click('#way-remote')
  await c.waitForSelector('#connect-qr img')
  assert.match(await c.inputValue('#connect-uri'), /^nostrconnect:\/\//)
  await shot(c, 'signin-remote')
  await c.fill('#bunker-uri', link)
  await c.click('#use-bunker')
  await c.waitForFunction(() => document.querySelector('#whoami')?.textContent.startsWith('Signed in'))
  await c.click('#join button[type=submit]')
  await c.waitForURL(/\/welcome\?as=cofounder$/)
  assert.match(await c.textContent('.lead'), /one of the founders/)
  log('a co-founder signed in with a remote signer (NIP-46) and joined with their link')
  await c.check('#notify-direct')
  await c.click('#notify-choice button[type=submit]')
  await status(c, /private message for each vote/)
  // C's own client, listening for its mail on the community's relay.
  const mailbox = await Relay.connect(url)
  mailbox.onauth = (template) => finalizeEvent(template, cSecret)
  const mail = new Promise((resolve) => {
    const listen = () => mailbox.subscribe([{ kinds: [1059], '#p': [getPublicKey(cSecret)], since: now() - 3 * 86400 }], {
      onevent: (wrap) => resolve(nip59.unwrapEvent(wrap, cSecret)),
      onclose: (reason) => { if (/auth-required/.test(reason)) mailbox.auth(mailbox.onauth).then(listen) },
    })
    listen()
  })
  await a.goto(`${http}/propose?action=set&param=limitation.max_content_length`)
  await a.fill('#value', '2000')
  await a.fill('#text', 'Shorter notes\nA street talks better in short notes.')
  await a.fill('#window', '1')
  await propose(a)
  await a.waitForURL(/\/proposals\/[0-9a-f]{64}$/)
  const proposalUrl = a.url()
  const rumor = await Promise.race([mail, new Promise((_, no) => setTimeout(() => no(new Error('no private message within 15 s')), 15000))])
  assert.match(rumor.content, /Shorter notes/)
  assert.ok(rumor.content.includes(proposalUrl), rumor.content)
  log('the member got the relay\'s private message of the new vote:', rumor.content)
  const stranger = await Relay.connect(url)
  const relayKey = await a.getAttribute('body', 'data-relay-key')
  const announced = await new Promise((resolve) => {
    const found = []
    const sub = stranger.subscribe([{ kinds: [1], authors: [relayKey] }], {
      onevent: (e) => found.push(e),
      oneose: () => { sub.close(); resolve(found) },
    })
  })
  assert.ok(announced.some((e) => /Shorter notes/.test(e.content) && e.content.includes(proposalUrl)), 'a stranger reads the announcement')
  log('a stranger reads the relay\'s announcement')
  await c.goto(proposalUrl)
  await c.waitForSelector('button[data-vote=yes]:not([disabled])')
  await c.click('button[data-vote=yes]')
  await status(c, /Done/)
  log('the remote signer signed a vote')
  for (const p of pages) assert.deepEqual(p.problems, [], `no errors in the page: ${p.problems}`)
} catch (e) {
  await tellWhereTheyWere(pages)
  throw e
} finally {
  await browser.close()
  // The bunker's and the readers' relay connections would keep Node running.
  setTimeout(() => process.exit(), 100)
}
