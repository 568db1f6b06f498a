// The community page's script: sign in (signin.js), act by signing ordinary events
// and sending them over the relay's own WebSocket, keep the page live, and check the decision
// chain in the browser. No private key leaves the browser or the signer; every action is
// judged by the relay, whose answer is shown as it is, in plain words.

import { schnorr } from '/assets/secp256k1.js'
import { bindSetup } from '/assets/setup.js'
import { resume, setUpDialog, signOut } from '/assets/signin.js'
import { bindNotifyChoice, bindProfile } from '/assets/profile.js'
import { farFrom, refusedLastWeek, shapeValue, valueOf } from '/assets/values.js'

document.documentElement.classList.add('js')

const body = document.body
const relayUrl = body.dataset.relay
const relayKey = body.dataset.relayKey
const $ = (sel, root = document) => root.querySelector(sel)
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)]
const now = () => Math.floor(Date.now() / 1000)

// ---------------------------------------------------------------------------------------------
// Telling people what happened.

const PLAIN = {
  'invalid:': 'The relay could not accept it:',
  'restricted:': 'Not allowed:',
  'auth-required:': 'Please sign in first:',
  'rate-limited:': 'Too fast:',
  'blocked:': 'Blocked:',
  'duplicate:': 'Already done:',
  'pow:': 'Proof of work needed:',
  'error:': 'The relay had a problem:',
  'info:': '',
}

function plain (message) {
  for (const [prefix, words] of Object.entries(PLAIN)) {
    if (message.startsWith(prefix)) return capital(`${words}${message.slice(prefix.length)}`.trim())
  }
  return message
}

function capital (text) {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

let sayTimer = null

function say (text) {
  const status = $('#status')
  if (!status) return
  status.textContent = text
  clearTimeout(sayTimer)
  sayTimer = setTimeout(() => { status.textContent = '' }, 10000)
}

// ---------------------------------------------------------------------------------------------
// The relay's WebSocket.

class Relay {
  constructor (url) {
    this.url = url
    this.waiting = new Map() // event id -> resolve(OK)
    this.subs = new Map() // sub id -> { onEvent, onEnd }
    this.challenge = null
    this.authed = null
    this.next = 0
    this.open = this.connect()
  }

  connect () {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url)
      this.ws = ws
      ws.onopen = () => {
        if (this.lost) say('Connected again.')
        this.lost = false
        resolve()
      }
      ws.onerror = () => reject(new Error(`Cannot reach the relay at ${this.url}; check that it is running and that this is its address.`))
      // Said at once, and tried again every two seconds until it answers.
      ws.onclose = () => {
        if (!this.lost) say('The relay stopped answering. Trying again…')
        this.lost = true
        setTimeout(() => {
          this.open = this.connect().then(() => this.resubscribe())
          this.open.catch(() => {}) // the next close tries again
        }, 2000)
      }
      ws.onmessage = (m) => this.receive(JSON.parse(m.data))
    })
  }

  receive (msg) {
    const [verb, a, b, c] = msg
    if (verb === 'AUTH') {
      this.challenge = a
      this.authed = null
      if (signer.pubkey) this.authenticate().catch((e) => say(e.message))
    } else if (verb === 'OK') {
      const done = this.waiting.get(a)
      if (done) { this.waiting.delete(a); done([b, c]) }
    } else if (verb === 'EVENT') {
      this.subs.get(a)?.onEvent(b)
    } else if (verb === 'EOSE' || verb === 'CLOSED') {
      this.subs.get(a)?.onEnd(verb, b)
    }
  }

  async send (msg) {
    await this.open
    this.ws.send(JSON.stringify(msg))
  }

  // Signs the challenge with the signer (NIP-42). A click can come before the relay's
  // challenge has arrived on a slow connection, so this waits for it (up to 10 s), and
  // concurrent callers share one answer.
  authenticate () {
    if (this.authed === signer.pubkey) return Promise.resolve()
    if (!this.authing) this.authing = this.answer().finally(() => { this.authing = null })
    return this.authing
  }

  async answer () {
    await this.open
    for (let i = 0; i < 100 && !this.challenge; i++) await new Promise((r) => setTimeout(r, 100))
    if (!this.challenge) throw new Error('The relay sent no sign-in challenge; reload the page.')
    const pubkey = signer.pubkey
    const event = await signer.sign({
      kind: 22242,
      tags: [['relay', this.url], ['challenge', this.challenge]],
      content: '',
    })
    const [ok, message] = await this.publish(event, 'AUTH')
    if (!ok) throw new Error(plain(message))
    this.authed = pubkey
  }

  // Sends an event and resolves with the relay's OK: [accepted, message].
  publish (event, verb = 'EVENT') {
    return new Promise((resolve) => {
      this.waiting.set(event.id, resolve)
      this.send([verb, event]).catch((e) => resolve([false, `error: ${e.message}`]))
    })
  }

  // Stored events for `filters` until EOSE; rejects with the CLOSED reason.
  query (filters) {
    const id = `q${++this.next}`
    const events = []
    return new Promise((resolve, reject) => {
      this.subs.set(id, {
        onEvent: (e) => events.push(e),
        onEnd: (verb, reason) => {
          this.subs.delete(id)
          if (verb === 'EOSE') { this.send(['CLOSE', id]); resolve(events) } else reject(new Error(plain(reason || '')))
        },
      })
      this.send(['REQ', id, ...filters])
    })
  }

  // Live events for `filters` from now on.
  subscribe (filters, onEvent) {
    const id = `live${++this.next}`
    const sub = { filters, onEvent, onEnd: () => {} }
    this.subs.set(id, sub)
    this.send(['REQ', id, ...filters])
  }

  resubscribe () {
    for (const [id, sub] of this.subs) {
      if (sub.filters) this.send(['REQ', id, ...sub.filters.map((f) => ({ ...f, since: now() }))])
    }
  }
}

const relay = new Relay(relayUrl)

// ---------------------------------------------------------------------------------------------
// Signing in: with an extension, a signer app, or a key kept in this browser (signin.js). The
// key never leaves the signer; this page only asks it to sign.

const signer = {
  pubkey: null,
  current: null,
  async sign (template) {
    if (!this.current) throw new Error('Sign in first.')
    return this.current.sign({ created_at: now(), ...template })
  },
}

async function signedIn (chosen) {
  try {
    signer.current = chosen
    signer.pubkey = chosen.pubkey
    // Signed in only once the relay took the signature: a refused one leaves nothing behind.
    await relay.authenticate()
    document.documentElement.classList.add('signed-in')
    $('#signin').hidden = true
    $('#signout').hidden = false
    $('#whoami').textContent = `Signed in as ${npub(signer.pubkey).slice(0, 14)}…`
    for (const el of $$('button[disabled]:not([data-keep-disabled])')) el.disabled = false
    markMyVote()
    if (signsPages()) await refresh(true)
    document.dispatchEvent(new Event('signed-in'))
    say('Signed in. Everything you do here is signed with your key and judged by the relay.')
    showName()
  } catch (e) {
    signer.current = null
    signer.pubkey = null
    document.documentElement.classList.remove('signed-in')
    $('#whoami').textContent = ''
    $('#signin').hidden = false
    $('#signout').hidden = true
    say(plain(e.message || String(e)))
  }
}

// The signed-in person by the name in their profile, their key on hover.
async function showName () {
  const whoami = $('#whoami')
  whoami.title = npub(signer.pubkey)
  const [mine] = await relay.query([{ kinds: [0], authors: [signer.pubkey], limit: 1 }]).catch(() => [])
  let name = ''
  try { const p = JSON.parse(mine?.content || '{}'); name = String(p.display_name || p.name || '').trim() } catch {}
  if (name && signer.pubkey === mine.pubkey) whoami.textContent = `Signed in as ${name.slice(0, 40)}`
}

async function setUpSignIn () {
  setUpDialog({ relayUrl, communityName: body.dataset.name, done: signedIn })
  $('#signout').addEventListener('click', () => {
    signer.current?.close?.()
    signOut()
    location.reload()
  })
  const chosen = await resume().catch(() => null)
  if (chosen) {
    $('#whoami').textContent = 'Signing in…'
    await signedIn(chosen)
  }
  // Offered once no earlier session came back: a button that vanishes as it is pressed
  // would leave the press unanswered.
  if (!signer.pubkey) $('#signin').hidden = false
}

// ---------------------------------------------------------------------------------------------
// NIP-19, to read npub, note and nevent.

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'

function bech32Decode (text) {
  const s = text.toLowerCase()
  const at = s.lastIndexOf('1')
  if (at < 1) throw new Error('not bech32')
  const words = [...s.slice(at + 1, -6)].map((c) => {
    const v = CHARSET.indexOf(c)
    if (v < 0) throw new Error('not bech32')
    return v
  })
  let acc = 0; let bits = 0; const out = []
  for (const w of words) {
    acc = (acc << 5) | w; bits += 5
    while (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff) }
  }
  return { prefix: s.slice(0, at), bytes: out }
}

function bech32Encode (prefix, bytes) {
  const words = []; let acc = 0; let bits = 0
  for (const b of bytes) { acc = (acc << 8) | b; bits += 8; while (bits >= 5) { bits -= 5; words.push((acc >> bits) & 31) } }
  if (bits > 0) words.push((acc << (5 - bits)) & 31)
  const poly = (values) => {
    const G = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    let chk = 1
    for (const v of values) {
      const top = chk >> 25
      chk = ((chk & 0x1ffffff) << 5) ^ v
      for (let i = 0; i < 5; i++) if ((top >> i) & 1) chk ^= G[i]
    }
    return chk
  }
  const expand = [...prefix].map((c) => c.charCodeAt(0) >> 5).concat([0], [...prefix].map((c) => c.charCodeAt(0) & 31))
  const mod = poly(expand.concat(words, [0, 0, 0, 0, 0, 0])) ^ 1
  const check = [0, 1, 2, 3, 4, 5].map((i) => (mod >> (5 * (5 - i))) & 31)
  return prefix + '1' + words.concat(check).map((w) => CHARSET[w]).join('')
}

const hex = (bytes) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('')
const fromHex = (h) => new Uint8Array(h.match(/../g).map((b) => parseInt(b, 16)))
const npub = (pubkeyHex) => bech32Encode('npub', [...fromHex(pubkeyHex)])
const HEX64 = /^[0-9a-f]{64}$/

// A key as hex, from hex or npub.
function keyHex (text) {
  const t = text.trim()
  if (HEX64.test(t)) return t
  const { prefix, bytes } = bech32Decode(t)
  if (prefix !== 'npub' || bytes.length !== 32) throw new Error('That is not a public key (npub or hex).')
  return hex(bytes)
}

// An event id as hex, from hex, note or nevent.
function eventHex (text) {
  const t = text.trim()
  if (HEX64.test(t)) return t
  const { prefix, bytes } = bech32Decode(t)
  if (prefix === 'note' && bytes.length === 32) return hex(bytes)
  if (prefix === 'nevent') {
    for (let i = 0; i + 2 <= bytes.length; i += 2 + bytes[i + 1]) {
      if (bytes[i] === 0 && bytes[i + 1] === 32) return hex(bytes.slice(i + 2, i + 34))
    }
  }
  throw new Error('That is not an event id (hex, note1… or nevent1…).')
}

// ---------------------------------------------------------------------------------------------
// Keeping the page live: relevant events refresh the server-rendered regions, not the forms.

let refreshTimer = null
const membersOnly = body.dataset.read === 'members'

function refreshSoon () {
  clearTimeout(refreshTimer)
  refreshTimer = setTimeout(refresh, 300)
}

// On a members-only relay (and on pages with parts for members only, such as how members voted
// on a newcomer) the server shows members' content only to a member: each request for the page
// carries a fresh NIP-98 authorization signed by the visitor's signer.
let membersParts = false
function signsPages () {
  membersParts ||= Boolean($('[data-members-see]'))
  return membersOnly || membersParts
}

async function pageHeaders () {
  const headers = { Accept: 'text/html' }
  if (!signsPages() || !signer.pubkey) return headers
  const page = location.href.split('#')[0]
  // The payload is the digest of the empty body of a GET.
  const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
  const auth = await signer.sign({ kind: 27235, tags: [['u', page], ['method', 'GET'], ['payload', empty]], content: '' })
  headers.Authorization = `Nostr ${btoa(unescape(encodeURIComponent(JSON.stringify(auth))))}`
  return headers
}

// Replaces the live regions (or, with `whole`, all of the page's content) with the server's
// fresh rendering, leaving what the visitor is typing alone.
async function refresh (whole = false) {
  const html = await (await fetch(location.href.split('#')[0], { headers: await pageHeaders() })).text()
  const fresh = new DOMParser().parseFromString(html, 'text/html')
  if (whole) {
    $('#main').replaceWith(document.adoptNode(fresh.getElementById('main')))
    bindAll()
    checkChain()
  } else {
    // What someone is writing (a vote's reason) survives the refresh.
    const typed = $('#vote-reason')?.value
    for (const region of $$('[data-refresh]')) {
      const replacement = fresh.getElementById(region.id)
      if (replacement) region.replaceWith(document.adoptNode(replacement))
    }
    if (typed && $('#vote-reason')) $('#vote-reason').value = typed
    localTimes()
    bindActions()
  }
  if (signer.pubkey) {
    for (const el of $$('#main button[disabled]:not([data-keep-disabled])')) el.disabled = false
    markMyVote()
  }
}

function watch () {
  const kinds = new Set($$('[data-live]').flatMap((el) => el.dataset.live.split(',').map(Number)))
  if (kinds.size) relay.subscribe([{ kinds: [...kinds], since: now() }], refreshSoon)
}

// ---------------------------------------------------------------------------------------------
// Acting: every action is an event the signer signs and the relay answers.

async function act (template, done) {
  if (!signer.pubkey) { say('Sign in first.'); return false }
  try {
    await relay.authenticate()
    const event = await signer.sign(template)
    const [ok, message] = await relay.publish(event)
    say(ok ? (message ? plain(message) : 'Done.') : plain(message))
    if (ok && done) done(event)
    return ok
  } catch (e) {
    say(plain(e.message || String(e)))
    return false
  }
}

function markMyVote () {
  const mine = signer.pubkey && $(`[data-voter="${signer.pubkey}"] .choice`)
  for (const b of $$('[data-vote]')) b.setAttribute('aria-pressed', String(Boolean(mine) && mine.textContent === b.dataset.vote))
  // In words too, not by colour alone.
  const said = $('#my-vote')
  if (said) said.textContent = mine ? `You voted ${mine.textContent}. You can change your vote until it closes.` : ''
}

function bindActions () {
  for (const button of $$('[data-vote]')) {
    button.onclick = () => {
      const id = button.closest('[data-proposal]').dataset.proposal
      const reason = $('#vote-reason')?.value.trim() ?? ''
      act({ kind: 1018, tags: [['e', id], ['response', button.dataset.vote]], content: reason }, refreshSoon)
    }
  }
  for (const button of $$('button.reply')) {
    button.onclick = () => {
      const form = $('form.comment')
      form.dataset.parent = button.dataset.replyTo
      form.dataset.parentAuthor = button.dataset.replyAuthor
      $('label', form).textContent = 'Reply'
      $('textarea', form).focus()
    }
  }
}

function bindComment () {
  const form = $('form.comment')
  if (!form) return
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const content = $('textarea', form).value.trim()
    if (!content) return
    const root = form.dataset.root
    const rootAuthor = form.dataset.rootAuthor
    const parent = form.dataset.parent || root
    const parentAuthor = form.dataset.parentAuthor || rootAuthor
    const tags = [
      ['E', root, relayUrl, rootAuthor], ['K', '1068'], ['P', rootAuthor],
      ['e', parent, relayUrl, parentAuthor], ['k', parent === root ? '1068' : '1111'], ['p', parentAuthor],
    ]
    act({ kind: 1111, tags, content }, () => {
      $('textarea', form).value = ''
      delete form.dataset.parent
      $('label', form).textContent = 'Add to the discussion'
      refreshSoon()
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Proposing: check what the relay would refuse, then build the NIP-88 poll.

const catalogue = () => JSON.parse($('#catalogue')?.textContent || '{}')

function paramOf (name) {
  return catalogue().params.find((p) => p.name === name)
}

// The value as the relay reads it, or an error in words.
function checkValue (spec, raw) {
  const t = raw.trim()
  const whole = (max) => {
    if (!/^\d+$/.test(t) || BigInt(t) > max) throw new Error(`${spec.label} takes a whole number${max < 2n ** 64n ? ` up to ${max}` : ''}.`)
    return Number(t)
  }
  const list = () => t.split(',').map((s) => s.trim()).filter(Boolean)
  switch (spec.type) {
    case 'u32': return whole(4294967295n)
    case 'u64': return whole(18446744073709551615n)
    case 'bool': case 'enum': case 'methods': {
      const items = spec.type === 'methods' ? list() : [t]
      const bad = items.find((i) => !spec.words.includes(i))
      if (bad !== undefined || !items.length) throw new Error(`${spec.label} takes ${spec.type === 'methods' ? 'some of' : 'one of'}: ${spec.words.join(', ')}.`)
      return t
    }
    case 'kinds': if (list().some((k) => !/^\d+$/.test(k) || Number(k) > 65535)) throw new Error(`${spec.label} takes kind numbers, separated by commas.`); return t
    case 'pubkeys': list().forEach(keyHex); return t
    default: return t
  }
}

// The consistency rules a policy must keep (NIP-CG), against the values in force.
function checkConsistency (name, value) {
  const doc = catalogue().doc
  const get = (path) => path.split('.').reduce((o, k) => (o ?? {})[k], doc)
  const n = Number(value)
  const rules = {
    'limitation.default_limit': () => n <= get('limitation.max_limit') || 'default_limit must not exceed max_limit',
    'limitation.max_limit': () => n >= get('limitation.default_limit') || 'max_limit must not be below default_limit',
    'limitation.max_event_size': () => n <= get('limitation.max_message_length') || 'max_event_size must not exceed max_message_length',
    'limitation.max_message_length': () => n >= get('limitation.max_event_size') || 'max_message_length must not be below max_event_size',
    'limitation.min_pow_difficulty': () => n <= 256 || 'min_pow_difficulty is at most 256',
    'proposals.min_window': () => n >= 1 || 'min_window must be at least 1',
  }
  const sizes = ['max_message_length', 'max_event_size', 'max_subscriptions', 'max_filters', 'max_limit', 'max_subid_length', 'max_filter_values']
  if (sizes.some((s) => name === `limitation.${s}`) && n < 1) return `${name} must be at least 1`
  if (/^classes\.\w+\.(quorum_percent|max_block_percent)$/.test(name) && n > 100) return 'a percentage is at most 100'
  if (/^classes\.\w+\.window$/.test(name) && n < 1) return 'a window must be at least 1 second'
  const c = name.match(/^classes\.(\w+)\.pass_(num|den)$/)
  if (c) {
    const num = c[2] === 'num' ? n : get(`classes.${c[1]}.pass_num`)
    const den = c[2] === 'den' ? n : get(`classes.${c[1]}.pass_den`)
    if (den < 1 || num > den) return 'pass_num must not exceed pass_den, and pass_den must be at least 1'
  }
  const rule = rules[name]
  const verdict = rule ? rule() : true
  return verdict === true ? null : verdict
}

// A parameter's type and bounds, in words.
function describe (spec) {
  const doc = catalogue().doc
  const get = (path) => path.split('.').reduce((o, k) => (o ?? {})[k], doc)
  const extra = {
    'limitation.default_limit': ` At most max_limit (${get('limitation.max_limit')}).`,
    'limitation.max_limit': ` At least default_limit (${get('limitation.default_limit')}).`,
    'limitation.max_event_size': ` At most max_message_length (${get('limitation.max_message_length')}).`,
    'limitation.max_message_length': ` At least max_event_size (${get('limitation.max_event_size')}).`,
    'limitation.min_pow_difficulty': ' At most 256.',
  }[spec.name] ?? (/percent$/.test(spec.name) ? ' At most 100.' : '')
  switch (spec.type) {
    case 'u32': case 'u64': return extra.trim()
    case 'bool': case 'enum': return ''
    case 'methods': return `Some of: ${spec.words.join(', ')}, separated by commas.`
    case 'kinds': return 'Kind numbers, separated by commas (empty for none).'
    case 'pubkeys': return 'Keys (npub or hex), separated by commas.'
    default: return 'Text.'
  }
}

// The action's `gov` and payload tags, and its class.
function actionTags (form) {
  const f = (name) => form.elements[name]?.value ?? ''
  const action = form.dataset.action
  switch (action) {
    case 'set': case 'constitution': {
      const spec = paramOf(f('param'))
      if (!spec) throw new Error('Pick a parameter.')
      const value = valueOf(form, spec)
      checkValue(spec, value)
      const inconsistent = checkConsistency(spec.name, value)
      if (inconsistent) throw new Error(`The policy would be inconsistent: ${inconsistent}.`)
      return [[['gov', action], ['change', spec.name, value]], spec.class]
    }
    case 'ban': {
      const days = Number(f('days'))
      if (!(days >= 0)) throw new Error('The duration is a number of days (0: for good).')
      const secs = Math.round(days * 86400)
      const tags = [['gov', 'ban'], ['p', keyHex(f('target'))]]
      if (secs > 0) tags.push(['duration', String(secs)])
      return [tags, secs === 0 || secs > catalogue().short_ban ? 'membership' : 'moderation']
    }
    case 'unban': return [[['gov', 'unban'], ['p', keyHex(f('target'))]], 'moderation']
    case 'remove-event': case 'restore-event': {
      const id = eventHex(f('target'))
      if (action === 'restore-event' && !catalogue().removed.includes(id)) throw new Error('That event is not removed.')
      return [[['gov', action], ['e', id, '', 'target']], 'moderation']
    }
    case 'admit': return [[['gov', 'admit'], ['p', keyHex(f('target'))]], 'admission']
    case 'remove-member': return [[['gov', 'remove-member'], ['p', keyHex(f('target'))]], 'membership']
    case 'role': {
      if (!f('role').trim()) throw new Error('Name the role.')
      return [[['gov', 'role'], ['p', keyHex(f('target'))], ['role', f('role').trim(), f('assign')]], 'membership']
    }
    case 'appeal': return [[['gov', 'appeal'], ['e', eventHex(f('target')), '', 'appeal-of']], 'moderation']
  }
  throw new Error('Unknown action.')
}

/** A number of seconds as a short duration: "3 days", "1 day", "5 hours", "40 minutes". */
function days (secs) {
  const unit = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`
  if (secs >= 86400) return unit(Math.round(secs / 86400), 'day')
  if (secs >= 3600) return unit(Math.round(secs / 3600), 'hour')
  return unit(Math.max(1, Math.round(secs / 60)), 'minute')
}

function bindPropose () {
  const form = $('#propose')
  if (!form) return
  const error = $('#propose-error')
  const windowInput = form.elements.window
  let shaped = null
  const update = () => {
    const spec = paramOf(form.elements.param?.value)
    const hint = $('#param-hint')
    if (spec && shaped !== spec.name) {
      shapeValue(form, spec)
      shaped = spec.name
    }
    if (hint && spec) {
      hint.replaceChildren(`Now ${spec.now_words}. ${spec.description ?? ''} ${describe(spec)} Decided by the ${spec.class} rule. `)
      const key = document.createElement('code')
      key.className = 'key'
      key.textContent = spec.name
      hint.append(key)
    }
    let cls = 'moderation'
    try { cls = actionTags(form)[1] } catch { if (spec) cls = spec.class }
    const max = catalogue().classes[cls]?.window ?? 604800
    const min = catalogue().min_window
    const talk = catalogue().classes[cls]?.deliberation ?? 0
    windowInput.max = (max / 86400).toFixed(2)
    if (!windowInput.value) windowInput.value = (max / 86400).toFixed(2)
    const first = talk > 0 ? ` Members discuss it for ${days(talk)} first; voting opens after that.` : ''
    $('#window-hint').textContent = `Between ${(min / 3600).toFixed(1)} hours and ${(max / 86400).toFixed(1)} days for the ${cls} rule.${first}`
  }
  form.addEventListener('input', () => { error.textContent = ''; update() })
  update()
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    error.textContent = ''
    let tags, cls
    try {
      [tags, cls] = actionTags(form)
      const text = form.elements.text.value.trim()
      if (!text) throw new Error('Say what you propose and why.')
      // A change far from the value now may be a slip (a zero too many): say so once.
      const spec = paramOf(form.elements.param?.value)
      const value = spec && ['set', 'constitution'].includes(form.dataset.action) ? valueOf(form, spec) : null
      const far = value !== null && farFrom(spec, value)
      if (far && form.dataset.confirmed !== `${spec.name}=${value}`) {
        form.dataset.confirmed = `${spec.name}=${value}`
        throw new Error(`${far} If that is what you mean, press “Sign and propose” again.`)
      }
      // And one that would refuse most of what members posted this week: say how much.
      const hit = value !== null && await refusedLastWeek(relay, relayKey, spec, value)
      if (hit && form.dataset.counted !== `${spec.name}=${value}`) {
        form.dataset.counted = `${spec.name}=${value}`
        throw new Error(`${hit} If that is what you mean, press “Sign and propose” again.`)
      }
      const { classes, min_window: min } = catalogue()
      const secs = Math.round(Number(windowInput.value) * 86400)
      if (!(secs >= min && secs <= classes[cls].window)) throw new Error(`The vote must stay open between ${min} and ${classes[cls].window} seconds.`)
      const opens = now() + (classes[cls].deliberation ?? 0)
      let endsAt = opens + secs
      if (form.dataset.amends) {
        // An amendment ends no later than the proposal it amends.
        endsAt = Math.min(endsAt, Number(form.dataset.amendsEnds))
        if (endsAt - opens < min) throw new Error('Too late to amend: the proposal closes before an amendment could be voted on.')
        tags.push(['e', form.dataset.amends, '', 'amends'])
      }
      const options = [['option', 'yes', 'Yes'], ['option', 'no', 'No'], ['option', 'abstain', 'Abstain']]
      if (classes[cls].block) options.push(['option', 'block', 'Block'])
      tags.push(['class', cls], ...options, ['polltype', 'singlechoice'], ['endsAt', String(endsAt)], ['relay', relayUrl])
      act({ kind: 1068, tags, content: text }, (event) => { location.href = `/proposals/${event.id}` })
    } catch (err) {
      error.textContent = err.message
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Members: an invite link; newcomers: joining.

function bindInvite () {
  const button = $('#mint-invite')
  if (!button) return
  button.addEventListener('click', async () => {
    if (!signer.pubkey) { say('Sign in first.'); return }
    try {
      await relay.authenticate()
      const [invite] = await relay.query([{ kinds: [28935] }])
      const code = invite?.tags.find((t) => t[0] === 'claim')?.[1]
      if (!code) throw new Error('The relay sent no code.')
      $('#invite-link').value = `${location.origin}/join?code=${encodeURIComponent(code)}`
      $('#invite-result').hidden = false
      say('Here is a join link. It works once.')
    } catch (e) {
      say(e.message)
    }
  })
  $('#copy-invite')?.addEventListener('click', () => navigator.clipboard?.writeText($('#invite-link').value).then(() => say('Copied.')))
}

function bindDelegate () {
  const form = $('#delegate')
  if (!form) return
  const scope = () => form.elements.scope.value
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const to = form.elements.to.value
    if (to === signer.pubkey) { say('Lend your vote to another member.'); return }
    act({ kind: 33536, tags: [['d', scope()], ['p', to]], content: '' }, () => { say('Your vote is lent.'); refreshSoon() })
  })
  $('#undelegate').addEventListener('click', () => {
    act({ kind: 33536, tags: [['d', scope()]], content: '' }, () => { say('Your vote is yours again.'); refreshSoon() })
  })
}

function bindJoin () {
  const form = $('#join')
  if (!form) return
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const code = form.dataset.code
    const tags = code ? [['-'], ['claim', code]] : [['-']]
    const content = form.elements.intro?.value.trim() ?? ''
    await act({ kind: 28934, tags, content }, () => {
      $('#join-result').textContent = code ? 'Welcome! You are a member now.' : 'Your request is before the members.'
      if (code) location.href = `/welcome?as=${form.dataset.cofounder ? 'cofounder' : 'member'}`
    })
  })
}

// ---------------------------------------------------------------------------------------------
// The decision log, checked here: ids, the relay's signatures, the chain, the policy digest.

async function sha256Hex (text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return hex([...new Uint8Array(digest)])
}

async function checkEvent (e) {
  const id = await sha256Hex(JSON.stringify([0, e.pubkey, e.created_at, e.kind, e.tags, e.content]))
  return id === e.id && e.pubkey === relayKey && await schnorr.verifyAsync(fromHex(e.sig), fromHex(e.id), fromHex(e.pubkey))
}

// Every decision of the relay, however long the log and however small the relay's `max_limit`:
// pages back with `until` (inclusive, so decisions of the same second are not skipped), then
// asks by id for any decision a fetched one names as `prev` but no page held (many decisions
// closing in one second can outnumber a page).
async function allDecisions () {
  const seen = new Map()
  let until
  for (;;) {
    const filter = { authors: [relayKey], kinds: [8002], limit: 500 }
    if (until !== undefined) filter.until = until
    const page = await relay.query([filter])
    let added = 0
    for (const e of page) if (!seen.has(e.id)) { seen.set(e.id, e); added++ }
    if (!added) break
    until = Math.min(...page.map((e) => e.created_at))
  }
  const prev = (e) => e.tags.find((t) => t[0] === 'prev')?.[1]
  for (;;) {
    const missing = [...new Set([...seen.values()].map(prev).filter((p) => p && !seen.has(p)))].slice(0, 100)
    if (!missing.length) break
    const found = await relay.query([{ ids: missing, authors: [relayKey], kinds: [8002] }])
    const fresh = found.filter((e) => !seen.has(e.id))
    if (!fresh.length) break
    for (const e of fresh) seen.set(e.id, e)
  }
  return [...seen.values()]
}

async function checkChain () {
  const box = $('#chain-check')
  if (!box) return
  const report = (ok, text) => {
    box.className = `check ${ok ? 'ok' : 'bad'}`
    box.insertAdjacentHTML('afterbegin', '<p></p>')
    box.firstChild.textContent = text
  }
  if (!window.crypto?.subtle) { report(false, 'This browser cannot check signatures here (it needs https).'); return }
  try {
    const decisions = await allDecisions()
    const [policy] = await relay.query([{ authors: [relayKey], kinds: [33535], '#d': ['relay'] }])
    for (const e of decisions) if (!(await checkEvent(e))) throw new Error(`decision ${e.id.slice(0, 12)} is not signed by the relay`)
    const prev = (e) => e.tags.find((t) => t[0] === 'prev')?.[1]
    const geneses = decisions.filter((e) => !prev(e))
    if (geneses.length !== 1) throw new Error('there is not exactly one genesis')
    const next = new Map()
    for (const e of decisions) if (prev(e)) { if (next.has(prev(e))) throw new Error('the chain forks'); next.set(prev(e), e) }
    let head = geneses[0]; let length = 1
    while (next.has(head.id)) { head = next.get(head.id); length++ }
    if (length !== decisions.length) throw new Error('a decision is not linked into the chain')
    if (!policy || !(await checkEvent(policy))) throw new Error('the policy document is not signed by the relay')
    const digest = head.tags.find((t) => t[0] === 'policy')?.[1]
    if ((await sha256Hex(policy.content)) !== digest) throw new Error('the policy document does not match the latest decision')
    report(true, `Checked in your browser: ${decisions.length} decisions, every one signed by the relay's key, chained from the genesis without a gap or a fork, and the policy in force is the one the latest decision names.`)
  } catch (e) {
    report(false, `The check failed: ${e.message}.`)
  }
}

// ---------------------------------------------------------------------------------------------

// Moments in the reader's own time zone; the page serves them in UTC, kept on hover.
const localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
function localTimes () {
  for (const t of $$('time[data-at]')) t.textContent = localFormat.format(new Date(Number(t.dataset.at) * 1000))
}

// The phone's menu: the header's links behind one button.
document.documentElement.classList.add('js')
$('#menu')?.addEventListener('click', () => {
  const open = $('header.top').classList.toggle('open')
  $('#menu').setAttribute('aria-expanded', String(open))
})

function bindAll () {
  localTimes()
  bindActions()
  bindComment()
  bindPropose()
  bindInvite()
  bindDelegate()
  bindJoin()
  bindSetup({ signer, say, sha256Hex })
  bindProfile({ signer, relay, act, say })
  bindNotifyChoice({ signer, relay, act, say })
}

bindAll()
watch()
checkChain()
setUpSignIn()
