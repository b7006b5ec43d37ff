//! Writing a record's values into slot words.

use super::{CellRead, Encoding, SlotPlan, INVALID};
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

    /// The word of a non-empty cell of field `f`, as [`SlotPlan::encode`] writes the
    /// value the cell holds; `None` when the cell is no value of the field's type, is
    /// a list of numbers, or `f` is no field: the caller then reads it the usual way
    /// (which builds the error). Numbers and bools are read by the caller's `number`
    /// and `boolean`: how they may be spelled is the input's business. Inlined, so
    /// that it runs inside the caller's loop over a row's cells.
    #[inline(always)]
    pub(crate) fn cell_word(
        &self,
        f: usize,
        cell: &[u8],
        number: impl FnOnce(&[u8]) -> Option<f64>,
        boolean: impl FnOnce(&[u8]) -> Option<bool>,
    ) -> Option<u64> {
        match self.cells.get(f)? {
            CellRead::Zero => Some(0),
            CellRead::Text => Some(self.texts.get(cell).unwrap_or(0)),
            CellRead::TextList => Some(self.list_word(cell)),
            CellRead::Number => number(cell).map(f64::to_bits),
            CellRead::Bool => boolean(cell).map(u64::from),
            CellRead::Enum(values) => values.get(cell),
            CellRead::Usual => None,
        }
    }

    /// The word of a list of texts written with `;` between items. Out of line: lists
    /// are rare among a row's cells, and inlined it measured no faster while growing
    /// the loop every cell runs in.
    #[inline(never)]
    fn list_word(&self, cell: &[u8]) -> u64 {
        // `;` is ASCII, so splitting the bytes splits the text where `str::split`
        // would, without its searcher (list items are short).
        (cell.split(|b| *b == b';')).fold(0, |word, item| word | self.texts.get(item).unwrap_or(0))
    }

    /// The one-hot bit of a text among the policy's text constants (0: none of them).
    pub(crate) fn text_bit(&self, text: &str) -> u64 {
        self.texts.get(text.as_bytes()).unwrap_or(0)
    }
}
