//! Reading input files record by record (CSV, JSON array or object, JSONL), never the
//! whole file at once. Each record is handed to a sink as soon as it is read.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

use super::convert::{record_from_json, ReadOptions, RecordBuilder};
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

/// Reads every record of `source`, handing each to `sink` in order.
pub fn read_records(
    source: &InputSource,
    schema: &Schema,
    options: &InputOptions,
    sink: &mut dyn FnMut(Record) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    let name = source.name();
    let mut reader: Box<dyn BufRead> = match source {
        InputSource::File(path) => Box::new(BufReader::with_capacity(1 << 16, open(path)?)),
        InputSource::Stdin => Box::new(BufReader::new(std::io::stdin())),
    };
    let format = match (options.format, source) {
        (Some(f), _) => f,
        (None, InputSource::File(path)) => format_from_extension(path)?,
        (None, InputSource::Stdin) => sniff(&mut reader, &name)?,
    };
    match format {
        InputFormat::Csv => super::csv_in::read_csv(reader, &name, schema, options, sink),
        InputFormat::Jsonl => read_jsonl(reader, &name, schema, options, sink),
        InputFormat::Json => read_json(reader, &name, schema, options, sink),
    }
}

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

/// Guesses the format of standard input from its first non-blank byte.
fn sniff(reader: &mut Box<dyn BufRead>, name: &str) -> Result<InputFormat, InputError> {
    loop {
        let buf = reader.fill_buf().map_err(|e| InputError::Unreadable {
            file: name.to_string(),
            message: e.to_string(),
        })?;
        let Some(&first) = buf.first() else {
            return Ok(InputFormat::Csv);
        };
        if first.is_ascii_whitespace() {
            reader.consume(1);
            continue;
        }
        return Ok(match first {
            b'[' => InputFormat::Json,
            b'{' => InputFormat::Jsonl,
            _ => InputFormat::Csv,
        });
    }
}

fn read_jsonl(
    reader: Box<dyn BufRead>,
    name: &str,
    schema: &Schema,
    options: &InputOptions,
    sink: &mut dyn FnMut(Record) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    let mut summary = InputSummary::default();
    for (index, line) in reader.split(b'\n').enumerate() {
        let line_no = index as u64 + 1;
        let bytes = line.map_err(|e| InputError::Unreadable {
            file: name.to_string(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        summary.records += 1;
        let position = summary.records;
        let record = if std::str::from_utf8(&bytes).is_err() {
            invalid(
                schema,
                position,
                line_no,
                format!("line {line_no} is not valid UTF-8"),
            )
        } else {
            match serde_json::from_str::<serde_json::Value>(trimmed) {
                Ok(value) => {
                    record_from_json(schema, &value, position, Some(line_no), options.read)
                }
                Err(e) => invalid(
                    schema,
                    position,
                    line_no,
                    format!("line {line_no} is not valid JSON: {e}"),
                ),
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
        message: e.to_string(),
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
