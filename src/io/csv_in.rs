//! CSV input: header row, `,` or `;` detected from the header, RFC 4180 quoting.
//!
//! The bytes pass through a [`Scanner`] on their way to the CSV reader. It follows the
//! quoting the way the reader does, to catch what the reader accepts silently: a quote
//! that never closes (the rest of the file would become one cell) and cells or rows
//! past the size limits, before they are held in memory.

use std::cell::RefCell;
use std::io::{BufRead, Read};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use super::convert::ReadOptions;
use super::csv_rows::{cell_ranges, CsvRows, RowBuffer, RowSize, RowSpan};
use super::error::InputError;
use super::read::{InputBatch, InputOptions, InputSummary};
use crate::check::Schema;

/// The largest cell, in bytes (1 MiB).
pub const MAX_CELL_BYTES: usize = 1 << 20;

/// The largest row, in bytes (4 MiB).
pub const MAX_ROW_BYTES: usize = 4 << 20;

/// Picks `;` when the header line holds more semicolons than commas (outside quotes).
pub(crate) fn detect_delimiter(header: &[u8]) -> u8 {
    let (mut commas, mut semis, mut quoted) = (0, 0, false);
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semis += 1,
            b'\n' if !quoted => break,
            _ => {}
        }
    }
    if semis > commas {
        b';'
    } else {
        b','
    }
}

/// What the scanner has seen so far.
#[derive(Debug, Default)]
struct ScanState {
    /// Inside a quoted cell.
    quoted: bool,
    /// Just after a quote inside a quoted cell (it closes the cell, or a second
    /// quote follows and both stand for one).
    after_quote: bool,
    /// The last byte of the previous read (a quote opens quoting only at the start
    /// of a cell: after a delimiter or a line end, or at the start of the input).
    previous: Option<u8>,
    /// 1-based line of the current byte.
    line: u64,
    /// Bytes passed so far.
    offset: u64,
    /// Where the open quote stands: its byte offset and line.
    open_quote: (u64, u64),
    /// Bytes of the current cell (from the delimiter before it), and of the row.
    cell: usize,
    row: usize,
    /// The end of the input was reached.
    eof: bool,
    /// A limit was passed: the line where the cell or row began, and what.
    overflow: Option<(u64, String)>,
    /// Line where the current row began.
    row_line: u64,
}

/// Notes the first cell or row past its size limit.
#[inline(always)]
fn check_limits(st: &mut ScanState) {
    if st.overflow.is_some() || (st.cell <= MAX_CELL_BYTES && st.row <= MAX_ROW_BYTES) {
        return;
    }
    let message = if st.quoted {
        format!(
            "the quoted cell opened on line {} runs past 1 MiB; is its closing quote missing?",
            st.open_quote.1
        )
    } else if st.cell > MAX_CELL_BYTES {
        "a cell is larger than 1 MiB (the limit)".to_string()
    } else {
        "a row is larger than 4 MiB (the limit)".to_string()
    };
    let line = if st.quoted {
        st.open_quote.1
    } else {
        st.row_line
    };
    st.overflow = Some((line, message));
}

/// Passes bytes through to the CSV reader while following the quoting.
struct Scanner {
    inner: Box<dyn BufRead>,
    delimiter: u8,
    state: Rc<RefCell<ScanState>>,
    /// Whether whole lines without quotes are passed over in one step.
    skip_lines: bool,
}

/// Whether rows may be cut, and quote-free lines passed over, without following each
/// byte: only for an ASCII delimiter that is not a quote or a line end. A delimiter
/// that is a line end would make a line end inside a row; a byte of a multi-byte
/// character between two cells would make a row of invalid cells valid UTF-8 as a
/// whole (see `RowBuffer`).
fn splits_plainly(delimiter: u8) -> bool {
    delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\n' | b'\r')
}

/// Passes over `lines`: whole lines, without a quote, starting where a row starts
/// (outside quotes). They are shorter than one read, so no cell or row among them can
/// pass a limit; only the line count changes, and the next row starts after them.
fn skip_lines(st: &mut ScanState, lines: &[u8]) {
    debug_assert!(lines.len() <= MAX_CELL_BYTES && !lines.contains(&b'"'));
    st.line += memchr::memchr_iter(b'\n', lines).count() as u64;
    st.offset += lines.len() as u64;
    st.cell = 0;
    st.row = 0;
}

impl Scanner {
    /// Follows the cells of a run of unquoted bytes: notes a cell past the limit, and
    /// returns the length of the cell the run ends in when a delimiter starts it
    /// there (a cell counts from its delimiter, as a quoted cell from its quote).
    fn cells_of_run(&self, st: &mut ScanState, run: &[u8]) -> Option<usize> {
        let first = memchr::memchr(self.delimiter, run)?;
        // The cell open before the run ends at its first delimiter; a cell wholly
        // inside the run can only be over the limit when the run itself is.
        let mut widest = st.cell + first;
        if run.len() > MAX_CELL_BYTES {
            let mut previous = first;
            for k in memchr::memchr_iter(self.delimiter, &run[first + 1..]) {
                let k = k + first + 1;
                widest = widest.max(k - previous);
                previous = k;
            }
        }
        if widest > MAX_CELL_BYTES {
            st.cell = widest;
            check_limits(st);
        }
        let last = memchr::memrchr(self.delimiter, run).unwrap_or(first);
        Some(run.len() - last)
    }
}

impl Read for Scanner {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut shared = self.state.borrow_mut();
        if n == 0 {
            shared.eof = true;
            // A quote as the very last byte closes its cell (no second quote follows).
            if shared.after_quote {
                shared.after_quote = false;
                shared.quoted = false;
            }
            return Ok(0);
        }
        // Work on a local copy: the loop runs once per byte of the input, and a local
        // state stays in registers.
        let mut st = std::mem::take(&mut *shared);
        let bytes = &buf[..n];
        // Whole lines after the last quote of what was read change only the line count
        // (see `skip_lines`); what lies before the first line end, or after the last,
        // is followed byte by byte.
        let plain_from = memchr::memrchr(b'"', bytes).map_or(0, |q| q + 1);
        let lines_end = (n <= MAX_CELL_BYTES)
            .then(|| memchr::memrchr2(b'\n', b'\r', bytes).map(|e| e + 1))
            .flatten();
        let mut i = 0;
        while i < n {
            if let Some(end) = lines_end.filter(|&end| {
                self.skip_lines && i >= plain_from && i < end && st.row == 0 && !st.quoted
            }) {
                skip_lines(&mut st, &bytes[i..end]);
                i = end;
                continue;
            }
            // Runs of ordinary bytes change only the counters: skip them in one step.
            // Outside quotes only a quote and a line end matter (delimiters do not:
            // whether a quote opens a cell is read from the byte before it).
            let start = i;
            let mut cell_restart = None;
            if !st.quoted {
                i += memchr::memchr3(b'"', b'\n', b'\r', &bytes[i..]).unwrap_or(n - i);
                if i > start && st.row == 0 {
                    st.row_line = st.line;
                }
                cell_restart = self.cells_of_run(&mut st, &bytes[start..i]);
            } else if !st.after_quote {
                let run = memchr::memchr(b'"', &bytes[i..]).unwrap_or(n - i);
                st.line += memchr::memchr_iter(b'\n', &bytes[i..i + run]).count() as u64;
                i += run;
            }
            if i > start {
                let run = i - start;
                st.cell = match cell_restart {
                    Some(cell) => cell,
                    None => st.cell + run,
                };
                st.row += run;
                st.offset += run as u64;
                check_limits(&mut st);
            }
            if i >= n {
                break;
            }
            let b = bytes[i];
            let before = if i > 0 {
                Some(bytes[i - 1])
            } else {
                st.previous
            };
            i += 1;
            if st.quoted {
                if st.after_quote {
                    st.after_quote = false;
                    if b != b'"' {
                        st.quoted = false;
                    }
                } else if b == b'"' {
                    st.after_quote = true;
                }
            }
            if !st.quoted {
                if b == self.delimiter {
                    // Only just after a quoted cell closes: elsewhere delimiters are
                    // passed over with the runs above.
                    st.cell = 0;
                } else if b == b'\n' || b == b'\r' {
                    st.cell = 0;
                    st.row = 0;
                } else if b == b'"' && (st.row == 0 || before.is_none_or(|p| p == self.delimiter)) {
                    st.quoted = true;
                    st.open_quote = (st.offset, st.line);
                }
            }
            if st.row == 0 && b != b'\n' && b != b'\r' {
                st.row_line = st.line;
            }
            if b != b'\n' && b != b'\r' || st.quoted {
                st.cell += 1;
                st.row += 1;
            }
            if b == b'\n' {
                st.line += 1;
            }
            st.offset += 1;
            check_limits(&mut st);
        }
        st.previous = bytes.last().copied().or(st.previous);
        *shared = st;
        let st = shared;
        if st.overflow.is_some() {
            return Err(std::io::Error::other("size limit"));
        }
        Ok(n)
    }
}

pub(crate) fn read_csv(
    reader: Box<dyn BufRead>,
    name: &str,
    delimiter: u8,
    schema: &Schema,
    options: &InputOptions,
    rows_per_batch: usize,
    sink: &mut dyn FnMut(InputBatch) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    let state = Rc::new(RefCell::new(ScanState {
        line: 1,
        row_line: 1,
        ..ScanState::default()
    }));
    let scanner = Scanner {
        inner: reader,
        delimiter,
        state: Rc::clone(&state),
        skip_lines: splits_plainly(delimiter),
    };
    let mut csv = RowReader::new(
        delimiter,
        std::io::BufReader::with_capacity(1 << 16, scanner),
    );
    // A read error: a limit the scanner stopped at, or a failure to read.
    // `line`: where reading stopped.
    let failed = |e: std::io::Error, line: u64| {
        if let Some((line, message)) = state.borrow_mut().overflow.take() {
            return InputError::TooLarge {
                file: name.to_string(),
                line,
                message,
            };
        }
        InputError::BadCsv {
            file: name.to_string(),
            line,
            message: e.to_string(),
        }
    };
    // After a record: was it cut short by a quote that never closes?
    let unclosed = |end: u64| {
        let st = state.borrow();
        (st.eof && st.quoted && st.open_quote.0 < end).then(|| InputError::UnclosedQuote {
            file: name.to_string(),
            line: st.open_quote.1,
        })
    };
    let mut summary = InputSummary::default();
    let mut header = RowBuffer::with_room(1 << 12, 64);
    let size = csv.read(&mut header).map_err(|e| failed(e, csv.line))?;
    if let Some(e) = unclosed(csv.byte) {
        return Err(e);
    }
    let Some(size) = size.map(|(size, _)| size) else {
        return Ok(summary);
    };
    let (bytes, ends) = header.unheld(size);
    let mut columns: Vec<Option<usize>> = Vec::with_capacity(ends.len());
    let mut names: Vec<String> = Vec::with_capacity(ends.len());
    // A set, not a search of the names so far: a header can hold many thousands of
    // columns.
    let mut seen = std::collections::HashSet::with_capacity(ends.len());
    for (index, range) in cell_ranges(ends).enumerate() {
        let raw = bytes.get(range).unwrap_or_default();
        let Ok(column) = std::str::from_utf8(raw) else {
            return Err(InputError::BadHeader {
                file: name.to_string(),
                line: 1,
                message: format!("header cell {} is not valid UTF-8", index + 1),
                help: Some("save the file as UTF-8".to_string()),
            });
        };
        if !seen.insert(column) {
            return Err(InputError::BadHeader {
                file: name.to_string(),
                line: 1,
                message: format!("column `{column}` appears twice in the header"),
                help: Some("rename or remove one of the two columns".to_string()),
            });
        }
        let id = schema.field_id(column);
        if id.is_none() {
            summary.warnings.push(format!(
                "{name}: column `{column}` is not a field of the record schema{}",
                if options.read.strict {
                    "; rows with data in it are invalid (--strict)"
                } else {
                    " and is ignored"
                }
            ));
        }
        columns.push(id);
        names.push(column.to_string());
    }
    for field in &schema.fields {
        if !field.optional && !names.contains(&field.name) {
            summary.warnings.push(format!(
                "{name}: required column `{}` is missing; every row will be invalid",
                field.name
            ));
        }
    }
    let columns = Arc::new(CsvColumns {
        columns,
        names,
        read: options.read,
        spare: Mutex::new(Vec::new()),
    });
    let mut batch = CsvRows::new(Arc::clone(&columns), rows_per_batch);
    let read = loop {
        let (size, line) = match csv.read(batch.buffer()) {
            Ok(Some(row)) => row,
            Ok(None) => break Ok(()),
            Err(e) => break Err(failed(e, csv.line)),
        };
        if let Some(e) = unclosed(csv.byte) {
            break Err(e);
        }
        // A line holding only white space is a blank line, not a record.
        let (bytes, ends) = batch.buffer().unheld(size);
        if ends.len() == 1 && bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        summary.records += 1;
        batch.hold(size, summary.records, Some(line));
        if batch.len() >= rows_per_batch || batch.byte_len() >= MAX_BATCH_BYTES {
            let full = std::mem::replace(
                &mut batch,
                CsvRows::new(Arc::clone(&columns), rows_per_batch),
            );
            if let Err(e) = sink(InputBatch::Csv(full)) {
                break Err(e);
            }
        }
    };
    // The rows read before an error are handed on all the same.
    if !batch.is_empty() {
        let flushed = sink(InputBatch::Csv(batch));
        if read.is_ok() {
            flushed?;
        }
    }
    read.map(|()| summary)
}

/// The `csv` crate's record loop (`csv::Reader::read_byte_record`) around the same
/// parser, `csv_core`, with the same positions and line numbers; only it writes each
/// row straight into a batch's buffers instead of a `ByteRecord` that would then be
/// copied into them.
///
/// Rows without a quote are split without the parser ([`RowReader::read_plain`]): for
/// them a cell is simply the bytes between two delimiters, and the parser takes about
/// 18 instructions a byte to find that out.
struct RowReader<R> {
    core: csv_core::Reader,
    input: R,
    delimiter: u8,
    /// Bytes consumed so far.
    byte: u64,
    /// The parser's line (1-based): where the next row begins.
    line: u64,
    /// The parser has just ended a row, having read past its line end. Its next step
    /// is then the same whether that line end was `\n` or `\r`: skip line ends, then
    /// start a row. Only from there can a row be split without it.
    between_rows: bool,
    /// Whether rows without quotes are split without the parser.
    plain_rows: bool,
}

impl<R: BufRead> RowReader<R> {
    fn new(delimiter: u8, input: R) -> RowReader<R> {
        RowReader {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            input,
            delimiter,
            byte: 0,
            line: 1,
            between_rows: false,
            plain_rows: splits_plainly(delimiter),
        }
    }

    /// Reads the next row into `buf`'s room, unheld; its size and the line it begins
    /// on, or `None` at the end of the input.
    fn read(&mut self, buf: &mut RowBuffer) -> std::io::Result<Option<(RowSize, u64)>> {
        use csv_core::ReadRecordResult::*;
        if self.between_rows && self.plain_rows {
            if let Some(row) = self.read_plain(buf)? {
                return Ok(Some(row));
            }
        }
        let line = self.line;
        let mut size = RowSize::default();
        loop {
            let input = self.input.fill_buf()?;
            let (bytes, ends) = buf.room(size);
            let (result, read, written, ended) = self.core.read_record(input, bytes, ends);
            self.input.consume(read);
            self.byte += read as u64;
            self.line = self.core.line();
            size.bytes += written;
            size.ends += ended;
            // A row ends on a byte read (its line end) except the last one of the
            // input, which ends with nothing read, at the end.
            self.between_rows = matches!(result, Record) && read > 0;
            match result {
                InputEmpty => {}
                OutputFull => buf.grow_bytes(),
                OutputEndsFull => buf.grow_ends(),
                Record => return Ok(Some((buf.spread_cells(size), line))),
                End => return Ok(None),
            }
        }
    }

    /// Reads the next row as the parser would when it lies whole in the input at hand
    /// and holds no quote, and it fits the room; `None`, having read nothing, if not.
    ///
    /// Called only between rows, where the parser skips line ends (blank lines, or the
    /// `\n` of a `\r\n`), then reads cells up to the next `\n` or `\r`, which it
    /// reads too. Without quotes the cells are the bytes between delimiters, so the
    /// row is kept as it stands, with the delimiters between its cells.
    fn read_plain(&mut self, buf: &mut RowBuffer) -> std::io::Result<Option<(RowSize, u64)>> {
        let input = self.input.fill_buf()?;
        let skipped = input
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        let rest = input.get(skipped..).unwrap_or_default();
        let Some(end) = memchr::memchr3(b'\n', b'\r', b'"', rest) else {
            return Ok(None);
        };
        if rest[end] == b'"' {
            return Ok(None);
        }
        let row = &rest[..end];
        let (bytes, ends) = buf.room(RowSize::default());
        let Some(room) = bytes.get_mut(..row.len()) else {
            return Ok(None);
        };
        room.copy_from_slice(row);
        let Some(cells) = delimiters_into(row, self.delimiter, ends) else {
            return Ok(None);
        };
        let size = RowSize {
            bytes: row.len(),
            ends: cells,
        };
        let read = skipped + end + 1;
        let lines = input[..skipped].iter().filter(|&&b| b == b'\n').count()
            + usize::from(rest[end] == b'\n');
        self.input.consume(read);
        self.byte += read as u64;
        let line = self.line;
        self.line += lines as u64;
        self.core.set_line(self.line);
        Ok(Some((size, line)))
    }
}

/// Writes where the cells of `row` end (at each `delimiter`, and at the end of the row)
/// into `ends`; how many cells, or `None` when `ends` is too short.
///
/// Eight bytes at a time: a row of ordinary cells holds a delimiter every few bytes,
/// too often for a search that starts over at each one.
fn delimiters_into(row: &[u8], delimiter: u8, ends: &mut [usize]) -> Option<usize> {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let spread = u64::from_ne_bytes([delimiter; 8]);
    let mut cells = 0;
    let mut words = row.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        // A byte of `x` is 0 where `word` holds the delimiter; `found` has the high bit
        // of exactly those bytes set.
        let x = u64::from_le_bytes(bytes) ^ spread;
        let mut found = !(((x & LOW) + LOW) | x | LOW);
        while found != 0 {
            *ends.get_mut(cells)? = at + (found.trailing_zeros() / 8) as usize;
            cells += 1;
            found &= found - 1;
        }
        at += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == delimiter {
            *ends.get_mut(cells)? = at + i;
            cells += 1;
        }
    }
    *ends.get_mut(cells)? = row.len();
    Some(cells + 1)
}

/// Batches whose buffers are kept for reuse: as many as `eval` has in flight at once
/// (one being read, two queued, one being decided).
const MAX_SPARE_BATCHES: usize = 4;

/// The largest buffers kept for reuse (a batch of 2,048 ordinary rows needs about
/// 0.6 MiB): buffers grown for huge rows are freed, not kept.
const MAX_SPARE_BYTES: usize = 4 << 20;

/// Bytes (of cells and of where they end) after which a batch is handed on before it
/// is full: a batch of huge rows, or of rows of many cells, must not hold many of them
/// in memory at once.
const MAX_BATCH_BYTES: usize = 8 << 20;

/// The columns of a CSV file, matched to the schema: what turns a row into a record.
#[derive(Debug)]
pub struct CsvColumns {
    /// The schema slot of each column; `None` for a column the schema lacks.
    columns: Vec<Option<usize>>,
    /// The header's column names.
    names: Vec<String>,
    read: ReadOptions,
    /// Buffers of batches already read, to be read into again (see `CsvRows`).
    spare: Mutex<Vec<(RowBuffer, Vec<RowSpan>)>>,
}

impl CsvColumns {
    /// The schema slot of each column; `None` for a column the schema lacks.
    pub fn columns(&self) -> &[Option<usize>] {
        &self.columns
    }

    /// The header's column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// How cells are read.
    pub fn read_options(&self) -> ReadOptions {
        self.read
    }

    /// Keeps a dropped batch's buffers to be read into again; a few at most, and
    /// none grown for huge rows (they would keep their memory for the rest of the run).
    pub(super) fn give_back(&self, cells: RowBuffer, spans: Vec<RowSpan>) {
        if cells.capacity() > MAX_SPARE_BYTES {
            return;
        }
        if let Ok(mut spare) = self.spare.lock() {
            if spare.len() < MAX_SPARE_BATCHES {
                spare.push((cells, spans));
            }
        }
    }

    /// The buffers of a batch dropped earlier, if any.
    pub(super) fn take_spare(&self) -> Option<(RowBuffer, Vec<RowSpan>)> {
        self.spare.lock().ok()?.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every row of `input` as the reader gives it, split with or without the parser:
    /// its cells, the line it begins on, and the bytes read after it. `room` and
    /// `buffered` start small, so that rows outgrow the room and cross buffer ends.
    fn rows(
        input: &[u8],
        delimiter: u8,
        plain: bool,
        buffered: usize,
    ) -> Vec<(Vec<Vec<u8>>, u64, u64)> {
        let mut reader = RowReader::new(
            delimiter,
            std::io::BufReader::with_capacity(buffered, input),
        );
        reader.plain_rows &= plain;
        let mut buf = RowBuffer::with_room(8, 2);
        let mut rows = Vec::new();
        while let Ok(Some((size, line))) = reader.read(&mut buf) {
            let (bytes, ends) = buf.unheld(size);
            let cells = cell_ranges(ends).map(|r| bytes[r].to_vec()).collect();
            rows.push((cells, line, reader.byte));
            buf.hold(size);
        }
        rows
    }

    #[test]
    fn plain_rows_are_split_at_every_delimiter() {
        let input = b"h1,h2\nabcdefg,hijklmnop,,q\n,\r\n\n\xc3\xa9,\xac\xff,x\r";
        let expected: Vec<(Vec<Vec<u8>>, u64, u64)> = vec![
            (vec![b"h1".to_vec(), b"h2".to_vec()], 1, 6),
            (
                vec![
                    b"abcdefg".to_vec(),
                    b"hijklmnop".to_vec(),
                    vec![],
                    b"q".to_vec(),
                ],
                2,
                27,
            ),
            (vec![vec![], vec![]], 3, 29),
            (
                vec![b"\xc3\xa9".to_vec(), b"\xac\xff".to_vec(), b"x".to_vec()],
                3,
                39,
            ),
        ];
        assert_eq!(rows(input, b',', true, 64), expected);
        assert_eq!(rows(input, b',', false, 64), expected);
    }

    #[test]
    fn cell_ends_are_found_eight_bytes_at_a_time_and_in_the_rest() {
        let row = b"0123456,89abcdef,;,\x80\xac,\xff;,";
        let mut ends = [0; 8];
        assert_eq!(delimiters_into(row, b',', &mut ends), Some(6));
        assert_eq!(ends[..6], [7, 16, 18, 21, 24, 25]);
        assert_eq!(delimiters_into(row, b',', &mut [0; 5]), None);
        assert_eq!(delimiters_into(b"", b';', &mut ends), Some(1));
        assert_eq!(ends[0], 0);
    }

    /// What a scanner over `input`, read `chunk` bytes at a time, has seen after each
    /// read (all but the line where the current row began, which it notes only when it
    /// reports a limit).
    fn scans(input: &[u8], chunk: usize, delimiter: u8, skip_lines: bool) -> Vec<String> {
        let state = Rc::new(RefCell::new(ScanState {
            line: 1,
            row_line: 1,
            ..ScanState::default()
        }));
        let mut scanner = Scanner {
            inner: Box::new(std::io::BufReader::with_capacity(
                chunk,
                std::io::Cursor::new(input.to_vec()),
            )),
            delimiter,
            state: Rc::clone(&state),
            skip_lines: skip_lines && splits_plainly(delimiter),
        };
        let mut seen = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let read = scanner.read(&mut buf);
            let st = state.borrow();
            seen.push(format!(
                "{:?} line {} offset {} quoted {} {} open {:?} cell {} row {} eof {} overflow {:?}",
                read.as_ref().map_err(|e| e.to_string()),
                st.line,
                st.offset,
                st.quoted,
                st.after_quote,
                st.open_quote,
                st.cell,
                st.row,
                st.eof,
                st.overflow
            ));
            if !matches!(read, Ok(n) if n > 0) {
                return seen;
            }
        }
    }

    #[test]
    fn whole_lines_are_skipped_only_after_the_last_quote() {
        let input = b"a,b\nc,\"d\ne\"\nf,g\r\nh\n\ni,j";
        let skipped = scans(input, 64, b',', true);
        assert_eq!(skipped, scans(input, 64, b',', false));
        assert_eq!(
            skipped[0],
            "Ok(23) line 7 offset 23 quoted false false open (6, 2) cell 2 row 3 eof false overflow None"
        );
    }

    const ATOMS: &[&[u8]] = &[
        b"a",
        b"bcdefghij",
        b",",
        b";",
        b"\"",
        b"\n",
        b"\r",
        b"\r\n",
        b" ",
        b"\xc3\xa9",
        b"\xef\xbb\xbf",
    ];

    proptest! {
        /// Rows split without the parser are the parser's rows: the same cells, lines
        /// and positions, whatever the quoting, line ends and buffer sizes.
        #[test]
        fn plain_rows_are_read_as_the_parser_reads_them(
            atoms in proptest::collection::vec(proptest::sample::select(ATOMS), 0..80),
            delimiter in proptest::sample::select(&[b',', b';', b'\r', b'\n', b'"', 0xa9][..]),
            buffered in 1usize..40,
        ) {
            let input = atoms.concat();
            prop_assert_eq!(
                rows(&input, delimiter, true, buffered),
                rows(&input, delimiter, false, buffered)
            );
        }

        /// Skipping whole lines leaves the scanner as following them byte by byte does.
        #[test]
        fn skipped_lines_are_scanned_as_followed_lines(
            atoms in proptest::collection::vec(proptest::sample::select(ATOMS), 0..80),
            chunk in 1usize..40,
            delimiter in proptest::sample::select(&[b',', b';', b'\r', b'\n', b'"', 0xa9][..]),
        ) {
            let input = atoms.concat();
            prop_assert_eq!(
                scans(&input, chunk, delimiter, true),
                scans(&input, chunk, delimiter, false)
            );
        }
    }
}
