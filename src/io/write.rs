//! Writing decisions as JSONL, a JSON array, CSV or a readable text table, one at a time.

use std::io::Write;

use super::row::{format_number, DecisionRow};
use crate::check::Policy;
use crate::eval::{Decision, DecisionKind};
use crate::record::RecordId;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A readable table.
    Text,
    /// One JSON array.
    Json,
    /// One JSON object per line (the contract's format).
    Jsonl,
    /// id, decision, tier, score, exclusions, reviews, policy, policy_version, policy_hash.
    Csv,
}

/// Writes decisions in one format.
pub struct DecisionWriter<W: Write> {
    out: W,
    format: OutputFormat,
    count: u64,
    formula_escape: bool,
}

impl<W: Write> DecisionWriter<W> {
    /// A writer of `format` into `out`.
    pub fn new(out: W, format: OutputFormat) -> DecisionWriter<W> {
        DecisionWriter {
            out,
            format,
            count: 0,
            formula_escape: true,
        }
    }

    /// Whether CSV cells that a spreadsheet would run as a formula get a leading `'`
    /// (the default; see [`escape_formula`]).
    pub fn formula_escape(mut self, on: bool) -> DecisionWriter<W> {
        self.formula_escape = on;
        self
    }

    /// Writes one decision.
    pub fn write(&mut self, policy: &Policy, decision: &Decision) -> std::io::Result<()> {
        let row = DecisionRow { policy, decision };
        match self.format {
            OutputFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, &row)?;
                self.out.write_all(b"\n")?;
            }
            OutputFormat::Json => {
                self.out
                    .write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
                serde_json::to_writer(&mut self.out, &row)?;
            }
            OutputFormat::Csv => self.write_csv(policy, decision)?,
            OutputFormat::Text => self.write_text(policy, decision)?,
        }
        self.count += 1;
        Ok(())
    }

    fn write_csv(&mut self, policy: &Policy, d: &Decision) -> std::io::Result<()> {
        // Each row goes through a small buffer so that the CSV writer's flush does not
        // reach (and flush) the output itself.
        let mut csv = csv::WriterBuilder::new()
            .buffer_capacity(1024)
            .from_writer(Vec::with_capacity(256));
        if self.count == 0 {
            csv.write_record([
                "id",
                "decision",
                "tier",
                "score",
                "exclusions",
                "reviews",
                "policy",
                "policy_version",
                "policy_hash",
            ])?;
        }
        let names = |it: &mut dyn Iterator<Item = &crate::eval::RuleOutcome>| {
            it.map(|o| policy.rules[o.rule].name.as_str())
                .collect::<Vec<_>>()
                .join(";")
        };
        csv.write_record([
            self.cell(id_text(&d.id)),
            d.kind.as_str().to_string(),
            d.tier
                .map(|t| policy.tiers[t].name.clone())
                .unwrap_or_default(),
            d.score.map(format_number).unwrap_or_default(),
            names(&mut d.exclusions()),
            names(&mut d.reviews()),
            self.cell(policy.name.clone()),
            policy.version.to_string(),
            policy.hash.clone(),
        ])?;
        let row = csv.into_inner().map_err(|e| e.into_error())?;
        self.out.write_all(&row)
    }

    fn write_text(&mut self, policy: &Policy, d: &Decision) -> std::io::Result<()> {
        if self.count == 0 {
            writeln!(
                self.out,
                "{:<12} {:<10} {:<5} {:>6}  why",
                "id", "decision", "tier", "score"
            )?;
        }
        let why: Vec<String> = match d.kind {
            DecisionKind::Invalid => d
                .errors
                .iter()
                .map(|e| match &e.field {
                    Some(f) => format!("{f}: {}", e.message),
                    None => e.message.clone(),
                })
                .collect(),
            _ => d
                .exclusions()
                .map(|o| format!("excluded by {}", policy.rules[o.rule].name))
                .chain(
                    d.reviews()
                        .map(|o| format!("review: {}", policy.rules[o.rule].name)),
                )
                .collect(),
        };
        let line = format!(
            "{:<12} {:<10} {:<5} {:>6}  {}",
            id_text(&d.id),
            d.kind.as_str(),
            d.tier.map_or("-", |t| policy.tiers[t].name.as_str()),
            d.score.map_or("-".to_string(), format_number),
            why.join("; ")
        );
        writeln!(self.out, "{}", line.trim_end())
    }

    /// Ends the output (closes a JSON array) and flushes.
    pub fn finish(mut self) -> std::io::Result<W> {
        if self.format == OutputFormat::Json {
            self.out
                .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> DecisionWriter<W> {
    fn cell(&self, text: String) -> String {
        if self.formula_escape {
            escape_formula(text)
        } else {
            text
        }
    }
}

/// A CSV cell made safe for spreadsheets: text starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return would be run as a formula, so it gets a leading `'`. A number
/// (`-3`, `+1.5`) is left as it is.
pub fn escape_formula(text: String) -> String {
    let risky = matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && super::parse_number(&text).is_none() {
        format!("'{text}")
    } else {
        text
    }
}

/// An id as plain text.
pub fn id_text(id: &RecordId) -> String {
    match id {
        RecordId::Text(t) => t.clone(),
        RecordId::Number(n) => format_number(*n),
        RecordId::Position(p) => p.to_string(),
    }
}
