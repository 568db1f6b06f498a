// Ways to sign in, and so to sign: a signer extension in this browser (NIP-07); a signer app
// elsewhere, such as a phone (NIP-46: it scans a nostrconnect:// code, or the visitor pastes a
// bunker:// link), talking through this community's own relay; or a key made in this browser
// for someone new to Nostr, kept encrypted with their passphrase (NIP-49). The page never
// sends a private key anywhere. It remembers which way was chosen; a key made here is stored
// only encrypted, and once unlocked is kept for this tab only (sessionStorage).
//
// The cryptography comes from nostr-tools and noble (`/assets/nostr.js`, vendored), loaded
// only when a way needs it.

const WAY = 'communitarium.way'
const REMOTE = 'communitarium.remote'
const LOCAL = 'communitarium.ncryptsec'
const UNLOCKED = 'communitarium.unlocked'

let lib = null
const tools = async () => (lib ??= await import('/assets/nostr.js'))
const hexOf = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
const bytesOf = (hex) => Uint8Array.from(hex.match(/../g).map((h) => parseInt(h, 16)))
const $ = (id) => document.getElementById(id)

// A signer is `{ pubkey, sign(template) }`, `template` holding `created_at`.

async function extension () {
  if (!window.nostr) throw new Error('No signer extension answers in this browser.')
  const pubkey = await window.nostr.getPublicKey()
  return { pubkey, way: 'extension', sign: (t) => window.nostr.signEvent(t) }
}

async function local (secretHex) {
  const t = await tools()
  const secret = bytesOf(secretHex)
  return { pubkey: t.getPublicKey(secret), way: 'local', sign: async (tmpl) => t.finalizeEvent(tmpl, secret) }
}

function remote (bunker, pubkey) {
  return { pubkey, way: 'remote', sign: (t) => bunker.signEvent(t), close: () => bunker.close() }
}

async function waitForExtension () {
  for (let i = 0; i < 20 && !window.nostr; i++) await new Promise((r) => setTimeout(r, 100))
  return Boolean(window.nostr)
}

// The signer of the way chosen before, if it can be taken up again without asking anything.
export async function resume () {
  const way = localStorage.getItem(WAY)
  if (way === 'extension' && await waitForExtension()) return extension()
  if (way === 'local' && sessionStorage.getItem(UNLOCKED)) return local(sessionStorage.getItem(UNLOCKED))
  if (way === 'remote' && localStorage.getItem(REMOTE)) {
    const saved = JSON.parse(localStorage.getItem(REMOTE))
    const t = await tools()
    return remote(t.BunkerSigner.fromBunker(bytesOf(saved.secret), saved.bunker), saved.pubkey)
  }
  return null
}

// Forgets the way (a key made here stays, encrypted, unless `forgetKey`).
export function signOut (forgetKey = false) {
  localStorage.removeItem(WAY)
  localStorage.removeItem(REMOTE)
  sessionStorage.removeItem(UNLOCKED)
  if (forgetKey) localStorage.removeItem(LOCAL)
}

// Wires the sign-in dialog; `done(signer)` is called once the visitor has signed in.
export function setUpDialog ({ relayUrl, communityName, done }) {
  const dialog = $('signin-dialog')
  if (!dialog) return
  const error = (text) => { $('signin-error').textContent = text || '' }
  const finish = (signer) => {
    localStorage.setItem(WAY, signer.way)
    error('')
    dialog.close()
    done(signer)
  }
  const attempt = (fn) => async () => {
    error('')
    try { await fn() } catch (e) { error(e.message || String(e)) }
  }
  const show = (panel) => {
    for (const id of ['remote-panel', 'local-panel']) $(id).hidden = id !== panel
  }
  $('signin').addEventListener('click', async () => {
    $('no-extension').hidden = await waitForExtension()
    $('way-extension').disabled = !window.nostr
    showLocal()
    dialog.showModal()
  })
  $('signin-close').addEventListener('click', () => dialog.close())
  $('way-extension').addEventListener('click', attempt(async () => finish(await extension())))
  $('way-remote').addEventListener('click', attempt(async () => {
    show('remote-panel')
    await offerConnectCode(relayUrl, communityName, finish, error)
  }))
  $('use-bunker').addEventListener('click', attempt(async () => {
    finish(await fromBunkerLink($('bunker-uri').value.trim(), relayUrl))
  }))
  $('way-local').addEventListener('click', () => show('local-panel'))
  $('make-key').addEventListener('click', attempt(async () => {
    const signer = await makeKey()
    $('local-new').hidden = true
    $('local-backup').hidden = false
    $('key-saved').onclick = () => finish(signer)
  }))
  $('unlock-key').addEventListener('click', attempt(async () => finish(await unlockKey())))
  $('forget-key').addEventListener('click', () => {
    if (!confirm('Remove the key from this browser? Without your backup, it is gone for good.')) return
    signOut(true)
    showLocal()
  })
}

function showLocal () {
  const stored = Boolean(localStorage.getItem(LOCAL))
  $('local-new').hidden = stored
  $('local-stored').hidden = !stored
  $('local-backup').hidden = true
}

// NIP-46, the signer scanning our code: shows a nostrconnect:// URI (as a QR code and as text)
// naming this relay, and waits up to five minutes for the signer to answer there.
async function offerConnectCode (relayUrl, name, finish, error) {
  const t = await tools()
  const secret = t.generateSecretKey()
  const uri = t.createNostrConnectURI({
    clientPubkey: t.getPublicKey(secret),
    relays: [relayUrl],
    secret: hexOf(crypto.getRandomValues(new Uint8Array(8))),
    perms: ['sign_event', 'get_public_key'],
    name: name || 'Communitarium',
    url: location.origin,
  })
  const qr = t.qrcode(0, 'M')
  qr.addData(uri)
  qr.make()
  const img = document.createElement('img')
  img.src = qr.createDataURL(4, 8)
  img.alt = 'A code for your signer app to scan'
  $('connect-qr').replaceChildren(img)
  $('connect-uri').value = uri
  try {
    const bunker = await t.BunkerSigner.fromURI(secret, uri, { skipSwitchRelays: true }, 300_000)
    finish(await remembered(bunker, secret))
  } catch (e) {
    error(`No signer answered: ${e.message || e}. Open this again to get a new code.`)
  }
}

// NIP-46, a bunker:// link pasted from the signer: it must listen on this relay (the page may
// reach no other).
async function fromBunkerLink (text, relayUrl) {
  const t = await tools()
  const bunker = await t.parseBunkerInput(text)
  if (!bunker) throw new Error('That is not a bunker:// link.')
  const here = (u) => u.replace(/\/+$/, '') === relayUrl.replace(/\/+$/, '')
  if (!bunker.relays.some(here)) {
    throw new Error(`Your signer must use this community's relay (${relayUrl}); add it in your signer and copy the link again.`)
  }
  bunker.relays = bunker.relays.filter(here)
  const secret = t.generateSecretKey()
  const signer = t.BunkerSigner.fromBunker(secret, bunker)
  await signer.connect()
  return remembered(signer, secret)
}

async function remembered (bunker, secret) {
  const pubkey = await bunker.getPublicKey()
  localStorage.setItem(REMOTE, JSON.stringify({ secret: hexOf(secret), bunker: bunker.bp, pubkey }))
  return remote(bunker, pubkey)
}

// A new key, made here: encrypted with the passphrase (NIP-49) before it is stored, with a
// backup to download.
async function makeKey () {
  const [a, b] = [$('new-pass').value, $('new-pass-again').value]
  if (a.length < 8) throw new Error('Choose a passphrase of at least 8 characters.')
  if (a !== b) throw new Error('The two passphrases differ.')
  const t = await tools()
  const secret = t.generateSecretKey()
  const ncryptsec = t.nip49.encrypt(secret, a, 16)
  localStorage.setItem(LOCAL, ncryptsec)
  sessionStorage.setItem(UNLOCKED, hexOf(secret))
  offerBackup(ncryptsec, t.nip19.npubEncode(t.getPublicKey(secret)))
  return local(hexOf(secret))
}

async function unlockKey () {
  const t = await tools()
  let secret
  try {
    secret = t.nip49.decrypt(localStorage.getItem(LOCAL), $('unlock-pass').value)
  } catch {
    throw new Error('That passphrase does not open the key kept in this browser.')
  }
  sessionStorage.setItem(UNLOCKED, hexOf(secret))
  return local(hexOf(secret))
}

// A text file to keep: the encrypted key, and how to use it elsewhere.
function offerBackup (ncryptsec, npub) {
  const text = [
    'Your Nostr key, encrypted with your passphrase (NIP-49).',
    '',
    ncryptsec,
    '',
    `Your public name on Nostr (share it freely): ${npub}`,
    '',
    'Keep this file and your passphrase somewhere safe: together they are your identity,',
    'and nobody can recover them for you. To use this key in a signer app (Amber, nsec.app,',
    'a browser extension), import the ncryptsec above there and type your passphrase.',
  ].join('\n')
  const link = document.getElementById('key-backup')
  if (!link) return
  link.href = `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`
  link.hidden = false
}
