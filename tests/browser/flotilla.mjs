// The community in Flotilla, served by the relay itself (`web.client_dir`): two people use
// Flotilla's own screens against the relay, with a test NIP-07 signer, and every request to a
// host other than 127.0.0.1 is aborted. Run by `tests/e2e/flotilla.rs`.
//
//   node flotilla.mjs RELAY_WS_URL FOUNDER_SECRET NEWCOMER_SECRET SCREENSHOT_DIR

import { getPublicKey, nip19 } from 'nostr-tools'
import { launch, signerPage, tellWhereTheyWere } from './lib.mjs'

const [relayUrl, founderSecret, newcomerSecret, shots] = process.argv.slice(2)
const origin = relayUrl.replace(/^ws/, 'http')
const stopAfter = process.env.STOP_AFTER || ''
const browser = await launch()
const pages = []

// A person's browser: only 127.0.0.1 is reachable.
async function person (secret) {
  const page = await signerPage(browser, secret, { viewport: { width: 1280, height: 800 } })
  page.outside = []
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url())
    if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue()
    page.outside.push(url.href)
    return route.abort()
  })
  pages.push(page)
  return page
}

const text = (page, t, options = {}) => page.getByText(t, { exact: true, ...options }).first()
// A screenshot once the screen has settled (Flotilla's dialogs fade in).
async function shot (page, name) {
  await page.waitForTimeout(700)
  await page.screenshot({ path: `${shots}/${name}.png` })
}

// Waits until the page shows `t` (a string or a pattern).
async function sees (page, t, timeout = 15000) {
  await page.getByText(t).first().waitFor({ state: 'visible', timeout })
}

// Opens the chat app the way a member does: from the community page's "Chat" link.
async function logIn (page) {
  await page.goto(origin)
  await page.locator('nav a[href="/app"]', { hasText: 'Chat' }).click()
  await text(page, 'Log in').click()
  await text(page, 'Log in with Extension').click()
  await sees(page, 'Recent Activity')
}

// Types `message` into the open conversation's editor and sends it.
async function say (page, message) {
  const editor = page.locator('[contenteditable="true"]').last()
  await editor.click()
  await editor.fill(message)
  await page.keyboard.press('Enter')
}

async function spaceMenu (page, name) {
  await page.locator('strong', { hasText: name }).first().click()
}

function stop (stage) {
  if (stopAfter === stage) throw new Error(`stopped after ${stage}`)
}

try {
  const founder = await person(founderSecret)
  const newcomer = await person(newcomerSecret)
  const name = (await (await fetch(origin, { headers: { Accept: 'application/nostr+json' } })).json()).name

  // The space: the relay's name, its rooms panel and a "Create room" entry (NIP-29).
  await logIn(founder)
  await sees(founder, name)
  await sees(founder, 'Create room')
  await shot(founder, 'flotilla-space')
  stop('space')

  // An invite link, made in Flotilla, opened by a newcomer.
  await spaceMenu(founder, name)
  await text(founder, 'Create Invite').click()
  const link = new URL(await founder.waitForFunction(() => [...document.querySelectorAll('input')]
    .map((i) => i.value).find((v) => /\/join\?.*[?&]c=[^&]+/.test(v)), null, { timeout: 15000 })
    .then((h) => h.jsonValue()))
  await text(founder, 'Done').click()
  // Flotilla's link names the relay without its scheme, which it reads as wss://; this test's
  // relay speaks plain ws://, so the link names it in full.
  link.searchParams.set('r', relayUrl)
  await logIn(newcomer)
  await newcomer.goto(`${origin}/join${link.search}`)
  await sees(newcomer, 'Join a Space')
  await shot(newcomer, 'flotilla-join')
  await newcomer.getByRole('button', { name: 'Join Space' }).click()
  await sees(newcomer, 'Create room')
  stop('join')

  // The members list (NIP-43): both of them.
  await spaceMenu(founder, name)
  await text(founder, 'View Members (2)').click()
  await sees(founder, 'Members')
  await founder.locator('.card2-sm').nth(1).waitFor()
  await shot(founder, 'flotilla-members')
  await founder.getByRole('button', { name: 'Go back' }).click()
  stop('members')

  // The space's chat: one writes, the other reads.
  const space = new URL(founder.url()).pathname.split('/').slice(0, 3).join('/')
  await founder.goto(`${origin}${space}/chat`)
  await say(founder, 'Hello, neighbours')
  await newcomer.goto(`${origin}${space}/chat`)
  await sees(newcomer, 'Hello, neighbours')
  await shot(newcomer, 'flotilla-chat')
  stop('chat')

  // A room (NIP-29): the founder creates it, the newcomer joins it and writes, the founder
  // reads it there.
  await founder.goto(`${origin}${space}/recent`)
  await text(founder, 'Create room').click()
  await sees(founder, 'Create a Room')
  await founder.locator('form input[type="text"]').first().fill('Garden')
  await founder.locator('form input[type="text"]').nth(1).fill('Seeds, tools and the allotment rota')
  // "Only allow members to send messages": the newcomer joins before writing.
  await founder.locator('form input[type="checkbox"]').first().check()
  await shot(founder, 'flotilla-room-create')
  await founder.locator('form button[type="submit"]').click()
  await founder.locator('a', { hasText: 'Garden' }).first().waitFor({ timeout: 15000 })
  await newcomer.goto(`${origin}${space}/recent`)
  await newcomer.locator('a', { hasText: 'Garden' }).first().click()
  await newcomer.getByRole('button', { name: /Join Room|Ask to Join/ }).click()
  await say(newcomer, 'Who has the spare trowel?')
  await founder.locator('a', { hasText: 'Garden' }).first().click()
  await sees(founder, 'Who has the spare trowel?')
  await shot(founder, 'flotilla-room')
  stop('room')

  // A ban means not a member: the operator bans the newcomer from the members list, and the
  // list no longer names them.
  await spaceMenu(founder, name)
  await text(founder, 'View Members (2)').click()
  const newcomerNpub = nip19.npubEncode(getPublicKey(Uint8Array.from(Buffer.from(newcomerSecret, 'hex'))))
  await founder.locator('.card2-sm', { hasText: newcomerNpub.slice(0, 8) }).locator('button.btn-circle').click()
  await text(founder, 'Ban User').click()
  await founder.getByRole('button', { name: 'Confirm' }).click()
  await sees(founder, 'User has successfully been banned!')
  await founder.goto(`${origin}${space}/recent`)
  await spaceMenu(founder, name)
  await text(founder, 'View Members (1)').waitFor({ timeout: 15000 })
  stop('ban')
} catch (e) {
  await tellWhereTheyWere(pages)
  for (const [i, p] of pages.entries()) {
    await p.screenshot({ path: `${shots}/failed-${i}.png` }).catch(() => {})
    console.log(`page ${i} text: ${(await p.innerText('body').catch(() => '')).replace(/\s+/g, ' ').slice(0, 600)}`)
  }
  throw e
} finally {
  await browser.close()
}
const outside = pages.flatMap((p) => p.outside)
console.log(`flotilla: every screen checked; requests elsewhere aborted: ${outside.length}`)
