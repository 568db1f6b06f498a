// The profile form (welcome page): a name, a few words and a picture, published as the
// visitor's kind-0 profile, so the community sees a name and not a key. The picture is made
// small here (at most 128 pixels a side, a JPEG data: URL inside the profile), so no visitor's
// browser ever fetches it from another site.

const SIDE = 128

export function bindProfile ({ signer, relay, act, say }) {
  const form = document.getElementById('profile')
  if (!form) return
  let current = {}
  const load = async () => {
    if (!signer.pubkey) return
    const [mine] = await relay.query([{ kinds: [0], authors: [signer.pubkey], limit: 1 }]).catch(() => [])
    try { current = JSON.parse(mine?.content || '{}') } catch { current = {} }
    if (!form.elements.name.value) form.elements.name.value = current.display_name || current.name || ''
    if (!form.elements.about.value) form.elements.about.value = current.about || ''
  }
  document.addEventListener('signed-in', load)
  load()
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const name = form.elements.name.value.trim()
    if (!name) { say('Give a name people will know you by.'); return }
    const profile = { ...current, name, display_name: name, about: form.elements.about.value.trim() }
    const file = form.elements.picture.files?.[0]
    if (file) {
      try { profile.picture = await shrink(file) } catch { say('That picture could not be read; choose another.'); return }
    }
    await act({ kind: 0, tags: [], content: JSON.stringify(profile) }, () => {
      current = profile
      const whoami = document.getElementById('whoami')
      if (whoami) whoami.textContent = `Signed in as ${name.slice(0, 40)}`
      say(`Saved. People here now see you as ${name}.`)
    })
  })
}

// The member's choice of a private message for each vote: a setting they sign (NIP-78, kind
// 30078, `d` = communitarium/notify), which the relay reads when it sends notices.
export function bindNotifyChoice ({ signer, relay, act, say }) {
  const form = document.getElementById('notify-choice')
  if (!form) return
  // The stored choice arrives after the page is shown: it must not undo a tick made meanwhile.
  let touched = false
  form.elements.direct.addEventListener('change', () => { touched = true })
  const load = async () => {
    if (!signer.pubkey) return
    const [mine] = await relay.query([{ kinds: [30078], authors: [signer.pubkey], '#d': ['communitarium/notify'], limit: 1 }]).catch(() => [])
    if (touched) return
    try { form.elements.direct.checked = Boolean(JSON.parse(mine?.content || '{}').direct) } catch {}
  }
  document.addEventListener('signed-in', load)
  load()
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const direct = form.elements.direct.checked
    await act({ kind: 30078, tags: [['d', 'communitarium/notify']], content: JSON.stringify({ direct }) }, () => {
      say(direct ? 'You will get a private message for each vote.' : 'No private messages: you will see votes here and in the announcements.')
    })
  })
}

// `file` as a square-fitted JPEG data: URL of at most SIDE pixels a side.
async function shrink (file) {
  const bitmap = await createImageBitmap(file)
  const scale = Math.min(1, SIDE / Math.max(bitmap.width, bitmap.height))
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(bitmap.width * scale))
  canvas.height = Math.max(1, Math.round(bitmap.height * scale))
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height)
  return canvas.toDataURL('image/jpeg', 0.8)
}
