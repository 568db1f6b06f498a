// The setup page: the founder signs the founding (NIP-98 over the form, so the founder is
// whoever signed), and the relay signs the community's genesis.

export function bindSetup ({ signer, say, sha256Hex }) {
  const form = document.getElementById('setup')
  if (!form) return
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const error = document.getElementById('setup-error')
    error.textContent = ''
    if (!signer.pubkey) { error.textContent = 'Sign in first, with “Sign in” at the top of the page.'; return }
    const body = JSON.stringify({
      name: form.elements.name.value,
      description: form.elements.description.value,
      admission: form.elements.admission.value,
      read: form.elements.read.value,
      cofounders: form.elements.cofounders.value.split(/\s+/).filter(Boolean),
    })
    try {
      const url = location.href.split('#')[0]
      const auth = await signer.sign({
        kind: 27235,
        tags: [['u', url], ['method', 'POST'], ['payload', await sha256Hex(body)]],
        content: '',
      })
      const header = `Nostr ${btoa(unescape(encodeURIComponent(JSON.stringify(auth))))}`
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: header }, body })
      const answer = await res.json().catch(() => ({}))
      if (!res.ok) { error.textContent = answer.error || 'The relay did not accept the founding.'; return }
      say('Founded. Welcome to your community.')
      location.href = '/welcome?as=founder'
    } catch (err) {
      error.textContent = err.message || String(err)
    }
  })
}
