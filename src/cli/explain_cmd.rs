//! `sweetspot explain`: why one record got its decision, and what would change it.

use std::path::PathBuf;

use sweetspot::check::did_you_mean;
use sweetspot::io::{
    id_text, read_records, value_from_text, InputOptions, InputSource, ReadOptions,
};
use sweetspot::{FieldError, Policy, Record};

use super::output::{eprint_diagnostic, stdout_color};

/// Output of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// Readable, like a compiler diagnostic.
    Text,
    /// The same as data.
    Json,
}

/// Arguments of `sweetspot explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The policy file.
    policy: PathBuf,
    /// A file of records (CSV, JSON, JSONL) or `-`; with one record, `--id` may be left out.
    input: Option<String>,
    /// The id of the record to explain (the key's value, or the 1-based position).
    #[arg(long)]
    id: Option<String>,
    /// The record as a JSON object, instead of an input file.
    #[arg(long)]
    record: Option<String>,
    /// Set a field (as a CSV cell would give it), over the record; repeatable.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    sets: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: ExplainFormat,
}

/// Why no record could be explained.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
enum ExplainError {
    #[error("no record to explain")]
    #[diagnostic(
        code(sweetspot::explain::no_record),
        help("name an INPUT file (with --id), --record '{{...}}' or --set FIELD=VALUE")
    )]
    NoRecord,
    #[error("--record is not valid JSON: {0}")]
    #[diagnostic(
        code(sweetspot::explain::bad_record),
        help("give one JSON object in single quotes, e.g. --record '{{\"id\": \"p1\", \"employees\": 800}}'")
    )]
    BadRecord(String),
    #[error("--set `{set}`: {message}")]
    #[diagnostic(code(sweetspot::explain::bad_set))]
    BadSet {
        set: String,
        message: String,
        #[help]
        help: Option<String>,
    },
    #[error("no record with id `{id}` in {input}")]
    #[diagnostic(
        code(sweetspot::explain::not_found),
        help("the id is the key's value, or the 1-based position without a key; `sweetspot eval POLICY INPUT --format csv` lists them")
    )]
    NotFound { id: String, input: String },
    #[error("{input} holds {count} records")]
    #[diagnostic(code(sweetspot::explain::which_record), help("pick one with --id"))]
    WhichRecord { input: String, count: u64 },
    #[error("{input} holds no records")]
    #[diagnostic(code(sweetspot::explain::no_records))]
    NoRecords { input: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(#[from] sweetspot::io::InputError),
}

pub fn run(args: &ExplainArgs) -> u8 {
    let Some(policy) = super::output::load_policy(&args.policy) else {
        return 1;
    };
    let record = match pick_record(&policy, args) {
        Ok(record) => record,
        Err(error) => {
            eprint_diagnostic(&error);
            return 2;
        }
    };
    let explanation = sweetspot::explain::explain(&policy, &record);
    match args.format {
        ExplainFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&explanation.to_json(&policy)).unwrap_or_default()
            );
        }
        ExplainFormat::Text => {
            let color = stdout_color();
            print!(
                "{}",
                sweetspot::explain::render_text(&policy, &explanation, color, 80)
            );
        }
    }
    0
}

fn pick_record(policy: &Policy, args: &ExplainArgs) -> Result<Record, ExplainError> {
    let mut record = if let Some(json) = &args.record {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ExplainError::BadRecord(e.to_string()))?;
        Some(policy.record_from_json(&value))
    } else if let Some(input) = &args.input {
        Some(find_in_input(policy, input, args.id.as_deref())?)
    } else {
        None
    };
    if args.sets.is_empty() {
        return record.ok_or(ExplainError::NoRecord);
    }
    let mut base = record
        .take()
        .unwrap_or_else(|| Record::empty(policy.schema.fields.len(), 1));
    let mut set_fields = Vec::new();
    for set in &args.sets {
        let (name, cell) = set.split_once('=').ok_or_else(|| ExplainError::BadSet {
            set: set.clone(),
            message: "expected FIELD=VALUE".to_string(),
            help: Some("e.g. --set employees=800".to_string()),
        })?;
        let Some(id) = policy.schema.field_id(name) else {
            return Err(ExplainError::BadSet {
                set: set.clone(),
                message: format!("`{name}` is not a field of the record"),
                help: did_you_mean(name, policy.schema.index.keys().map(String::as_str)),
            });
        };
        base.values[id] = if cell.is_empty() {
            None
        } else {
            Some(
                value_from_text(&policy.schema, id, cell).map_err(|e| ExplainError::BadSet {
                    set: set.clone(),
                    message: e.message,
                    help: None,
                })?,
            )
        };
        set_fields.push(name.to_string());
    }
    // Errors of fields that were set again no longer hold; required fields are re-checked.
    base.errors
        .retain(|e| !e.field.as_ref().is_some_and(|f| set_fields.contains(f)));
    for (id, field) in policy.schema.fields.iter().enumerate() {
        let reported = base
            .errors
            .iter()
            .any(|e| e.field.as_deref() == Some(&field.name));
        if !field.optional && base.values[id].is_none() && !reported {
            base.errors.push(FieldError {
                field: Some(field.name.clone()),
                message: format!("required field `{}` is missing or empty", field.name),
            });
        }
    }
    if let Some(key) = policy.schema.key {
        if let Some(value) = &base.values[key] {
            base.id = match value {
                sweetspot::check::Value::Number(n) => sweetspot::RecordId::Number(*n),
                sweetspot::check::Value::Text(t) => sweetspot::RecordId::Text(t.clone()),
                _ => base.id.clone(),
            };
        }
    }
    Ok(base)
}

fn find_in_input(policy: &Policy, input: &str, id: Option<&str>) -> Result<Record, ExplainError> {
    let source = if input == "-" {
        InputSource::Stdin
    } else {
        InputSource::File(PathBuf::from(input))
    };
    let options = InputOptions {
        read: ReadOptions::default(),
        ..InputOptions::default()
    };
    let mut found: Option<Record> = None;
    let mut count = 0u64;
    let mut sink = |record: Record| {
        count += 1;
        let matches = match id {
            Some(id) => id_text(&record.id) == id,
            None => true,
        };
        if matches && found.is_none() {
            found = Some(record);
        }
        Ok(())
    };
    read_records(&source, &policy.schema, &options, &mut sink)?;
    match (found, id) {
        (Some(record), Some(_)) => Ok(record),
        (Some(record), None) if count == 1 => Ok(record),
        (Some(_), None) => Err(ExplainError::WhichRecord {
            input: input.to_string(),
            count,
        }),
        (None, Some(id)) => Err(ExplainError::NotFound {
            id: id.to_string(),
            input: input.to_string(),
        }),
        (None, None) => Err(ExplainError::NoRecords {
            input: input.to_string(),
        }),
    }
}
