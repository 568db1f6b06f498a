// Appreciation without a scoreboard, with nostr-tools: reactions, reposts and "who follows
// whom" seen by three keys and a stranger, stored (REQ), counted (COUNT) and live.
// Usage: node norms.mjs ws://127.0.0.1:PORT public|private
// (exit status 0 when every check passes)

import assert from 'node:assert/strict'
import { useWebSocketImplementation } from 'nostr-tools/relay'
import { connect as connectTo, query } from './lib.mjs'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import WebSocket from 'ws'

useWebSocketImplementation(WebSocket)

const [url, mode] = process.argv.slice(2)
assert.ok(url && ['public', 'private'].includes(mode), 'usage: norms.mjs URL public|private')
const hidden = mode === 'private'
const now = () => Math.floor(Date.now() / 1000)
const sign = (key, kind, content, tags = []) =>
  finalizeEvent({ kind, content, tags, created_at: now() }, key)

const connect = (key) => connectTo(url, key)

const ids = (events) => events.map((e) => e.id).sort()

async function main() {
  const [aliceKey, bobKey, carolKey, danKey] = [0, 1, 2, 3].map(() => generateSecretKey())
  const [alice, bob, carol, dan] = [aliceKey, bobKey, carolKey, danKey].map(getPublicKey)
  const [a, b, c, stranger] = await Promise.all([
    connect(aliceKey),
    connect(bobKey),
    connect(carolKey),
    connect(null),
  ])

  const note = sign(aliceKey, 1, 'a thought worth reacting to')
  assert.equal(await a.publish(note), '')
  const about = [['e', note.id], ['p', alice]]
  const bobLikes = sign(bobKey, 7, '+', about)
  const carolLikes = sign(carolKey, 7, '🤝', about)
  const carolReposts = sign(carolKey, 6, '', about)
  const reply = sign(carolKey, 1, 'and a reply', about)
  for (const [relay, e] of [[b, bobLikes], [c, carolLikes], [c, carolReposts], [c, reply]]) {
    assert.equal(await relay.publish(e), '')
  }
  const all = [bobLikes, carolLikes, carolReposts]
  const asked = [{ kinds: [1, 6, 7], '#e': [note.id] }]
  const reactions = [{ kinds: [6, 7], '#e': [note.id] }]

  // What each key sees, stored and counted.
  const views = [
    [a, all],
    [b, hidden ? [bobLikes] : all],
    [c, hidden ? [carolLikes, carolReposts] : all],
    [stranger, hidden ? [] : all],
  ]
  for (const [relay, expected] of views) {
    assert.deepEqual(ids(await query(relay, asked)), ids([...expected, reply]))
    assert.equal(await relay.count(reactions, {}), expected.length)
  }
  // A limit bounds what a filter returns, however the relay splits it.
  assert.equal((await query(a, [{ ...asked[0], limit: 2 }])).length, 2)
  assert.equal((await query(b, [{ ...asked[0], limit: 1 }])).length, 1)
  // A filter without kinds is filtered event by event; COUNT refuses it when private.
  const kindless = await query(stranger, [{ '#e': [note.id] }])
  assert.deepEqual(ids(kindless), ids(hidden ? [reply] : [...all, reply]))

  // Live: Dan reacts; Alice (reacted to) gets it, Bob does not; both get the reply after it.
  const live = (relay) => {
    const got = []
    let done
    const finished = new Promise((r) => (done = r))
    relay.subscribe([{ kinds: [1, 7], '#e': [note.id], authors: [dan] }], {
      onevent: (e) => {
        got.push(e.kind)
        if (e.kind === 1) done(got)
      },
    })
    return finished
  }
  const aliceLive = live(a)
  const bobLive = live(b)
  await new Promise((r) => setTimeout(r, 300))
  const d = await connect(danKey)
  assert.equal(await d.publish(sign(danKey, 7, '+', about)), '')
  assert.equal(await d.publish(sign(danKey, 1, 'later reply', about)), '')
  assert.deepEqual(await aliceLive, [7, 1])
  assert.deepEqual(await bobLive, hidden ? [1] : [7, 1])

  // Followers: Bob and Carol follow Alice. Their own lists stay readable by author.
  assert.equal(await b.publish(sign(bobKey, 3, '', [['p', alice]])), '')
  assert.equal(await c.publish(sign(carolKey, 3, '', [['p', alice]])), '')
  const whoFollowsAlice = [{ kinds: [3], '#p': [alice] }]
  assert.equal((await query(a, whoFollowsAlice)).length, 2, 'Alice sees her followers')
  assert.equal(await a.count(whoFollowsAlice, {}), 2)
  if (hidden) {
    await assert.rejects(query(stranger, whoFollowsAlice), /auth-required:/)
    await assert.rejects(query(b, whoFollowsAlice), /restricted:/)
    await assert.rejects(b.count(whoFollowsAlice, {}), /restricted:/)
  } else {
    assert.equal((await query(stranger, whoFollowsAlice)).length, 2)
    assert.equal(await b.count(whoFollowsAlice, {}), 2)
  }
  const bobsList = await query(stranger, [{ kinds: [3], authors: [bob] }])
  assert.equal(bobsList.length, 1, 'a contact list is readable by its author key')

  for (const relay of [a, b, c, stranger, d]) relay.close()
  console.log(`nostr-tools norms (${mode}): ok`)
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
