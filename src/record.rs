//! Records: one customer or prospect, its values in schema slots, ready to evaluate.

use serde::Serialize;

use crate::check::Value;

/// What identifies a record in the output.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordId {
    /// The key field's text, as read (`"007"` stays `"007"`).
    Text(String),
    /// The key field's number.
    Number(f64),
    /// The record's 1-based position in its input (no key, or the key is missing).
    Position(u64),
}

impl Serialize for RecordId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RecordId::Text(t) => s.serialize_str(t),
            RecordId::Number(n) => crate::io::Num(*n).serialize(s),
            RecordId::Position(p) => s.serialize_u64(*p),
        }
    }
}

/// A problem with one field of one record: it makes the record invalid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// The field's name; `None` for a problem with the whole record (e.g. bad JSON).
    pub field: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// One input record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Its id.
    pub id: RecordId,
    /// Values by field slot; `None` is missing.
    pub values: Vec<Option<Value>>,
    /// Why the record is invalid; empty for a valid record.
    pub errors: Vec<FieldError>,
    /// Where it starts in its input file (1-based line), when known.
    pub line: Option<u64>,
}

impl Record {
    /// An empty record of `fields` slots, all missing.
    pub fn empty(fields: usize, position: u64) -> Record {
        Record {
            id: RecordId::Position(position),
            // Not `vec![None; fields]`: that clones the `None` slot by slot.
            values: std::iter::repeat_with(|| None).take(fields).collect(),
            errors: Vec::new(),
            line: None,
        }
    }

    /// Whether the record had problems and will be decided `invalid`.
    pub fn is_invalid(&self) -> bool {
        !self.errors.is_empty()
    }
}
