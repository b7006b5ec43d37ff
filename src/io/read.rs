//! Reading input files record by record (CSV, JSON array or object, JSONL), never the
//! whole file at once. Each record is handed to a sink as soon as it is read.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

use super::convert::{record_from_json, ReadOptions, RecordBuilder};
use super::csv_rows::CsvRows;
use super::error::InputError;
use crate::check::Schema;
use crate::record::Record;

/// The formats records can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Comma- or semicolon-separated values with a header row.
    Csv,
    /// A JSON array of objects (or one object).
    Json,
    /// One JSON object per line.
    Jsonl,
}

/// Where records come from.
#[derive(Debug, Clone)]
pub enum InputSource {
    /// A file.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

impl InputSource {
    /// The name shown in messages.
    pub fn name(&self) -> String {
        match self {
            InputSource::File(p) => p.display().to_string(),
            InputSource::Stdin => "<stdin>".to_string(),
        }
    }
}

/// How to read inputs.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// Force a format instead of the extension or sniffing.
    pub format: Option<InputFormat>,
    /// Force a CSV delimiter instead of detecting `,` or `;` from the header.
    pub delimiter: Option<u8>,
    /// Value reading options.
    pub read: ReadOptions,
}

/// What reading one input produced, besides its records.
#[derive(Debug, Clone, Default)]
pub struct InputSummary {
    /// Records read.
    pub records: u64,
    /// Warnings (e.g. unknown columns).
    pub warnings: Vec<String>,
}

/// Rows of one input, in input order, handed on a batch at a time.
#[derive(Debug)]
pub enum InputBatch {
    /// Records already read (JSON, JSON Lines).
    Records(Vec<Record>),
    /// CSV rows still to be read by the schema: turning cells into values is the
    /// costly part, and can run on other threads.
    Csv(CsvRows),
}

impl InputBatch {
    /// Rows in the batch.
    pub fn len(&self) -> usize {
        match self {
            InputBatch::Records(records) => records.len(),
            InputBatch::Csv(rows) => rows.len(),
        }
    }

    /// Whether the batch holds no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands each row's record to `sink`, in order.
    pub fn for_each_record(
        self,
        schema: &Schema,
        sink: &mut dyn FnMut(Record) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        match self {
            InputBatch::Records(records) => records.into_iter().try_for_each(sink),
            InputBatch::Csv(rows) => rows.iter().try_for_each(|row| sink(row.to_record(schema))),
        }
    }
}

/// Rows per batch when records are handed on one at a time.
const RECORD_BATCH: usize = 64;

/// Reads every record of `source`, handing each to `sink` in order.
///
/// The format comes from `options.format`, else the file's extension; standard input
/// is sniffed (see [`read_from`]).
pub fn read_records(
    source: &InputSource,
    schema: &Schema,
    options: &InputOptions,
    sink: &mut dyn FnMut(Record) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    read_batches(source, schema, options, RECORD_BATCH, &mut |batch| {
        batch.for_each_record(schema, sink)
    })
}

/// Reads every row of `source`, handing them to `sink` in order, in batches of
/// `rows_per_batch` rows (fewer for the last, and for CSV rows of many bytes), CSV
/// rows not yet turned into records (see [`InputBatch`]). The rows read before an
/// error are handed on before it is returned.
pub fn read_batches(
    source: &InputSource,
    schema: &Schema,
    options: &InputOptions,
    rows_per_batch: usize,
    sink: &mut dyn FnMut(InputBatch) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    let name = source.name();
    let (reader, format): (Box<dyn BufRead>, Option<InputFormat>) = match source {
        InputSource::File(path) => {
            let file = open(path)?;
            let format = match options.format {
                Some(f) => f,
                None => format_from_extension(path)?,
            };
            (
                Box::new(BufReader::with_capacity(1 << 16, file)),
                Some(format),
            )
        }
        InputSource::Stdin => (
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())),
            options.format,
        ),
    };
    read_batches_from(reader, &name, format, schema, options, rows_per_batch, sink)
}

/// Reads every record from `reader` (named `name` in messages) in `format`; with no
/// format, the input is sniffed the way standard input is: the first byte that is not
/// white space decides. `[` is a JSON array; `{` is JSON Lines when the first line holds
/// a whole JSON value, and one JSON document (a record object spread over several lines)
/// when it does not; anything else is CSV.
///
/// A UTF-8 byte-order mark at the start is skipped in every format. An input holding
/// nothing but white space has no records and gives a warning.
pub fn read_from(
    reader: Box<dyn BufRead>,
    name: &str,
    format: Option<InputFormat>,
    schema: &Schema,
    options: &InputOptions,
    sink: &mut dyn FnMut(Record) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    read_batches_from(
        reader,
        name,
        format,
        schema,
        options,
        RECORD_BATCH,
        &mut |batch| batch.for_each_record(schema, sink),
    )
}

fn read_batches_from(
    mut reader: Box<dyn BufRead>,
    name: &str,
    format: Option<InputFormat>,
    schema: &Schema,
    options: &InputOptions,
    rows_per_batch: usize,
    sink: &mut dyn FnMut(InputBatch) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    let rows_per_batch = rows_per_batch.max(1);
    let unreadable = |e: std::io::Error| InputError::Unreadable {
        file: name.to_string(),
        message: io_message(&e),
    };
    if reader.fill_buf().map_err(unreadable)?.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    // Leading white space is read ahead (to find the first byte) and given back.
    let mut lead = Vec::new();
    loop {
        let buf = reader.fill_buf().map_err(unreadable)?;
        let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let done = n < buf.len() || buf.is_empty() || lead.len() > MAX_LEAD_BYTES;
        lead.extend_from_slice(&buf[..n]);
        reader.consume(n);
        if done {
            break;
        }
    }
    let Some(&first) = reader.fill_buf().map_err(unreadable)?.first() else {
        return Ok(InputSummary {
            records: 0,
            warnings: vec![format!("{name} is empty: no records")],
        });
    };
    let format = match format {
        Some(f) => f,
        None => match first {
            b'[' => InputFormat::Json,
            b'{' => sniff_object(&mut reader, name)?,
            _ => InputFormat::Csv,
        },
    };
    if format == InputFormat::Csv {
        let delimiter = options.delimiter.unwrap_or_else(|| {
            super::csv_in::detect_delimiter(reader.fill_buf().unwrap_or_default())
        });
        let reader = Box::new(std::io::Cursor::new(lead).chain(reader));
        return super::csv_in::read_csv(
            reader,
            name,
            delimiter,
            schema,
            options,
            rows_per_batch,
            sink,
        );
    }
    let reader: Box<dyn BufRead> = Box::new(std::io::Cursor::new(lead).chain(reader));
    let mut batch = Vec::with_capacity(rows_per_batch);
    let add = &mut |record| {
        batch.push(record);
        if batch.len() < rows_per_batch {
            return Ok(());
        }
        let full = std::mem::replace(&mut batch, Vec::with_capacity(rows_per_batch));
        sink(InputBatch::Records(full))
    };
    let read = match format {
        InputFormat::Jsonl => read_jsonl(reader, name, schema, options, add),
        _ => read_json(reader, name, schema, options, add),
    };
    // The records read before an error are handed on all the same.
    if !batch.is_empty() {
        let flushed = sink(InputBatch::Records(batch));
        if read.is_ok() {
            flushed?;
        }
    }
    read
}

const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// How much leading white space is looked through for the first byte.
const MAX_LEAD_BYTES: usize = 1 << 20;

/// The longest JSON Lines line, in bytes (1 MiB); a longer line is an invalid record.
pub const MAX_JSONL_LINE_BYTES: usize = 1 << 20;

fn open(path: &Path) -> Result<File, InputError> {
    if path.is_dir() {
        return Err(InputError::Unreadable {
            file: path.display().to_string(),
            message: "it is a directory".to_string(),
        });
    }
    File::open(path).map_err(|e| InputError::Unreadable {
        file: path.display().to_string(),
        message: io_message(&e),
    })
}

fn format_from_extension(path: &Path) -> Result<InputFormat, InputError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") | Some("tsv") | Some("txt") => Ok(InputFormat::Csv),
        Some("json") => Ok(InputFormat::Json),
        Some("jsonl") | Some("ndjson") => Ok(InputFormat::Jsonl),
        _ => Err(InputError::UnknownFormat {
            file: path.display().to_string(),
        }),
    }
}

/// Input starting with `{`: one JSON document (a pretty-printed record object) when the
/// first line ends before the JSON value does; otherwise JSON Lines, also when the first
/// line is broken JSON (it becomes an invalid record) or longer than what is buffered.
/// Nothing is consumed.
fn sniff_object(reader: &mut Box<dyn BufRead>, name: &str) -> Result<InputFormat, InputError> {
    let buf = reader.fill_buf().map_err(|e| InputError::Unreadable {
        file: name.to_string(),
        message: io_message(&e),
    })?;
    let Some(end) = buf.iter().position(|b| *b == b'\n') else {
        return Ok(InputFormat::Jsonl);
    };
    Ok(
        match serde_json::from_slice::<serde::de::IgnoredAny>(&buf[..end]) {
            Err(e) if e.is_eof() => InputFormat::Json,
            _ => InputFormat::Jsonl,
        },
    )
}

/// Reads one line (through its `\n`), keeping at most `keep` bytes of it; returns the
/// kept bytes and the line's full length (0 at the end of the input).
fn read_line(reader: &mut Box<dyn BufRead>, keep: usize) -> std::io::Result<(Vec<u8>, usize)> {
    let mut line = Vec::new();
    let mut total = 0;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((line, total));
        }
        let (n, end) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = keep.saturating_sub(line.len()).min(n);
        line.extend_from_slice(&buf[..room]);
        total += n;
        reader.consume(n);
        if end {
            return Ok((line, total));
        }
    }
}

/// The parser's message, in plainer words where it has a limit behind it.
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with("recursion limit exceeded") {
        format!(
            "nested more than 128 levels deep (the limit) at line {} column {}",
            e.line(),
            e.column()
        )
    } else {
        text
    }
}

fn read_jsonl(
    mut reader: Box<dyn BufRead>,
    name: &str,
    schema: &Schema,
    options: &InputOptions,
    sink: &mut dyn FnMut(Record) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    let mut summary = InputSummary::default();
    let mut line_no = 0u64;
    loop {
        let (bytes, length) = read_line(&mut reader, MAX_JSONL_LINE_BYTES + 1).map_err(|e| {
            InputError::Unreadable {
                file: name.to_string(),
                message: io_message(&e),
            }
        })?;
        if length == 0 {
            break;
        }
        line_no += 1;
        if bytes.iter().all(u8::is_ascii_whitespace) && length <= MAX_JSONL_LINE_BYTES {
            continue;
        }
        summary.records += 1;
        let position = summary.records;
        let record = if length > MAX_JSONL_LINE_BYTES {
            invalid(
                schema,
                position,
                line_no,
                format!("line {line_no} is longer than 1 MiB (the limit for one record)"),
            )
        } else {
            match std::str::from_utf8(&bytes) {
                Err(_) => invalid(
                    schema,
                    position,
                    line_no,
                    format!("line {line_no} is not valid UTF-8"),
                ),
                Ok(text) => match serde_json::from_str::<serde_json::Value>(text.trim()) {
                    Ok(value) => {
                        record_from_json(schema, &value, position, Some(line_no), options.read)
                    }
                    Err(e) => invalid(
                        schema,
                        position,
                        line_no,
                        format!("line {line_no} is not valid JSON: {}", json_message(&e)),
                    ),
                },
            }
        };
        sink(record)?;
    }
    Ok(summary)
}

fn invalid(schema: &Schema, position: u64, line: u64, message: String) -> Record {
    let mut builder = RecordBuilder::new(schema, position, Some(line));
    builder.record_error(message);
    builder.finish()
}

/// Streams a JSON array element by element (or takes one object as one record).
fn read_json(
    reader: Box<dyn BufRead>,
    name: &str,
    schema: &Schema,
    options: &InputOptions,
    sink: &mut dyn FnMut(Record) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    let mut summary = InputSummary::default();
    let mut sink_error = None;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let visitor = JsonVisitor {
        schema,
        options: options.read,
        sink,
        summary: &mut summary,
        sink_error: &mut sink_error,
    };
    let result = (&mut de).deserialize_any(visitor).and_then(|()| de.end());
    if let Some(err) = sink_error {
        return Err(err);
    }
    result.map_err(|e| InputError::BadJson {
        file: name.to_string(),
        line: e.line() as u64,
        message: json_message(&e),
    })?;
    Ok(summary)
}

struct JsonVisitor<'a, 'b> {
    schema: &'a Schema,
    options: ReadOptions,
    sink: &'a mut dyn FnMut(Record) -> Result<(), InputError>,
    summary: &'b mut InputSummary,
    sink_error: &'b mut Option<InputError>,
}

impl JsonVisitor<'_, '_> {
    fn emit(&mut self, value: &serde_json::Value) -> bool {
        self.summary.records += 1;
        let record = record_from_json(self.schema, value, self.summary.records, None, self.options);
        match (self.sink)(record) {
            Ok(()) => true,
            Err(e) => {
                *self.sink_error = Some(e);
                false
            }
        }
    }
}

impl<'de> Visitor<'de> for JsonVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array of record objects, or one record object")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            if !self.emit(&value) {
                return Ok(());
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, map: A) -> Result<(), A::Error> {
        let value: serde_json::Value =
            serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        self.emit(&value);
        Ok(())
    }
}

/// A short reason for an I/O error, without the OS error number.
fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
