//! Turning input values (CSV cells, JSON values) into typed record slots by the schema.

use crate::check::{FieldType, Schema, Value};
use crate::eval::SlotPlan;
use crate::record::{FieldError, Record, RecordId};

/// Options that change how values are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// A column or key the schema lacks, holding data, makes the record invalid.
    pub strict: bool,
    /// Numbers in text are written the German way: `,` before the fraction and `.`
    /// between groups of thousands (`1.234,50`); a `.` is then never a decimal point.
    pub decimal_comma: bool,
}

/// Whether `s` is a number as the contract reads it: optional sign, digits,
/// optional fraction and exponent (`1,200`, `1_200`, `.5`, `inf`, `nan` are not).
pub fn parse_number(s: &str) -> Option<f64> {
    if let Some(n) = parse_small_integer(s.as_bytes()) {
        return Some(n);
    }
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The common case of CRM data, read without the general float parser: an optional
/// `-` and 1 to 15 digits. Such an integer is below 2^53, so it converts to `f64`
/// exactly, giving the same number as `str::parse::<f64>` would.
#[inline(always)]
fn parse_small_integer(s: &[u8]) -> Option<f64> {
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
    }
    let n = n as f64;
    Some(if negative { -n } else { n })
}

/// Reads a number written with a decimal comma: optional sign, digits (optionally in
/// groups of three joined by `.`, as in `1.234.567`), optional `,` and fraction digits.
pub fn parse_decimal_comma(s: &str) -> Option<f64> {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') | Some(b'-') => (&s[..1], &s[1..]),
        _ => ("", s),
    };
    let (int, frac) = match rest.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mut groups = int.split('.');
    let first = groups.next().unwrap_or("");
    let grouped = int.contains('.');
    if !all_digits(first) || (grouped && first.len() > 3) {
        return None;
    }
    let mut digits: String = first.to_string();
    for group in groups {
        if group.len() != 3 || !all_digits(group) {
            return None;
        }
        digits.push_str(group);
    }
    let mut text = format!("{sign}{digits}");
    if let Some(frac) = frac {
        if !all_digits(frac) {
            return None;
        }
        text.push('.');
        text.push_str(frac);
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Reads a bool: `true`/`false`, `yes`/`no` in any case, or `1`/`0`.
#[inline]
fn parse_bool(s: &[u8]) -> Option<bool> {
    // The spellings exports mostly use, each one compare of a few bytes; the rest
    // (other cases, and what is no bool) take the case-insensitive compares.
    match s {
        b"true" | b"1" => Some(true),
        b"false" | b"0" => Some(false),
        _ => parse_bool_any_case(s),
    }
}

/// [`parse_bool`] for other spellings: out of line, as few cells need it.
#[inline(never)]
fn parse_bool_any_case(s: &[u8]) -> Option<bool> {
    let is = |word: &[u8]| s.eq_ignore_ascii_case(word);
    if is(b"true") || is(b"yes") || s == b"1" {
        Some(true)
    } else if is(b"false") || is(b"no") || s == b"0" {
        Some(false)
    } else {
        None
    }
}

fn number_error(field: &str, cell: &str, options: ReadOptions) -> FieldError {
    let help = if options.decimal_comma {
        " (with --decimal-comma, write numbers like 1234,5 or 1.234,5: `,` before the fraction, `.` only between groups of three digits)"
    } else if cell.contains(',') && parse_decimal_comma(cell).is_some() {
        " (no thousands separators or decimal commas: write 1200 or 1200.5, or pass --decimal-comma if the file writes numbers like 1.234,50)"
    } else if cell.contains(',') {
        " (no thousands separators or decimal commas: write 1200 or 1200.5)"
    } else {
        " (write digits like 1200, 1200.5 or -3)"
    };
    FieldError {
        field: Some(field.to_string()),
        message: format!("`{cell}` is not a number{help}"),
    }
}

/// Reads one number cell by the options.
fn number_from_text(field: &str, cell: &str, options: ReadOptions) -> Result<f64, FieldError> {
    read_number(cell, options).ok_or_else(|| number_error(field, cell, options))
}

/// Reads one number cell by the options: `None` if it is not a number.
fn read_number(cell: &str, options: ReadOptions) -> Option<f64> {
    if options.decimal_comma {
        parse_decimal_comma(cell)
    } else {
        parse_number(cell)
    }
}

/// [`read_number`] for a cell known to be UTF-8, given as bytes.
#[inline(always)]
fn read_number_bytes(cell: &[u8], options: ReadOptions) -> Option<f64> {
    // `parse_number` tries this first too; inlined here, the common integer cell of
    // the slot path costs no call.
    match parse_small_integer(cell) {
        Some(n) if !options.decimal_comma => Some(n),
        _ => read_number_text(cell, options),
    }
}

#[inline(never)]
fn read_number_text(cell: &[u8], options: ReadOptions) -> Option<f64> {
    read_number(std::str::from_utf8(cell).ok()?, options)
}

/// Reads one text cell (already known to be non-empty) as a field's type.
pub fn value_from_text(schema: &Schema, id: usize, cell: &str) -> Result<Value, FieldError> {
    value_from_text_with(schema, id, cell, ReadOptions::default())
}

/// Reads one text cell (already known to be non-empty) as a field's type, by `options`
/// (`decimal_comma` changes how numbers are read).
pub fn value_from_text_with(
    schema: &Schema,
    id: usize,
    cell: &str,
    options: ReadOptions,
) -> Result<Value, FieldError> {
    let field = &schema.fields[id];
    let name = field.name.as_str();
    match &field.ty {
        FieldType::Text => Ok(Value::Text(cell.to_string())),
        FieldType::Number => number_from_text(name, cell, options).map(Value::Number),
        FieldType::Bool => parse_bool(cell.as_bytes())
            .map(Value::Bool)
            .ok_or_else(|| FieldError {
                field: Some(name.to_string()),
                message: format!("`{cell}` is not a bool (write true/false, yes/no or 1/0)"),
            }),
        FieldType::Enum(values) => {
            if let Some(v) = values.iter().find(|v| schema.enum_name(**v) == cell) {
                return Ok(Value::Enum(*v));
            }
            let names: Vec<&str> = values.iter().map(|v| schema.enum_name(*v)).collect();
            let message = match names.iter().find(|n| n.eq_ignore_ascii_case(cell)) {
                Some(exact) => format!(
                    "`{cell}` is not a value of `{name}`: values are case-sensitive, write `{exact}`"
                ),
                None => format!(
                    "`{cell}` is not a value of `{name}` (one of: {})",
                    names.join(", ")
                ),
            };
            Err(FieldError {
                field: Some(name.to_string()),
                message,
            })
        }
        FieldType::TextList => Ok(Value::TextList(
            cell.split(';').map(str::to_string).collect(),
        )),
        FieldType::NumberList => cell
            .split(';')
            .map(|part| number_from_text(name, part, options))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::NumberList),
    }
}

/// Writes field `id`'s word and marks the field present (a slot plan exists only for
/// schemas of at most 63 fields, so `words` has room for any field).
#[inline(always)]
fn set_word(words: &mut [u64], id: usize, word: u64) {
    if let [present, fields @ ..] = words {
        if let Some(w) = fields.get_mut(id) {
            *w = word;
            *present |= 1 << id;
        }
    }
}

/// Builds records field by field, then checks required fields and sets the id.
pub struct RecordBuilder<'s> {
    schema: &'s Schema,
    record: Record,
    raw_key: Option<String>,
    options: ReadOptions,
    /// When set, values go into typed-slot words, not into `record.values`.
    slots: Option<(&'s SlotPlan, Vec<u64>)>,
}

impl<'s> RecordBuilder<'s> {
    /// A new record at `position` (1-based) in its input.
    pub fn new(schema: &'s Schema, position: u64, line: Option<u64>) -> RecordBuilder<'s> {
        let mut record = Record::empty(schema.fields.len(), position);
        record.line = line;
        RecordBuilder {
            schema,
            record,
            raw_key: None,
            options: ReadOptions::default(),
            slots: None,
        }
    }

    /// A new record whose values are written as typed-slot words of `plan` into
    /// `words` (cleared first, so that a caller can hand the same buffer back each
    /// time); the record keeps only its id, errors and line. See
    /// [`RecordBuilder::finish_slots`]. `plan` must be compiled from the policy
    /// `schema` belongs to: it knows how that schema's fields are read.
    pub fn with_slots(
        schema: &'s Schema,
        plan: &'s SlotPlan,
        mut words: Vec<u64>,
        position: u64,
        line: Option<u64>,
    ) -> RecordBuilder<'s> {
        words.clear();
        words.resize(plan.words_per_record(), 0);
        RecordBuilder {
            schema,
            record: Record {
                id: RecordId::Position(position),
                values: Vec::new(),
                errors: Vec::new(),
                line,
            },
            raw_key: None,
            options: ReadOptions::default(),
            slots: Some((plan, words)),
        }
    }

    /// Reads values by `options` (`decimal_comma` changes how numbers are read).
    pub fn with_options(mut self, options: ReadOptions) -> RecordBuilder<'s> {
        self.options = options;
        self
    }

    /// Records an error for the whole record.
    pub fn record_error(&mut self, message: String) {
        self.record.errors.push(FieldError {
            field: None,
            message,
        });
    }

    /// Records an error for one field.
    pub fn field_error(&mut self, field: &str, message: String) {
        self.record.errors.push(FieldError {
            field: Some(field.to_string()),
            message,
        });
    }

    /// Records an error for a column or key the schema lacks (under `--strict`).
    pub fn unknown_field(&mut self, name: &str) {
        self.record.errors.push(FieldError {
            field: Some(name.to_string()),
            message: format!(
                "`{name}` is not a field of the record schema (rejected under --strict)"
            ),
        });
    }

    /// Sets only the id from a key cell (for rows whose other cells cannot be read).
    /// Out of line: once a row, and it keeps the allocation out of
    /// [`RecordBuilder::set_text`], which runs for every cell.
    #[inline(never)]
    pub fn set_key(&mut self, cell: &str) {
        self.raw_key = Some(cell.to_string());
    }

    /// Sets a field from a text cell; an empty cell is missing.
    // Inline: it runs once per cell, and inside the caller's loop over the cells it
    // needs no registers of its own saved and restored each time.
    #[inline(always)]
    pub fn set_text(&mut self, id: usize, cell: &str) {
        if Some(id) == self.schema.key {
            self.set_key(cell);
        }
        if cell.is_empty() {
            return;
        }
        if let Some((plan, words)) = &mut self.slots {
            let options = self.options;
            match plan.cell_word(
                id,
                cell.as_bytes(),
                |c| read_number_bytes(c, options),
                parse_bool,
            ) {
                Some(word) => set_word(words, id, word),
                None => self.set_word_the_usual_way(id, cell),
            }
            return;
        }
        self.set_value_text(id, cell);
    }

    /// Reads every cell of a row into slot words: `text` is the whole row, valid UTF-8,
    /// its cells ending at `ends` with one byte between them, in the order of
    /// `columns` (the field of each, if any) and `names`. The same as
    /// [`RecordBuilder::set_text`] for each cell, in one loop: a row of slots is read
    /// without going through `self.slots` for every cell. `false` (nothing read) when
    /// the builder has no slots.
    pub(super) fn set_slot_row(
        &mut self,
        text: &str,
        ends: &[usize],
        columns: &[Option<usize>],
        names: &[String],
    ) -> bool {
        let Some((plan, mut words)) = self.slots.take() else {
            return false;
        };
        let (options, key) = (self.options, self.schema.key);
        // Cells are read as bytes (each is valid UTF-8, as the row is), and made text
        // only where text is needed: the key, and cells read the usual way.
        let row = text.as_bytes();
        let mut start = 0;
        for (index, (&end, &column)) in ends.iter().zip(columns).enumerate() {
            let range = start..end;
            start = end + 1;
            let cell = row.get(range.clone()).unwrap_or_default();
            let Some(id) = column else {
                if options.strict && !cell.is_empty() {
                    self.unknown_field(&names[index]);
                }
                continue;
            };
            if Some(id) == key {
                self.set_key(text.get(range.clone()).unwrap_or_default());
            }
            if cell.is_empty() {
                continue;
            }
            match plan.cell_word(id, cell, |c| read_number_bytes(c, options), parse_bool) {
                Some(word) => set_word(&mut words, id, word),
                None => {
                    if self.read_the_usual_way(id, text.get(range).unwrap_or_default()) {
                        set_word(&mut words, id, 0);
                    }
                }
            }
        }
        self.slots = Some((plan, words));
        true
    }

    /// A cell the slot plan gives no word for, read into a value: `true` when it is a
    /// value (its word is then 0: see [`RecordBuilder::set_word_the_usual_way`]), or
    /// its error is recorded.
    #[cold]
    #[inline(never)]
    fn read_the_usual_way(&mut self, id: usize, cell: &str) -> bool {
        match value_from_text_with(self.schema, id, cell, self.options) {
            Ok(_) => true,
            Err(e) => {
                self.record.errors.push(e);
                false
            }
        }
    }

    /// A cell the slot plan gives no word for: one that is no value of its field's
    /// type (the error comes from [`value_from_text_with`], as without slots), or a
    /// list of numbers (no slot test reads its word). Out of line, so that the
    /// common path stays small.
    #[cold]
    #[inline(never)]
    fn set_word_the_usual_way(&mut self, id: usize, cell: &str) {
        match value_from_text_with(self.schema, id, cell, self.options) {
            Ok(_) => {
                if let Some((_, words)) = &mut self.slots {
                    set_word(words, id, 0);
                }
            }
            Err(e) => self.record.errors.push(e),
        }
    }

    /// [`RecordBuilder::set_text`] into a value: out of line, so that the slot path
    /// stays small.
    #[inline(never)]
    fn set_value_text(&mut self, id: usize, cell: &str) {
        match value_from_text_with(self.schema, id, cell, self.options) {
            Ok(v) => self.record.values[id] = Some(v),
            Err(e) => self.record.errors.push(e),
        }
    }

    /// Sets a field from a JSON value; `null` and `""` are missing.
    pub fn set_json(&mut self, id: usize, value: &serde_json::Value) {
        use serde_json::Value as J;
        let field = &self.schema.fields[id];
        let name = field.name.clone();
        let wrong = |expected: &str| FieldError {
            field: Some(name.clone()),
            message: format!("expected {expected}, found {}", describe_json(value)),
        };
        if Some(id) == self.schema.key {
            match value {
                J::String(s) if !s.is_empty() => self.raw_key = Some(s.clone()),
                J::Number(n) => self.raw_key = Some(n.to_string()),
                _ => {}
            }
        }
        let result = match (value, &field.ty) {
            (J::Null, _) => return,
            (J::String(s), _) if s.is_empty() => return,
            (J::String(s), FieldType::Number) => {
                value_from_text_with(self.schema, id, s, self.options)
            }
            (J::Number(n), FieldType::Number) => match n.as_f64().filter(|f| f.is_finite()) {
                Some(f) => Ok(Value::Number(f)),
                None => Err(wrong("a finite number")),
            },
            (J::Bool(b), FieldType::Bool) => Ok(Value::Bool(*b)),
            (J::String(s), FieldType::Text) => Ok(Value::Text(s.clone())),
            (J::String(s), FieldType::Enum(_)) => value_from_text(self.schema, id, s),
            (J::Array(items), FieldType::TextList) => items
                .iter()
                .map(|i| match i {
                    J::String(s) => Ok(s.clone()),
                    _ => Err(wrong("a list of strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::TextList),
            (J::Array(items), FieldType::NumberList) => items
                .iter()
                .map(|i| match i {
                    J::Number(n) => n
                        .as_f64()
                        .filter(|f| f.is_finite())
                        .ok_or_else(|| wrong("a list of numbers")),
                    J::String(s) => number_from_text(&name, s, self.options),
                    _ => Err(wrong("a list of numbers")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::NumberList),
            (_, ty) => Err(wrong(match ty {
                FieldType::Text => "a string",
                FieldType::Number => "a number",
                FieldType::Bool => "true or false",
                FieldType::Enum(_) => "a string holding one of the field's values",
                FieldType::TextList => "a list of strings",
                FieldType::NumberList => "a list of numbers",
            })),
        };
        match result {
            Ok(v) => self.store(id, v),
            Err(e) => self.record.errors.push(e),
        }
    }

    fn store(&mut self, id: usize, value: Value) {
        match &mut self.slots {
            Some((plan, words)) => {
                if let Some(w) = words.get_mut(1 + id) {
                    *w = plan.value_word(id, &value);
                    words[0] |= 1 << id;
                }
            }
            None => self.record.values[id] = Some(value),
        }
    }

    fn is_present(&self, id: usize) -> bool {
        match &self.slots {
            Some((_, words)) => id < 63 && words.first().is_some_and(|p| (p >> id) & 1 != 0),
            None => self.record.values.get(id).is_some_and(Option::is_some),
        }
    }

    /// The key's number, when the key field is a number and present.
    fn key_number(&self, key: usize) -> Option<f64> {
        if self.schema.fields.get(key)?.ty != FieldType::Number || !self.is_present(key) {
            return None;
        }
        match &self.slots {
            Some((_, words)) => words.get(1 + key).map(|w| f64::from_bits(*w)),
            None => match self.record.values.get(key) {
                Some(Some(Value::Number(n))) => Some(*n),
                _ => None,
            },
        }
    }

    /// Like [`RecordBuilder::finish`], for a builder made by
    /// [`RecordBuilder::with_slots`]: the record (id, errors, line; no values) and its
    /// words, marked invalid when the record is.
    pub fn finish_slots(mut self) -> (Record, Vec<u64>) {
        self.check();
        let mut words = self
            .slots
            .take()
            .map(|(_, words)| words)
            .unwrap_or_default();
        if self.record.is_invalid() {
            // As `SlotPlan::encode` writes an invalid record: no values, one flag.
            words.fill(0);
            if let Some(present) = words.first_mut() {
                *present = crate::eval::SLOT_INVALID;
            }
        }
        (self.record, words)
    }

    /// Checks required fields, sets the id and returns the record.
    pub fn finish(mut self) -> Record {
        self.check();
        self.record
    }

    /// Checks required fields and sets the id.
    fn check(&mut self) {
        // In slot form, the usual case (every required field present) is one test.
        let complete = match &self.slots {
            Some((plan, words)) => words
                .first()
                .is_some_and(|p| p & plan.required_fields() == plan.required_fields()),
            None => false,
        };
        // The usual row (complete, nothing wrong) has no errors to add or sort.
        if !complete || !self.record.errors.is_empty() {
            self.check_fields(complete);
        }
        if let (Some(key), Some(raw)) = (self.schema.key, self.raw_key.take()) {
            if !raw.is_empty() {
                self.record.id = match self.key_number(key) {
                    Some(n) => RecordId::Number(n),
                    None => RecordId::Text(raw),
                };
            }
        }
    }

    /// Adds an error for each required field that is missing (unless the record is
    /// `complete`, or could not be read at all), then sorts the errors.
    #[inline(never)]
    fn check_fields(&mut self, complete: bool) {
        // A record that could not be read at all gets its one error, not one per field.
        let unreadable = self.record.errors.iter().any(|e| e.field.is_none());
        for (id, field) in self.schema.fields.iter().enumerate() {
            if unreadable || complete {
                break;
            }
            let errored = self
                .record
                .errors
                .iter()
                .any(|e| e.field.as_deref() == Some(field.name.as_str()));
            if !field.optional && !self.is_present(id) && !errored {
                self.record.errors.push(FieldError {
                    field: Some(field.name.clone()),
                    message: format!("required field `{}` is missing or empty", field.name),
                });
            }
        }
        // Errors in schema order, whatever the column order was.
        let index = |e: &FieldError| {
            e.field
                .as_deref()
                .and_then(|f| self.schema.field_id(f))
                .unwrap_or(usize::MAX)
        };
        self.record.errors.sort_by_key(index);
    }
}

fn describe_json(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::Null => "null".to_string(),
        J::Bool(b) => format!("`{b}`"),
        J::Number(n) => format!("the number `{n}`"),
        J::String(s) => format!("the string `{s}`"),
        J::Array(_) => "a list".to_string(),
        J::Object(_) => "an object".to_string(),
    }
}

/// Builds a record from a JSON object (the library's entry point for JSON).
pub fn record_from_json(
    schema: &Schema,
    value: &serde_json::Value,
    position: u64,
    line: Option<u64>,
    options: ReadOptions,
) -> Record {
    let mut builder = RecordBuilder::new(schema, position, line).with_options(options);
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match schema.field_id(key) {
                    Some(id) => builder.set_json(id, v),
                    None => {
                        let holds_data =
                            !matches!(v, serde_json::Value::Null) && v.as_str() != Some("");
                        if options.strict && holds_data {
                            builder.unknown_field(key);
                        }
                    }
                }
            }
        }
        other => builder.record_error(format!(
            "a record must be a JSON object, found {}",
            describe_json(other)
        )),
    }
    builder.finish()
}

#[cfg(test)]
#[allow(clippy::expect_used)] // tests may panic
mod tests {
    use super::{parse_bool, parse_number};

    #[test]
    fn integers_read_fast_are_the_numbers_the_float_parser_reads() {
        let cases = [
            "0",
            "-0",
            "007",
            "1200",
            "-3",
            "999999999999999",
            "-999999999999999",
            "9999999999999999",
            "123456789012345678901234567890",
            "+5",
            "1e3",
            "12.50",
        ];
        for case in cases {
            let expected: f64 = case.parse().expect("a valid number");
            let got = parse_number(case).expect("read as a number");
            assert_eq!(got.to_bits(), expected.to_bits(), "{case}");
        }
        for bad in ["", "-", "1_200", "1,200", "12a", "--1", " 1"] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn bools_read_in_any_case() {
        for (cell, value) in [
            ("true", Some(true)),
            ("TRUE", Some(true)),
            ("tRuE", Some(true)),
            ("yes", Some(true)),
            ("Yes", Some(true)),
            ("1", Some(true)),
            ("false", Some(false)),
            ("False", Some(false)),
            ("no", Some(false)),
            ("NO", Some(false)),
            ("0", Some(false)),
            ("nope", None),
            ("y", None),
            ("01", None),
            ("truee", None),
            ("tru", None),
            ("", None),
            (" true", None),
            ("true ", None),
            ("ja", None),
        ] {
            assert_eq!(parse_bool(cell.as_bytes()), value, "{cell}");
        }
    }
}
