//! A deterministic, realistic corpus: the same seed gives the same authors, hashtags and popular
//! targets, so a query run can ask for what a preload stored.

use nips::{Event, Keys, Tag};
use rand::Rng;
use sha2::{Digest, Sha256};

/// Authors, hashtags and popular notes derived from a seed.
pub struct Corpus {
    pub authors: Vec<Keys>,
    pub hashtags: Vec<String>,
    /// Ids of "popular" notes that replies, reactions and reposts point at.
    pub targets: Vec<String>,
}

fn derive(seed: u64, what: &str, i: u64) -> [u8; 32] {
    Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(what.as_bytes())
        .chain_update(i.to_le_bytes())
        .finalize()
        .into()
}

impl Corpus {
    /// `authors` keys, 1,000 hashtags and 1,000 popular targets from `seed`.
    pub fn new(seed: u64, authors: usize) -> Self {
        let authors = (0..authors as u64)
            .map(|i| {
                let mut n = 0;
                loop {
                    if let Ok(k) = Keys::from_secret_bytes(&derive(seed, "author", i * 1_000 + n)) {
                        return k;
                    }
                    n += 1;
                }
            })
            .collect();
        Self {
            authors,
            hashtags: (0..1_000).map(|i| format!("topic{i}")).collect(),
            targets: (0..1_000)
                .map(|i| hex(&derive(seed, "target", i)))
                .collect(),
        }
    }

    /// A random event dated `created_at`, in a mix like a social feed: notes (some replies,
    /// with hashtags and mentions), reactions, reposts, profiles and long-form articles.
    pub fn event(&self, rng: &mut impl Rng, created_at: u64) -> Event {
        let author = &self.authors[rng.random_range(0..self.authors.len())];
        let other = self.authors[rng.random_range(0..self.authors.len())]
            .pubkey()
            .to_hex();
        let target = &self.targets[rng.random_range(0..self.targets.len())];
        let tag = |v: &[&str]| -> Tag { v.iter().map(|s| s.to_string()).collect() };
        let roll = rng.random_range(0..100);
        let (kind, tags, content) = match roll {
            0..55 => {
                let mut tags = vec![tag(&[
                    "t",
                    &self.hashtags[rng.random_range(0..self.hashtags.len())],
                ])];
                if roll < 20 {
                    tags.push(tag(&["e", target, "", "reply"]));
                    tags.push(tag(&["p", &other]));
                }
                (1, tags, text(rng, 40..280))
            }
            55..80 => (
                7,
                vec![tag(&["e", target]), tag(&["p", &other]), tag(&["k", "1"])],
                "+".to_string(),
            ),
            80..85 => (
                6,
                vec![
                    tag(&["e", target, "wss://relay.example"]),
                    tag(&["p", &other]),
                ],
                String::new(),
            ),
            85..92 => (
                0,
                vec![],
                format!(
                    "{{\"name\":\"{}\",\"about\":\"{}\"}}",
                    hex(&derive(0, "n", roll)),
                    text(rng, 20..80)
                ),
            ),
            _ => {
                let slug = format!("article-{}", rng.random_range(0..20));
                let t = &self.hashtags[rng.random_range(0..self.hashtags.len())];
                (
                    30023,
                    vec![tag(&["d", &slug]), tag(&["title", &slug]), tag(&["t", t])],
                    text(rng, 500..2_000),
                )
            }
        };
        author.sign(created_at, kind, tags, content)
    }
}

/// Words in use: the community's own first (the most frequent), then made-up words, drawn
/// with Zipf's law (the n-th most frequent word appears about 1/n as often as the first), as
/// in real text: so searches for common words match much, rare words little.
pub const VOCABULARY: usize = 5_000;

const COMMON: &[&str] = &[
    "the",
    "we",
    "today",
    "community",
    "nostr",
    "relay",
    "garden",
    "met",
    "river",
    "bread",
    "music",
    "vote",
    "share",
    "local",
    "market",
];

/// The word of frequency rank `rank` (0: the most frequent).
pub fn word(rank: usize) -> String {
    if let Some(w) = COMMON.get(rank) {
        return (*w).to_string();
    }
    const ONSETS: &[&str] = &[
        "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u"];
    let mut n = rank;
    let mut out = String::new();
    for _ in 0..3 {
        out.push_str(ONSETS[n % ONSETS.len()]);
        n /= ONSETS.len();
        out.push_str(VOWELS[n % VOWELS.len()]);
        n /= VOWELS.len();
    }
    out
}

/// Cumulative Zipf weights of the vocabulary's ranks.
fn zipf() -> &'static [f64] {
    static CUMULATIVE: std::sync::LazyLock<Vec<f64>> = std::sync::LazyLock::new(|| {
        let mut total = 0.0;
        (0..VOCABULARY)
            .map(|r| {
                total += 1.0 / (r + 1) as f64;
                total
            })
            .collect()
    });
    &CUMULATIVE
}

/// A random rank, by Zipf's law.
fn rank(rng: &mut impl Rng) -> usize {
    let c = zipf();
    let x = rng.random::<f64>() * c[c.len() - 1];
    c.partition_point(|&w| w < x).min(c.len() - 1)
}

fn text(rng: &mut impl Rng, len: std::ops::Range<usize>) -> String {
    let target = rng.random_range(len);
    let mut s = String::with_capacity(target + 16);
    while s.len() < target {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&word(rank(rng)));
    }
    s
}

fn hex(bytes: &[u8]) -> String {
    nips::hex::encode(bytes)
}
