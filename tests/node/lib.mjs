// Shared by the nostr-tools scripts: authenticated connections and stored queries.

import { Relay } from 'nostr-tools/relay'
import { finalizeEvent } from 'nostr-tools/pure'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** A connection to `url`, authenticated (NIP-42) as `key` when given. */
export async function connect (url, key) {
  const relay = await Relay.connect(url)
  if (key) {
    for (let i = 0; i < 50 && !relay.challenge; i++) await sleep(20)
    await relay.auth(async (template) => finalizeEvent(template, key))
  }
  return relay
}

/**
 * Events of a REQ until EOSE, each once; a CLOSED rejects with its reason. An event committed
 * just before the REQ may also arrive live before EOSE (its fan-out still queued): clients
 * dedupe by id, as SimplePool does, and so does this.
 */
export function query (relay, filters) {
  return new Promise((resolve, reject) => {
    const events = []
    const seen = new Set()
    const timer = setTimeout(() => reject(new Error('no EOSE')), 10000)
    const sub = relay.subscribe(filters, {
      onevent: (e) => {
        if (!seen.has(e.id)) {
          seen.add(e.id)
          events.push(e)
        }
      },
      oneose: () => {
        clearTimeout(timer)
        resolve(events)
        sub.close()
      },
      onclose: (reason) => {
        clearTimeout(timer)
        reject(new Error(`closed: ${reason}`))
      },
    })
  })
}
