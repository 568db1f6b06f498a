// A community's policy life from nostr-tools alone: a founder mints an invite (NIP-43), a
// newcomer joins, the members propose a limit change as a NIP-88 poll, vote, and the relay
// publishes the decision and enforces the new limit.
// Usage: node governance.mjs ws://127.0.0.1:PORT <founder secret hex>...

import assert from 'node:assert/strict'
import { useWebSocketImplementation } from 'nostr-tools/relay'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { hexToBytes } from 'nostr-tools/utils'
import WebSocket from 'ws'
import { connect as connectTo, query } from './lib.mjs'

useWebSocketImplementation(WebSocket)

const [url, ...founderHex] = process.argv.slice(2)
assert.ok(url && founderHex.length >= 2, 'relay URL and founder keys')
const founders = founderHex.map(hexToBytes)
const now = () => Math.floor(Date.now() / 1000)
const sign = (key, kind, content, tags = []) => finalizeEvent({ kind, content, tags, created_at: now() }, key)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** A connection authenticated as `key` (NIP-42). */
const connect = (key) => connectTo(url, key)

async function main() {
  const info = await (await fetch(url.replace('ws://', 'http://'), { headers: { Accept: 'application/nostr+json' } })).json()
  const self = info.self
  assert.equal(info.governance.admission, 'invite')

  // Invite and join.
  const founder = await connect(founders[0])
  const [invite] = await query(founder, [{ kinds: [28935] }])
  assert.equal(invite.pubkey, self)
  const code = invite.tags.find((t) => t[0] === 'claim')[1]
  const newKey = generateSecretKey()
  const newcomer = await connect(newKey)
  await assert.rejects(newcomer.publish(sign(newKey, 1, 'hello?')), /restricted:/)
  const welcome = await newcomer.publish(sign(newKey, 28934, '', [['-'], ['claim', code]]))
  assert.match(welcome, /welcome/)
  assert.equal(await newcomer.publish(sign(newKey, 1, 'hello, community')), '')

  // Wait a second: electorates are the members before a proposal's second.
  await sleep(1100)

  // Propose a shorter note limit as a NIP-88 poll.
  const poll = sign(founders[0], 1068, 'Notes of at most 1,040 characters', [
    ['gov', 'set'],
    ['change', 'limitation.max_content_length', '1040'],
    ['class', 'ordinary'],
    ['option', 'yes', 'Yes'],
    ['option', 'no', 'No'],
    ['option', 'abstain', 'Abstain'],
    ['polltype', 'singlechoice'],
    ['endsAt', String(now() + 120)],
    ['relay', url],
  ])
  assert.equal(await founder.publish(poll), '')

  // Every member votes (the newcomer joined before the proposal, so they vote too).
  for (const key of [...founders, newKey]) {
    const voter = await connect(key)
    assert.equal(await voter.publish(sign(key, 1018, '', [['e', poll.id], ['response', 'yes']])), '')
    voter.close()
  }

  // The decision is signed by the relay, and the policy document follows it.
  let decision
  for (let i = 0; i < 40 && !decision; i++) {
    ;[decision] = await query(founder, [{ authors: [self], kinds: [8002], '#e': [poll.id] }])
    if (!decision) await sleep(250)
  }
  assert.ok(decision, 'a decision')
  assert.deepEqual(decision.tags.find((t) => t[0] === 'result'), ['result', 'passed'])
  const [policy] = await query(founder, [{ authors: [self], kinds: [33535], '#d': ['relay'] }])
  assert.equal(JSON.parse(policy.content).limitation.max_content_length, 1040)

  // The very next event is judged by the new limit.
  await assert.rejects(newcomer.publish(sign(newKey, 1, 'x'.repeat(1041))), /invalid:/)
  assert.equal(await newcomer.publish(sign(newKey, 1, 'x'.repeat(1040))), '')

  founder.close()
  newcomer.close()
  console.log('nostr-tools governance: ok')
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
