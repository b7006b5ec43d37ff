//! Writing a record's values into slot words.

use super::{Encoding, SlotPlan, INVALID};
use crate::check::Value;
use crate::record::Record;

impl SlotPlan {
    /// Writes `record` in slot form into `words`, which must hold
    /// [`SlotPlan::words_per_record`] words (a shorter slice is decided invalid).
    pub fn encode(&self, record: &Record, words: &mut [u64]) {
        let n = self.words_per_record();
        let Some(words) = words.get_mut(..n) else {
            if let Some(first) = words.first_mut() {
                *first = INVALID;
            }
            return;
        };
        words.fill(0);
        if record.is_invalid() {
            words[0] = INVALID;
            return;
        }
        let mut present = 0u64;
        for (f, value) in record.values.iter().enumerate().take(n - 1) {
            let Some(value) = value else { continue };
            present |= 1 << f;
            words[1 + f] = self.value_word(f, value);
        }
        words[0] = present;
    }

    /// The word of `value` in field `f`.
    pub(crate) fn value_word(&self, f: usize, value: &Value) -> u64 {
        match (self.encodings.get(f), value) {
            (Some(Encoding::Number), Value::Number(n)) => n.to_bits(),
            (Some(Encoding::Bool), Value::Bool(b)) => u64::from(*b),
            (Some(Encoding::Enum(values)), Value::Enum(id)) => {
                values.iter().position(|v| v == id).map_or(0, |i| 1 << i)
            }
            (Some(Encoding::Text), Value::Text(t)) => self.text_bit(t),
            (Some(Encoding::TextList), Value::TextList(items)) => {
                items.iter().fold(0, |word, t| word | self.text_bit(t))
            }
            _ => 0,
        }
    }

    /// The word of text (or list item) `text` in field `f`: 0 unless a test reads it.
    pub(crate) fn text_word(&self, f: usize, text: &str) -> u64 {
        match self.encodings.get(f) {
            Some(Encoding::Text | Encoding::TextList) => self.text_bit(text),
            _ => 0,
        }
    }

    /// The word of the enum value at `position` among field `f`'s declared values.
    pub(crate) fn enum_word(&self, f: usize, position: usize) -> u64 {
        match self.encodings.get(f) {
            Some(Encoding::Enum(_)) if position < 64 => 1 << position,
            _ => 0,
        }
    }

    /// The one-hot bit of a text among the policy's text constants (0: none of them).
    pub(crate) fn text_bit(&self, text: &str) -> u64 {
        self.texts
            .iter()
            .position(|t| **t == *text)
            .map_or(0, |i| 1 << i)
    }
}
