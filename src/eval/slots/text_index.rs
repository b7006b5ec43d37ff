//! An exact lookup from a text to a word, for the few texts a slot plan knows: an
//! enum's declared values and the policy's text constants.
//!
//! Reading a CSV cell looks its text up once per cell, so the lookup must cost less
//! than comparing the text with every known one. Each text is keyed by its length and
//! at most 16 of its bytes, read as two integers (see [`Key`]); the keys sit in a small
//! open-addressing table. Up to 16 bytes the key holds every byte of the text, so
//! equal keys mean equal texts and no bytes are compared; longer texts are compared in
//! full once their keys match.

/// A text's length and up to 16 of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    len: usize,
    lo: u64,
    hi: u64,
}

/// Texts up to this many bytes are wholly held in their [`Key`].
const EXACT_BYTES: usize = 16;

impl Key {
    /// `lo` and `hi` together hold every byte of a text of up to 16 bytes: of 1 to 3
    /// bytes the first, middle and last byte; of 4 to 7 the first and last four; of 8
    /// to 16 the first and last eight (overlapping where the text is shorter). Since
    /// the length is part of the key, equal keys of such texts are equal texts.
    #[inline(always)]
    fn of(b: &[u8]) -> Key {
        let len = b.len();
        let (lo, hi) = if let (Some(first), Some(last)) = (b.first_chunk(), b.last_chunk()) {
            (u64::from_le_bytes(*first), u64::from_le_bytes(*last))
        } else if let (Some(first), Some(last)) = (b.first_chunk(), b.last_chunk()) {
            let (first, last) = (u32::from_le_bytes(*first), u32::from_le_bytes(*last));
            (u64::from(first) | u64::from(last) << 32, 0)
        } else if let (Some(&first), Some(&last)) = (b.first(), b.last()) {
            let middle = b.get(len / 2).copied().unwrap_or(0);
            (
                u64::from(first) | u64::from(middle) << 8 | u64::from(last) << 16,
                0,
            )
        } else {
            (0, 0)
        };
        Key { len, lo, hi }
    }

    /// The slot a key starts probing from, in a table of `mask + 1` slots.
    #[inline(always)]
    fn slot(self, mask: usize) -> usize {
        let mixed = (self.lo ^ self.hi.rotate_left(32) ^ self.len as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // The high bits of the product depend on every bit of the input.
        (mixed >> 40) as usize & mask
    }
}

/// One known text.
#[derive(Debug, Clone)]
struct Entry {
    key: Key,
    /// The whole text, compared only when it is longer than [`EXACT_BYTES`].
    text: Box<[u8]>,
    word: u64,
}

/// Known texts and their words.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextIndex {
    /// A power of two of slots, at most half of them used (so a probe ends soon).
    slots: Box<[Option<Entry>]>,
}

impl TextIndex {
    /// An index of `texts` and their words. When a text appears twice, its first word
    /// counts (as when the texts are searched in order).
    pub(crate) fn new<'t>(texts: impl IntoIterator<Item = (&'t str, u64)>) -> TextIndex {
        let texts: Vec<(&str, u64)> = texts.into_iter().collect();
        let size = (texts.len() * 2).max(4).next_power_of_two();
        let mut slots: Vec<Option<Entry>> = vec![None; size];
        let mask = size - 1;
        for (text, word) in texts {
            let key = Key::of(text.as_bytes());
            let mut slot = key.slot(mask);
            loop {
                match &slots[slot] {
                    Some(entry) if *entry.text == *text.as_bytes() => break,
                    Some(_) => slot = (slot + 1) & mask,
                    None => {
                        slots[slot] = Some(Entry {
                            key,
                            text: text.as_bytes().into(),
                            word,
                        });
                        break;
                    }
                }
            }
        }
        TextIndex {
            slots: slots.into_boxed_slice(),
        }
    }

    /// The word of `text`, if it is one of the known texts (compared byte for byte:
    /// case and every other detail count).
    #[inline]
    pub(crate) fn get(&self, text: &[u8]) -> Option<u64> {
        if text.len() > EXACT_BYTES {
            return self.get_long(text);
        }
        // Equal keys are equal texts here: no bytes to compare.
        self.find(Key::of(text), |_| true)
    }

    /// [`TextIndex::get`] for texts longer than [`EXACT_BYTES`]: out of line, so that
    /// the usual short texts need no registers for comparing bytes.
    #[inline(never)]
    fn get_long(&self, text: &[u8]) -> Option<u64> {
        self.find(Key::of(text), |entry| *entry.text == *text)
    }

    /// The word of the entry under `key` that `same` accepts.
    #[inline(always)]
    fn find(&self, key: Key, same: impl Fn(&Entry) -> bool) -> Option<u64> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = key.slot(mask);
        // At least half of the slots are empty, so this ends.
        loop {
            let entry = self.slots.get(slot)?.as_ref()?;
            if entry.key == key && same(entry) {
                return Some(entry.word);
            }
            slot = (slot + 1) & mask;
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)] // tests may panic
mod tests {
    use super::{Key, TextIndex};

    /// The reference: the first of `texts` equal to `text`.
    fn scan(texts: &[&str], text: &str) -> Option<u64> {
        texts.iter().position(|t| *t == text).map(|i| 1 << i)
    }

    fn index(texts: &[&str]) -> TextIndex {
        TextIndex::new(texts.iter().enumerate().map(|(i, t)| (*t, 1 << i)))
    }

    #[test]
    fn finds_exactly_the_known_texts() {
        let texts = [
            "DE",
            "AT",
            "CH",
            "D",
            "DEU",
            "",
            "ü",
            "Zürich",
            "salesforce",
            "public_administration",
            "public_administratioN",
            "public_administration_",
            "0123456789abcdef",
            "0123456789abcdeg",
            "0123456789abcdefg",
        ];
        let index = index(&texts);
        let mut probes: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        for t in texts {
            probes.push(t.to_uppercase());
            probes.push(t.to_lowercase());
            probes.push(format!("{t}x"));
            probes.push(format!("x{t}"));
            probes.push(format!("{t}\0"));
            if let Some((i, c)) = t.char_indices().last() {
                probes.push(t[..i].to_string());
                probes.push(format!("{}{}", &t[..i], c.to_ascii_uppercase()));
            }
        }
        probes.extend(["De", "dE", "de", "ä", "u", "AB", "XY"].map(String::from));
        for probe in probes {
            assert_eq!(
                index.get(probe.as_bytes()),
                scan(&texts, &probe),
                "{probe:?}"
            );
        }
    }

    #[test]
    fn the_first_of_two_equal_texts_counts() {
        let index = index(&["a", "b", "a"]);
        assert_eq!(index.get(b"a"), Some(1));
        assert_eq!(index.get(b"b"), Some(2));
    }

    #[test]
    fn an_empty_index_knows_nothing() {
        let index = TextIndex::new([]);
        assert_eq!(index.get(b""), None);
        assert_eq!(index.get(b"DE"), None);
        assert_eq!(TextIndex::default().get(b"DE"), None);
    }

    #[test]
    fn keys_of_short_texts_differ_when_the_texts_do() {
        // Every text of up to 16 bytes over a small alphabet, by length: keys are
        // equal only for equal texts (what lets `get` skip comparing bytes).
        let alphabet = [b'a', b'b', 0, 0xff];
        for len in 0..=16usize {
            let mut seen = std::collections::HashMap::new();
            // Vary each position over the alphabet, one position at a time, and also
            // all texts of two positions varied (the first and last bytes matter most).
            let base = vec![b'a'; len];
            let mut texts = vec![base.clone()];
            for i in 0..len {
                for &c in &alphabet {
                    let mut t = base.clone();
                    t[i] = c;
                    texts.push(t.clone());
                    for j in 0..len {
                        for &d in &alphabet {
                            let mut u = t.clone();
                            u[j] = d;
                            texts.push(u);
                        }
                    }
                }
            }
            for t in texts {
                let key = Key::of(&t);
                if let Some(other) = seen.insert(key, t.clone()) {
                    assert_eq!(other, t, "two texts share a key");
                }
            }
        }
    }
}
