// The value of a rule change, asked for as people think of it: a choice for a setting with a
// few possible words, yes or no for a switch, a number of minutes, hours or days for a length
// of time. What the proposal carries is the relay's form of it (seconds, `true`, a word).

const SECONDS = { 60: 'minutes', 3600: 'hours', 86400: 'days' }

// A fresh control of the right element for `spec`, in place of `old`.
function control (old, tag) {
  if (old.tagName === tag) return old
  const el = document.createElement(tag.toLowerCase())
  el.id = 'value'
  el.name = 'value'
  el.required = true
  if (tag === 'INPUT') { el.type = 'text'; el.autocomplete = 'off' }
  old.replaceWith(el)
  return el
}

// The unit that shows `secs` as a whole number, largest first.
function bestUnit (secs) {
  return [86400, 3600, 60].find((u) => secs > 0 && secs % u === 0) ?? 60
}

/** Shapes the form's value control for `spec` (from the page's catalogue). */
export function shapeValue (form, spec) {
  const unit = form.elements.value_unit
  const label = document.getElementById('value-label')
  const choices = spec.type === 'bool'
    ? [['true', 'Yes'], ['false', 'No']]
    : spec.type === 'enum' ? spec.words.map((w) => [w, w]) : null
  const el = control(form.elements.value, choices ? 'SELECT' : 'INPUT')
  if (choices) {
    // A proposal changes something: the first choice that is not the value now.
    const pick = choices.find(([v]) => v !== String(spec.now))?.[0]
    el.replaceChildren(...choices.map(([v, text]) => new Option(text, v, false, v === pick)))
  } else {
    el.inputMode = ['u32', 'u64'].includes(spec.type) ? 'numeric' : 'text'
  }
  const duration = spec.unit === 'seconds'
  unit.hidden = !duration
  if (duration && !el.value) unit.value = String(bestUnit(Number(spec.now) || 0))
  const units = { characters: ' (characters)', bytes: ' (bytes)', percent: ' (percent)' }
  if (label) label.textContent = `New value${units[spec.unit] ?? ''}`
}

/** The value as the proposal carries it: a length of time in seconds. */
export function valueOf (form, spec) {
  const raw = (form.elements.value?.value ?? '').trim()
  if (spec.unit !== 'seconds') return raw
  const per = Number(form.elements.value_unit.value)
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new Error(`Give a number of ${SECONDS[per]}.`)
  return String(Math.round(Number(raw) * per))
}

/** A warning for a number far from the value now (ten times or more either way), or null. */
export function farFrom (spec, value) {
  if (!['u32', 'u64'].includes(spec.type) || spec.unit === 'time') return null
  const now = Number(spec.now)
  const next = Number(value)
  if (!(now > 0) || !Number.isFinite(next)) return null
  if (next * 10 <= now) return `That is a tenth or less of the value now (${spec.now_words}).`
  if (next >= now * 10) return `That is ten times or more the value now (${spec.now_words}).`
  return null
}

/** The events a new value would refuse, for the rules where the page can tell. */
function refuser (spec, value) {
  const n = Number(value)
  const kinds = () => value.split(',').map((k) => Number(k.trim())).filter((k) => Number.isInteger(k) && String(k) !== '')
  switch (spec.name) {
    case 'limitation.max_content_length': return (e) => [...e.content].length > n
    case 'limitation.max_event_tags': return (e) => e.tags.length > n
    case 'limitation.max_event_size': return (e) => JSON.stringify(e).length > n
    case 'kinds.blocked': { const ks = kinds(); return (e) => ks.includes(e.kind) }
    case 'kinds.allowed': { const ks = kinds(); return ks.length ? (e) => !ks.includes(e.kind) : null }
    default: return null
  }
}

/**
 * When a new value would refuse most of the last week's events here (members' own, up to
 * 500), says how many; otherwise null. The relay's own records are not judged by limits.
 */
export async function refusedLastWeek (relay, relayKey, spec, value) {
  const refuses = refuser(spec, value)
  if (!refuses) return null
  const since = Math.floor(Date.now() / 1000) - 7 * 86400
  const events = (await relay.query([{ since, limit: 500 }]).catch(() => [])).filter((e) => e.pubkey !== relayKey)
  const refused = events.filter(refuses).length
  if (events.length < 10 || refused * 2 <= events.length) return null
  return `Of the last ${events.length} events here (in the past week), ${refused} would be refused under this value.`
}
