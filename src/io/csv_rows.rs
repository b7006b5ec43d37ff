//! CSV rows as read, not yet turned into records, a batch at a time: every cell of
//! every row back to back in one buffer. A batch is read on one thread and its rows
//! are turned into records on others; one buffer per batch (instead of one per row)
//! streams through the caches and is allocated and freed once.

use std::ops::Range;
use std::sync::Arc;

use super::convert::RecordBuilder;
use super::csv_in::CsvColumns;
use crate::check::Schema;
use crate::eval::SlotPlan;
use crate::record::Record;

/// CSV rows as read, in input order, not yet read by the schema.
#[derive(Debug)]
pub struct CsvRows {
    columns: Arc<CsvColumns>,
    /// Every cell of every row, back to back.
    bytes: Vec<u8>,
    /// Where each cell ends, counted from the start of its row.
    ends: Vec<usize>,
    spans: Vec<RowSpan>,
}

/// Where one row stands in a batch, and where it stood in its input.
#[derive(Debug, Clone)]
struct RowSpan {
    bytes: Range<usize>,
    cells: Range<usize>,
    /// 1-based position among the input's records.
    position: u64,
    line: Option<u64>,
}

impl CsvRows {
    /// An empty batch of rows read by `columns`, with room for `rows` rows (up to a
    /// bound: the buffers grow past it if need be).
    pub(super) fn new(columns: Arc<CsvColumns>, rows: usize) -> CsvRows {
        let rows = rows.min(4096);
        let cells = rows * columns.columns().len();
        CsvRows {
            columns,
            bytes: Vec::with_capacity(rows * 128),
            ends: Vec::with_capacity(cells),
            spans: Vec::with_capacity(rows),
        }
    }

    /// Adds a row read at `line`, the `position`th record of its input.
    pub(super) fn push(&mut self, row: &csv::ByteRecord, position: u64, line: Option<u64>) {
        let (bytes_start, cells_start) = (self.bytes.len(), self.ends.len());
        self.bytes.extend_from_slice(row.as_slice());
        self.ends.extend(row.iter().scan(0, |end, cell| {
            *end += cell.len();
            Some(*end)
        }));
        self.spans.push(RowSpan {
            bytes: bytes_start..self.bytes.len(),
            cells: cells_start..self.ends.len(),
            position,
            line,
        });
    }

    /// Rows in the batch.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the batch holds no row.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes of cells held.
    pub(super) fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// The rows, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = CsvRow<'_>> {
        self.spans.iter().map(|span| self.row(span))
    }

    /// The rows in runs of `size` (the last may be shorter), to be read in parallel.
    pub fn chunks(&self, size: usize) -> impl Iterator<Item = Vec<CsvRow<'_>>> {
        self.spans
            .chunks(size.max(1))
            .map(|spans| spans.iter().map(|span| self.row(span)).collect())
    }

    fn row(&self, span: &RowSpan) -> CsvRow<'_> {
        CsvRow {
            columns: &self.columns,
            bytes: &self.bytes[span.bytes.clone()],
            ends: &self.ends[span.cells.clone()],
            position: span.position,
            line: span.line,
        }
    }
}

/// One CSV row as read, not yet turned into a record (that can happen on another
/// thread: see [`crate::run`]).
#[derive(Debug, Clone, Copy)]
pub struct CsvRow<'a> {
    columns: &'a CsvColumns,
    bytes: &'a [u8],
    ends: &'a [usize],
    position: u64,
    line: Option<u64>,
}

impl CsvRow<'_> {
    /// The record this row holds, read by the schema.
    pub fn to_record(&self, schema: &Schema) -> Record {
        let builder = RecordBuilder::new(schema, self.position, self.line);
        self.read(schema, builder).finish()
    }

    /// The record this row holds, its values written straight into typed-slot words
    /// of `plan` (in `words`, reused); the record keeps its id, errors and line only.
    pub fn to_slots(
        &self,
        schema: &Schema,
        plan: &SlotPlan,
        words: Vec<u64>,
    ) -> (Record, Vec<u64>) {
        let builder = RecordBuilder::with_slots(schema, plan, words, self.position, self.line);
        self.read(schema, builder).finish_slots()
    }

    /// Cell `index`'s bytes.
    fn cell(&self, index: usize) -> Option<&[u8]> {
        let start = match index {
            0 => 0,
            _ => *self.ends.get(index - 1)?,
        };
        self.bytes.get(start..*self.ends.get(index)?)
    }

    /// Reads every cell into `builder`.
    fn read<'s>(&self, schema: &Schema, builder: RecordBuilder<'s>) -> RecordBuilder<'s> {
        let table = self.columns;
        let (columns, names) = (table.columns(), table.names());
        let mut builder = builder.with_options(table.read_options());
        if self.ends.len() != columns.len() {
            // Keep the record's id even when its cells do not line up.
            if let Some(key) = schema.key {
                if let Some(i) = columns.iter().position(|c| *c == Some(key)) {
                    if let Some(cell) = self.cell(i).and_then(|c| std::str::from_utf8(c).ok()) {
                        builder.set_key(cell);
                    }
                }
            }
            builder.record_error(format!(
                "line {} has {} cells, the header has {}",
                self.line.unwrap_or(0),
                self.ends.len(),
                columns.len()
            ));
            return builder;
        }
        // One UTF-8 check for the whole row; cell by cell only when it fails, or when
        // a cell boundary splits a character (both cells are then not UTF-8).
        let text = std::str::from_utf8(self.bytes).ok();
        let mut start = 0;
        for (index, &end) in self.ends.iter().enumerate() {
            let cell = match text.and_then(|t| t.get(start..end)) {
                Some(cell) => Ok(cell),
                None => std::str::from_utf8(&self.bytes[start..end]),
            };
            start = end;
            let Ok(cell) = cell else {
                // The error names the field, as for any other bad cell; the other
                // cells are still read.
                let message = format!(
                    "column `{}` is not valid UTF-8; save the file as UTF-8",
                    names[index]
                );
                match columns[index] {
                    Some(_) => builder.field_error(&names[index], message),
                    None if table.read_options().strict => builder.unknown_field(&names[index]),
                    None => {}
                }
                continue;
            };
            match columns[index] {
                Some(id) => builder.set_text(id, cell),
                None if table.read_options().strict && !cell.is_empty() => {
                    builder.unknown_field(&names[index])
                }
                None => {}
            }
        }
        builder
    }
}
