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

pub fn run(args: &ExplainArgs) -> u8 {
    let policy = match Policy::load(&args.policy) {
        Ok(policy) => policy,
        Err(errors) => {
            for error in &errors {
                eprint_diagnostic(error);
            }
            eprintln!("error: policy {} did not load", args.policy.display());
            return 1;
        }
    };
    let record = match pick_record(&policy, args) {
        Ok(record) => record,
        Err(message) => {
            eprintln!("error: {message}");
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

fn pick_record(policy: &Policy, args: &ExplainArgs) -> Result<Record, String> {
    let mut record = if let Some(json) = &args.record {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("--record is not valid JSON: {e}"))?;
        Some(policy.record_from_json(&value))
    } else if let Some(input) = &args.input {
        Some(find_in_input(policy, input, args.id.as_deref())?)
    } else {
        None
    };
    if args.sets.is_empty() {
        return record.ok_or_else(|| {
            "say which record: an INPUT file (with --id), --record '{...}' or --set field=value"
                .to_string()
        });
    }
    let mut base = record
        .take()
        .unwrap_or_else(|| Record::empty(policy.schema.fields.len(), 1));
    let mut set_fields = Vec::new();
    for set in &args.sets {
        let (name, cell) = set
            .split_once('=')
            .ok_or_else(|| format!("--set `{set}`: write FIELD=VALUE"))?;
        let Some(id) = policy.schema.field_id(name) else {
            let hint = did_you_mean(name, policy.schema.index.keys().map(String::as_str))
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            return Err(format!(
                "--set: `{name}` is not a field of the record{hint}"
            ));
        };
        base.values[id] = if cell.is_empty() {
            None
        } else {
            Some(
                value_from_text(&policy.schema, id, cell)
                    .map_err(|e| format!("--set: {}", e.message))?,
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

fn find_in_input(policy: &Policy, input: &str, id: Option<&str>) -> Result<Record, String> {
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
    read_records(&source, &policy.schema, &options, &mut sink).map_err(|e| e.to_string())?;
    match (found, id) {
        (Some(record), Some(_)) => Ok(record),
        (Some(record), None) if count == 1 => Ok(record),
        (Some(_), None) => Err(format!("{input} holds {count} records: pick one with --id")),
        (None, Some(id)) => Err(format!("no record with id `{id}` in {input}")),
        (None, None) => Err(format!("{input} holds no records")),
    }
}
