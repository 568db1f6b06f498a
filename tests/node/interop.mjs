// Interop with nostr-tools, the most used JavaScript client library: publish, query, live
// subscriptions, replaceable events, COUNT, AUTH for protected events, deletion and refusals.
// Usage: node interop.mjs ws://127.0.0.1:PORT   (exit status 0 when every check passes)

import assert from 'node:assert/strict'
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import WebSocket from 'ws'
import { query } from './lib.mjs'

useWebSocketImplementation(WebSocket)

const url = process.argv[2]
assert.ok(url, 'relay URL argument')
const now = () => Math.floor(Date.now() / 1000)

const aliceKey = generateSecretKey()
const alice = getPublicKey(aliceKey)
const bobKey = generateSecretKey()

const sign = (key, kind, content, tags = [], created_at = now()) =>
  finalizeEvent({ kind, content, tags, created_at }, key)

async function main() {
  const a = await Relay.connect(url)
  const b = await Relay.connect(url)

  // Publish and query.
  const note = sign(aliceKey, 1, 'hello from nostr-tools', [['t', 'interop']])
  assert.equal(await a.publish(note), '')
  const byTag = await query(b, [{ '#t': ['interop'] }])
  assert.deepEqual(byTag.map((e) => e.id), [note.id])
  assert.equal(byTag[0].sig, note.sig)

  // Live subscription: EOSE, then a new event arrives.
  const live = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no live event')), 10000)
    let eosed = false
    b.subscribe([{ authors: [alice], kinds: [1], since: now() }], {
      oneose: () => {
        eosed = true
        a.publish(sign(aliceKey, 1, 'live note')).catch(reject)
      },
      onevent: (e) => {
        if (eosed && e.content === 'live note') {
          clearTimeout(timer)
          resolve(e)
        }
      },
    })
  })
  assert.equal((await live).pubkey, alice)

  // Replaceable: only the newest profile is kept.
  await a.publish(sign(aliceKey, 0, '{"name":"one"}', [], now() - 10))
  const v2 = sign(aliceKey, 0, '{"name":"two"}', [], now() - 5)
  await a.publish(v2)
  const profiles = await query(b, [{ authors: [alice], kinds: [0] }])
  assert.deepEqual(profiles.map((e) => e.id), [v2.id])

  // COUNT (NIP-45).
  assert.equal(await a.count([{ authors: [alice] }], {}), 3)

  // Protected (NIP-70): refused before AUTH, accepted after.
  const secret = sign(aliceKey, 1, 'members only', [['-']])
  await assert.rejects(a.publish(secret), /auth-required:/)
  await a.auth(async (template) => finalizeEvent(template, aliceKey))
  assert.equal(await a.publish(secret), '')

  // Deletion (NIP-09): gone, and cannot come back.
  const oops = sign(aliceKey, 1, 'oops')
  await a.publish(oops)
  await a.publish(sign(aliceKey, 5, '', [['e', oops.id], ['k', '1']]))
  assert.deepEqual(await query(b, [{ ids: [oops.id] }]), [])
  await assert.rejects(b.publish(oops), /blocked:/)

  // Refusals carry standard prefixes.
  const forged = { ...sign(bobKey, 1, 'original'), content: 'forged' }
  await assert.rejects(b.publish(forged), /invalid:/)

  a.close()
  b.close()
  console.log('nostr-tools interop: ok')
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
