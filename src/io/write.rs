//! Writing decisions as JSONL, a JSON array, CSV or a readable text table, one at a time.

use std::io::Write;

use super::preencoded::Preencoded;
use super::row::{format_number, rule_locations, DecisionRow, RuleLocation};
use super::row_frame::encode_row;
use super::slot_rows::SlotRows;
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

impl OutputFormat {
    /// What goes before each JSON row in a run of rows: `,\n` between the objects of a
    /// JSON array ([`DecisionWriter::write_rows`] drops the first and opens the array).
    pub(super) fn before_row(self) -> &'static [u8] {
        match self {
            OutputFormat::Json => b",\n",
            _ => b"",
        }
    }

    /// What goes after each JSON row: a line end in JSON Lines.
    pub(super) fn after_row(self) -> &'static [u8] {
        match self {
            OutputFormat::Jsonl => b"\n",
            _ => b"",
        }
    }
}

/// Turns one decision into the bytes of one output row. Holds no output and no
/// position, so rows can be encoded in parallel and written in order afterwards.
#[derive(Debug, Clone)]
pub struct RowEncoder {
    format: OutputFormat,
    formula_escape: bool,
    /// With `--explain`: rule locations for the per-rule outcomes in JSON rows.
    locations: Option<Vec<RuleLocation>>,
    /// Names encoded once (see [`DecisionWriter::for_policy`]).
    pre: Option<Preencoded>,
}

impl RowEncoder {
    /// Encodes one row (without the header or the separators of a JSON array).
    pub fn encode(&self, policy: &Policy, d: &Decision, buf: &mut Vec<u8>) -> std::io::Result<()> {
        match self.format {
            OutputFormat::Jsonl | OutputFormat::Json => {
                let pre = self.pre.as_ref().filter(|pre| pre.is_for(policy));
                match pre {
                    // The fast path: constant bytes encoded once, values now.
                    Some(pre) => encode_row(&pre.frame, pre, d, self.locations.is_some(), buf)?,
                    None => serde_json::to_writer(
                        &mut *buf,
                        &DecisionRow {
                            policy,
                            decision: d,
                            outcomes: self.locations.as_deref(),
                        },
                    )?,
                }
                buf.extend_from_slice(self.format.after_row());
                Ok(())
            }
            OutputFormat::Csv => self.encode_csv(policy, d, buf),
            OutputFormat::Text => encode_text(policy, d, buf),
        }
    }

    /// Whether rows show every rule's outcome (`--explain`), not only exclusions,
    /// reviews, unknowns and points.
    pub fn shows_every_outcome(&self) -> bool {
        self.locations.is_some()
    }

    /// A writer of this encoder's rows of `policy` straight from slot decisions, for
    /// the rows it writes the same bytes for: JSON or JSONL without `--explain`, names
    /// encoded for `policy` ([`DecisionWriter::for_policy`]), and a policy that
    /// compiles to typed slots. `None` for any other rows.
    pub fn slot_rows<'a>(&'a self, policy: &'a Policy) -> Option<SlotRows<'a>> {
        let json = matches!(self.format, OutputFormat::Jsonl | OutputFormat::Json);
        if !json || self.shows_every_outcome() {
            return None;
        }
        let pre = self.pre.as_ref().filter(|pre| pre.is_for(policy))?;
        Some(SlotRows {
            frame: &pre.frame,
            pre,
            plan: policy.plan().slots()?,
            format: self.format,
        })
    }

    fn cell(&self, text: String) -> String {
        if self.formula_escape {
            escape_formula(text)
        } else {
            text
        }
    }

    fn encode_csv(&self, policy: &Policy, d: &Decision, buf: &mut Vec<u8>) -> std::io::Result<()> {
        let names = |it: &mut dyn Iterator<Item = &crate::eval::RuleOutcome>| {
            it.map(|o| policy.rules[o.rule].name.as_str())
                .collect::<Vec<_>>()
                .join(";")
        };
        let mut csv = csv::WriterBuilder::new()
            .buffer_capacity(512)
            .from_writer(&mut *buf);
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
        csv.flush()
    }
}

fn encode_text(policy: &Policy, d: &Decision, buf: &mut Vec<u8>) -> std::io::Result<()> {
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
    writeln!(buf, "{}", line.trim_end())
}

/// Writes decisions in one format: the header, the rows in order, the closing.
pub struct DecisionWriter<W: Write> {
    out: W,
    encoder: RowEncoder,
    count: u64,
    scratch: Vec<u8>,
}

impl<W: Write> DecisionWriter<W> {
    /// A writer of `format` into `out`.
    pub fn new(out: W, format: OutputFormat) -> DecisionWriter<W> {
        DecisionWriter {
            out,
            encoder: RowEncoder {
                format,
                formula_escape: true,
                locations: None,
                pre: None,
            },
            count: 0,
            scratch: Vec::with_capacity(512),
        }
    }

    /// Whether CSV cells that a spreadsheet would run as a formula get a leading `'`
    /// (the default; see [`escape_formula`]).
    pub fn formula_escape(mut self, on: bool) -> DecisionWriter<W> {
        self.encoder.formula_escape = on;
        self
    }

    /// Adds every rule's outcome (truth, points, effect, missing fields, location)
    /// to JSON and JSONL rows: `eval --explain`.
    pub fn with_outcomes(mut self, policy: &Policy) -> DecisionWriter<W> {
        self.encoder.locations = Some(rule_locations(policy));
        self
    }

    /// Encodes the names of `policy` once for all rows: faster output when every row
    /// comes from this policy (rows of another policy are encoded as usual).
    pub fn for_policy(mut self, policy: &Policy) -> DecisionWriter<W> {
        self.encoder.pre = Preencoded::new(policy);
        self
    }

    /// The row encoder, for encoding rows elsewhere (e.g. in parallel).
    pub fn encoder(&self) -> &RowEncoder {
        &self.encoder
    }

    /// Writes one decision.
    pub fn write(&mut self, policy: &Policy, decision: &Decision) -> std::io::Result<()> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let encoded = self.encoder.encode(policy, decision, &mut scratch);
        let written = encoded.and_then(|()| self.write_rows(&scratch, 1));
        self.scratch = scratch;
        written
    }

    /// Writes `rows` rows encoded by [`RowEncoder::encode`], back to back.
    pub fn write_rows(&mut self, bytes: &[u8], rows: u64) -> std::io::Result<()> {
        if rows == 0 {
            return Ok(());
        }
        if self.count == 0 {
            match self.encoder.format {
                OutputFormat::Csv => self.out.write_all(
                    b"id,decision,tier,score,exclusions,reviews,policy,policy_version,policy_hash\n",
                )?,
                OutputFormat::Text => writeln!(
                    self.out,
                    "{:<12} {:<10} {:<5} {:>6}  why",
                    "id", "decision", "tier", "score"
                )?,
                _ => {}
            }
        }
        if self.encoder.format == OutputFormat::Json {
            // JSON rows are encoded as `,\n{...}`; the first one opens the array.
            let first = self.count == 0;
            let between = OutputFormat::Json.before_row();
            self.out.write_all(if first { b"[\n" } else { between })?;
            self.out
                .write_all(bytes.strip_prefix(between).unwrap_or(bytes))?;
        } else {
            self.out.write_all(bytes)?;
        }
        self.count += rows;
        Ok(())
    }

    /// Ends the output (closes a JSON array) and flushes.
    pub fn finish(mut self) -> std::io::Result<W> {
        if self.encoder.format == OutputFormat::Json {
            self.out
                .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl RowEncoder {
    /// Encodes several rows back to back, as [`DecisionWriter::write_rows`] takes them.
    pub fn encode_many<'d>(
        &self,
        policy: &Policy,
        decisions: impl IntoIterator<Item = &'d Decision>,
        buf: &mut Vec<u8>,
    ) -> std::io::Result<u64> {
        let mut rows = 0;
        for d in decisions {
            buf.extend_from_slice(self.format.before_row());
            self.encode(policy, d, buf)?;
            rows += 1;
        }
        Ok(rows)
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
