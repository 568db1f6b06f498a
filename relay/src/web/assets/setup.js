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
      cofounder_links: Number(form.elements.cofounder_links.value || 0),
      link_days: Number(form.elements.link_days.value || 7),
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
      if (answer.cofounder_codes?.length) { showLinks(form, answer); return }
      location.href = '/welcome?as=founder'
    } catch (err) {
      error.textContent = err.message || String(err)
    }
  })
}

// After a founding with co-founder links: the links to send, each one a join link.
function showLinks (form, { cofounder_codes: codes, until }) {
  const list = document.getElementById('cofounder-links')
  for (const code of codes) {
    const item = document.createElement('li')
    const field = document.createElement('input')
    field.type = 'text'
    field.readOnly = true
    field.className = 'cofounder-link'
    field.setAttribute('aria-label', 'Co-founder link')
    field.value = `${location.origin}/join?code=${encodeURIComponent(code)}`
    item.append(field)
    list.append(item)
  }
  document.getElementById('cofounder-until').textContent =
    `They work until ${new Date(until * 1000).toLocaleString()}.`
  form.hidden = true
  document.getElementById('setup-links-made').hidden = false
}
