//! CSV rows as read, not yet turned into records, a batch at a time: every cell of
//! every row back to back in one buffer. A batch is read on one thread and its rows
//! are turned into records on others; one buffer per batch (instead of one per row)
//! streams through the caches, and a batch's buffers, once it is dropped, are read
//! into again.

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
    cells: RowBuffer,
    spans: Vec<RowSpan>,
}

/// Where one row stands in a batch, and where it stood in its input.
#[derive(Debug, Clone)]
pub(super) struct RowSpan {
    bytes: Range<usize>,
    cells: Range<usize>,
    /// 1-based position among the input's records.
    position: u64,
    line: Option<u64>,
}

impl CsvRows {
    /// An empty batch of rows read by `columns`, with room for `rows` rows (up to a
    /// bound: the buffers grow past it if need be). The buffers of a batch dropped
    /// earlier are used again when there are some.
    pub(super) fn new(columns: Arc<CsvColumns>, rows: usize) -> CsvRows {
        let (cells, spans) = columns.take_spare().unwrap_or_else(|| {
            let rows = rows.min(4096);
            // Room for every cell of ordinary rows; a header of thousands of columns
            // gets no more than this up front (the buffers grow if need be).
            let ends = (rows * columns.columns().len()).min(1 << 18);
            (
                RowBuffer::with_room(rows * 128, ends),
                Vec::with_capacity(rows),
            )
        });
        CsvRows {
            columns,
            cells,
            spans,
        }
    }

    /// Where the next row is read into (see [`RowBuffer`]).
    pub(super) fn buffer(&mut self) -> &mut RowBuffer {
        &mut self.cells
    }

    /// Keeps the row of `size` just read into the buffer's room: read at `line`,
    /// the `position`th record of its input.
    pub(super) fn hold(&mut self, size: RowSize, position: u64, line: Option<u64>) {
        let (bytes, cells) = self.cells.hold(size);
        self.spans.push(RowSpan {
            bytes,
            cells,
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

    /// Bytes held: the cells and where each ends (a row of many empty cells holds
    /// no cell bytes, but 8 bytes per cell end).
    pub(super) fn byte_len(&self) -> usize {
        self.cells.held.bytes + self.cells.held.ends * std::mem::size_of::<usize>()
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
            bytes: &self.cells.bytes[span.bytes.clone()],
            ends: &self.cells.ends[span.cells.clone()],
            position: span.position,
            line: span.line,
        }
    }
}

impl Drop for CsvRows {
    /// Gives the buffers back to be read into again: batches are filled on the reader
    /// thread and dropped on another, and reusing their buffers costs less than
    /// allocating (and clearing) new ones.
    fn drop(&mut self) {
        let mut cells = std::mem::take(&mut self.cells);
        let mut spans = std::mem::take(&mut self.spans);
        cells.held = RowSize::default();
        spans.clear();
        self.columns.give_back(cells, spans);
    }
}

/// Bytes and cell ends of one row, or of several.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct RowSize {
    pub(super) bytes: usize,
    pub(super) ends: usize,
}

/// What rows are read into: every row back to back, and where each of its cells ends,
/// counted from the start of the row. Within a row one ASCII byte stands between two
/// cells (where the delimiter stood, when it is ASCII: a row without quotes is kept as
/// it was read), so a row that is valid UTF-8 as a whole has valid cells (see
/// [`cell_ranges`]). Both are kept initialized past what they hold, so that the CSV
/// parser writes a row straight into them.
#[derive(Debug, Default)]
pub(super) struct RowBuffer {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// What the rows held fill.
    held: RowSize,
}

impl RowBuffer {
    /// Buffers with room for `bytes` bytes and `ends` cells.
    pub(super) fn with_room(bytes: usize, ends: usize) -> RowBuffer {
        RowBuffer {
            bytes: vec![0; bytes],
            ends: vec![0; ends],
            held: RowSize::default(),
        }
    }

    /// The room after the rows held and the `partial` row being read.
    pub(super) fn room(&mut self, partial: RowSize) -> (&mut [u8], &mut [usize]) {
        let bytes = (self.held.bytes + partial.bytes).min(self.bytes.len());
        let ends = (self.held.ends + partial.ends).min(self.ends.len());
        (&mut self.bytes[bytes..], &mut self.ends[ends..])
    }

    /// Bytes of room in all.
    pub(super) fn capacity(&self) -> usize {
        self.bytes.len() + self.ends.len() * std::mem::size_of::<usize>()
    }

    /// Doubles the room for bytes.
    pub(super) fn grow_bytes(&mut self) {
        let size = (self.bytes.len() * 2).max(1 << 12);
        self.bytes.resize(size, 0);
    }

    /// Doubles the room for cell ends.
    pub(super) fn grow_ends(&mut self) {
        let size = (self.ends.len() * 2).max(64);
        self.ends.resize(size, 0);
    }

    /// Puts one byte between the cells of the row of `size` just written into the room
    /// back to back (as the CSV parser writes them); the row's new size. The byte is
    /// ASCII, so the row is valid UTF-8 only if each of its cells is.
    pub(super) fn spread_cells(&mut self, size: RowSize) -> RowSize {
        const GAP: u8 = b',';
        let Some(gaps) = size.ends.checked_sub(1).filter(|&gaps| gaps > 0) else {
            return size;
        };
        while self.bytes.len() < self.held.bytes + size.bytes + gaps {
            self.grow_bytes();
        }
        let bytes = &mut self.bytes[self.held.bytes..];
        let ends = &mut self.ends[self.held.ends..self.held.ends + size.ends];
        // From the last cell back, so that each moves into room already vacated.
        for cell in (1..size.ends).rev() {
            let (start, end) = (ends[cell - 1], ends[cell]);
            bytes.copy_within(start..end, start + cell);
            bytes[start + cell - 1] = GAP;
            ends[cell] = end + cell;
        }
        RowSize {
            bytes: size.bytes + gaps,
            ends: size.ends,
        }
    }

    /// The row of `size` just read into the room, not held.
    pub(super) fn unheld(&self, size: RowSize) -> (&[u8], &[usize]) {
        let (b, e) = (self.held.bytes, self.held.ends);
        (
            self.bytes.get(b..b + size.bytes).unwrap_or_default(),
            self.ends.get(e..e + size.ends).unwrap_or_default(),
        )
    }

    /// Holds the row of `size` just read into the room; where its bytes and cell
    /// ends stand.
    pub(super) fn hold(&mut self, size: RowSize) -> (Range<usize>, Range<usize>) {
        let (b, e) = (self.held.bytes, self.held.ends);
        self.held.bytes += size.bytes;
        self.held.ends += size.ends;
        (b..self.held.bytes, e..self.held.ends)
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
        self.bytes.get(cell_ranges(self.ends).nth(index)?)
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
        // One UTF-8 check for the whole row; cell by cell only when it fails. The byte
        // between two cells is ASCII (see `RowBuffer`), so a valid row has valid cells.
        let text = std::str::from_utf8(self.bytes).ok();
        if let Some(text) = text {
            if builder.set_slot_row(text, self.ends, columns, names) {
                return builder;
            }
        }
        for (index, range) in cell_ranges(self.ends).enumerate() {
            let cell = match text.and_then(|t| t.get(range.clone())) {
                Some(cell) => Ok(cell),
                None => std::str::from_utf8(self.bytes.get(range).unwrap_or_default()),
            };
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

/// Where each cell of a row stands among its bytes, from where the cells end: one byte
/// stands between two cells (see [`RowBuffer`]).
pub(super) fn cell_ranges(ends: &[usize]) -> impl Iterator<Item = Range<usize>> + '_ {
    let starts = std::iter::once(0).chain(ends.iter().map(|end| end + 1));
    starts.zip(ends).map(|(start, &end)| start..end)
}
