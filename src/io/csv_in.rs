//! CSV input: header row, `,` or `;` detected from the header, RFC 4180 quoting.

use std::io::BufRead;

use super::convert::RecordBuilder;
use super::error::InputError;
use super::read::{InputOptions, InputSummary};
use crate::check::Schema;
use crate::record::Record;

/// Picks `;` when the header line holds more semicolons than commas (outside quotes).
fn detect_delimiter(header: &[u8]) -> u8 {
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

pub(crate) fn read_csv(
    mut reader: Box<dyn BufRead>,
    name: &str,
    schema: &Schema,
    options: &InputOptions,
    sink: &mut dyn FnMut(Record) -> Result<(), InputError>,
) -> Result<InputSummary, InputError> {
    let unreadable = |e: std::io::Error| InputError::Unreadable {
        file: name.to_string(),
        message: e.to_string(),
    };
    let head = reader.fill_buf().map_err(unreadable)?;
    let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
    if bom {
        reader.consume(3);
    }
    let head = reader.fill_buf().map_err(unreadable)?;
    let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(head));
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let mut summary = InputSummary::default();
    let headers = csv
        .byte_headers()
        .map_err(|e| InputError::BadCsv {
            file: name.to_string(),
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    if headers.is_empty() {
        return Ok(summary);
    }
    let mut columns: Vec<Option<usize>> = Vec::with_capacity(headers.len());
    let mut names: Vec<String> = Vec::with_capacity(headers.len());
    for (index, raw) in headers.iter().enumerate() {
        let Ok(column) = std::str::from_utf8(raw) else {
            return Err(InputError::BadHeader {
                file: name.to_string(),
                line: 1,
                message: format!("header cell {} is not valid UTF-8", index + 1),
                help: Some("save the file as UTF-8".to_string()),
            });
        };
        if names.iter().any(|n| n == column) {
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
    let mut row = csv::ByteRecord::new();
    loop {
        let more = csv
            .read_byte_record(&mut row)
            .map_err(|e| InputError::BadCsv {
                file: name.to_string(),
                line: e.position().map_or(0, |p| p.line()),
                message: e.to_string(),
            })?;
        if !more {
            break;
        }
        // A line holding only white space is a blank line, not a record.
        if row.len() == 1
            && row
                .get(0)
                .is_some_and(|c| c.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        summary.records += 1;
        let line = row.position().map(|p| p.line());
        let mut builder = RecordBuilder::new(schema, summary.records, line);
        if row.len() != columns.len() {
            // Keep the record's id even when its cells do not line up.
            if let Some(key) = schema.key {
                if let Some(i) = columns.iter().position(|c| *c == Some(key)) {
                    if let Some(cell) = row.get(i).and_then(|c| std::str::from_utf8(c).ok()) {
                        builder.set_key(cell);
                    }
                }
            }
            builder.record_error(format!(
                "line {} has {} cells, the header has {}",
                line.unwrap_or(0),
                row.len(),
                columns.len()
            ));
        } else {
            for (index, cell) in row.iter().enumerate() {
                let Ok(cell) = std::str::from_utf8(cell) else {
                    builder.record_error(format!(
                        "column `{}` is not valid UTF-8; save the file as UTF-8",
                        names[index]
                    ));
                    break;
                };
                match columns[index] {
                    Some(id) => builder.set_text(id, cell),
                    None if options.read.strict && !cell.is_empty() => {
                        builder.unknown_field(&names[index])
                    }
                    None => {}
                }
            }
        }
        sink(builder.finish())?;
    }
    Ok(summary)
}
