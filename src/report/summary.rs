//! What a report needs from one streaming pass over the inputs: counts per decision and
//! per tier, a score histogram, and only the rows a person has to look at (excluded,
//! review and invalid records). Qualified decisions are counted and then dropped.

use std::collections::BTreeMap;

use crate::check::{FieldId, FieldType, ListRef, Policy, Schema, TypedExpr, Value};
use crate::eval::{Decision, DecisionKind, RuleOutcome, Truth};
use crate::io::{format_number, id_text};
use crate::record::{FieldError, Record};
use crate::syntax::ast::{CompareOp, MissingAction};

/// When the run happened and which tool made it; injectable so tests are reproducible.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The time of the run, as shown (RFC 3339, UTC).
    pub generated_at: String,
    /// The version of sweetspot.
    pub tool_version: String,
}

impl RunInfo {
    /// Now, and this build's version.
    pub fn now() -> RunInfo {
        RunInfo {
            generated_at: super::now_rfc3339(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// One policy file with its digest.
#[derive(Debug, Clone)]
pub struct FileDigest {
    /// The file's name as shown in diagnostics.
    pub name: String,
    /// SHA-256 of its text, hex.
    pub sha256: String,
}

/// An input and how many records it held.
#[derive(Debug, Clone)]
pub struct InputCount {
    /// The input's name (`<stdin>` for standard input).
    pub name: String,
    /// Records read from it.
    pub records: u64,
}

/// A rule as a report shows it.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// Its name.
    pub name: String,
    /// `exclude`, `review` or `score`.
    pub kind: &'static str,
    /// Its `because` text.
    pub because: Option<String>,
    /// The source text of its `when` condition (`None`: the rule always applies).
    pub condition: Option<String>,
    /// `file:line:column` of the rule.
    pub location: String,
    /// The fields its condition and points read, in reading order.
    pub fields: Vec<FieldId>,
}

/// Why a rule touched a record: it held, or it could not be decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// Index into [`Summary::rules`].
    pub rule: usize,
    /// `None` when the condition held; the missing fields when it was unknown.
    pub missing: Option<Vec<String>>,
    /// The record's values of the fields the rule reads, as `(field, value)`.
    pub values: Vec<(String, String)>,
}

/// A record kept for the report (excluded, review or invalid).
#[derive(Debug, Clone)]
pub struct KeptRecord {
    /// Its id as text.
    pub id: String,
    /// The value of the label field (e.g. `name`), if the schema has one.
    pub label: Option<String>,
    /// Index into [`Summary::inputs`].
    pub input: usize,
    /// The line it starts on in its input.
    pub line: Option<u64>,
    /// Its score (`None` for invalid records).
    pub score: Option<f64>,
    /// Its tier's name.
    pub tier: Option<String>,
    /// The rules that excluded it (empty unless excluded).
    pub exclusions: Vec<Reason>,
    /// The rules that sent it to review.
    pub reviews: Vec<Reason>,
    /// Why it is invalid.
    pub errors: Vec<FieldError>,
}

/// A score histogram kept in integer buckets of `width` points; the width grows (and the
/// buckets merge) when there would be too many, so its size stays bounded.
#[derive(Debug, Clone)]
pub struct Histogram {
    /// Bucket width in points (1, 5, 10, 50, 100, ...).
    pub width: f64,
    /// Bucket index (`floor(score / width)`) → counts of qualified, review, excluded.
    pub buckets: BTreeMap<i64, [u64; 3]>,
}

const MAX_BUCKETS: usize = 4096;

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram {
            width: 1.0,
            buckets: BTreeMap::new(),
        }
    }
}

impl Histogram {
    /// Counts one score of a valid decision.
    pub fn add(&mut self, score: f64, kind: DecisionKind) {
        let slot = match kind {
            DecisionKind::Qualified => 0,
            DecisionKind::Review => 1,
            DecisionKind::Excluded => 2,
            DecisionKind::Invalid => return,
        };
        if !score.is_finite() {
            return;
        }
        // Far beyond any real score; keeps bucket indices and ranges exact.
        let score = score.clamp(-1e15, 1e15);
        let index = (score / self.width).floor() as i64;
        self.buckets.entry(index).or_default()[slot] += 1;
        while self.buckets.len() > MAX_BUCKETS {
            self.widen();
        }
    }

    fn widen(&mut self) {
        // 1 → 5 → 10 → 50 → 100 ...: each width a multiple of the one before.
        let factor = if (self.width.log10().round() - self.width.log10()).abs() < 1e-9 {
            5.0
        } else {
            2.0
        };
        let new_width = self.width * factor;
        let mut merged: BTreeMap<i64, [u64; 3]> = BTreeMap::new();
        for (index, counts) in std::mem::take(&mut self.buckets) {
            let start = index as f64 * self.width;
            let slot = merged
                .entry((start / new_width).floor() as i64)
                .or_default();
            for k in 0..3 {
                slot[k] += counts[k];
            }
        }
        self.width = new_width;
        self.buckets = merged;
    }

    /// The bars to draw: `(from, to, [qualified, review, excluded])`, consecutive and
    /// without gaps between the lowest and highest score, at most about `max_bars`.
    pub fn bars(&self, max_bars: usize) -> Vec<(f64, f64, [u64; 3])> {
        let (Some((&lo, _)), Some((&hi, _))) = (
            self.buckets.first_key_value(),
            self.buckets.last_key_value(),
        ) else {
            return Vec::new();
        };
        let range = (hi as f64 - lo as f64 + 1.0) * self.width;
        let mut width = self.width;
        for nice in nice_widths() {
            if nice + 1e-9 < self.width || !is_multiple(nice, self.width) {
                continue;
            }
            width = nice;
            if range / nice <= max_bars as f64 {
                break;
            }
        }
        let mut bars: BTreeMap<i64, [u64; 3]> = BTreeMap::new();
        for (index, counts) in &self.buckets {
            let start = *index as f64 * self.width;
            let slot = bars.entry((start / width).floor() as i64).or_default();
            for k in 0..3 {
                slot[k] += counts[k];
            }
        }
        let (first, last) = match (bars.first_key_value(), bars.last_key_value()) {
            (Some((&a, _)), Some((&b, _))) => (a, b),
            _ => return Vec::new(),
        };
        (first..=last)
            .map(|i| {
                let counts = bars.get(&i).copied().unwrap_or_default();
                (i as f64 * width, (i + 1) as f64 * width, counts)
            })
            .collect()
    }
}

fn nice_widths() -> impl Iterator<Item = f64> {
    (0..18).flat_map(|exp| {
        let base = 10f64.powi(exp);
        [1.0 * base, 2.0 * base, 2.5 * base, 5.0 * base]
    })
}

fn is_multiple(a: f64, b: f64) -> bool {
    let q = a / b;
    (q - q.round()).abs() < 1e-9
}

/// Everything a report shows, gathered in one pass.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The policy's name.
    pub policy_name: String,
    /// Its version.
    pub policy_version: u64,
    /// Its content hash.
    pub policy_hash: String,
    /// Its files, the main one first.
    pub files: Vec<FileDigest>,
    /// Time and tool.
    pub run: RunInfo,
    /// The inputs in the order read.
    pub inputs: Vec<InputCount>,
    /// Records per decision, indexed by `DecisionKind as usize`.
    pub counts: [u64; 4],
    /// Tier names in order.
    pub tiers: Vec<String>,
    /// Per tier (and one last row for "no tier"), records per decision.
    pub tier_counts: Vec<[u64; 4]>,
    /// Scores of valid records.
    pub histogram: Histogram,
    /// Tier thresholds that are plain `score >= N` / `score > N` conditions.
    pub thresholds: Vec<(String, f64)>,
    /// The policy's rules.
    pub rules: Vec<RuleInfo>,
    /// The label field's name (e.g. `name`), if any.
    pub label_field: Option<String>,
    /// Excluded records in input order.
    pub excluded: Vec<KeptRecord>,
    /// Records that need a person, in input order.
    pub review: Vec<KeptRecord>,
    /// Invalid records in input order.
    pub invalid: Vec<KeptRecord>,
}

impl Summary {
    /// All records.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Records of one decision.
    pub fn count(&self, kind: DecisionKind) -> u64 {
        self.counts[kind as usize]
    }

    /// The exclusion groups: each exclusion rule that excluded at least one record, in
    /// policy order, with the records it excluded (a record excluded by two rules is in
    /// both groups).
    pub fn exclusion_groups(&self) -> Vec<(usize, Vec<&KeptRecord>)> {
        let mut groups: Vec<(usize, Vec<&KeptRecord>)> = Vec::new();
        for (index, _) in self.rules.iter().enumerate() {
            let records: Vec<&KeptRecord> = self
                .excluded
                .iter()
                .filter(|r| r.exclusions.iter().any(|x| x.rule == index))
                .collect();
            if !records.is_empty() {
                groups.push((index, records));
            }
        }
        groups
    }
}

/// Builds a [`Summary`] from decisions handed in one at a time.
pub struct SummaryBuilder<'p> {
    policy: &'p Policy,
    label: Option<FieldId>,
    summary: Summary,
}

impl<'p> SummaryBuilder<'p> {
    /// A builder for `policy`'s decisions.
    pub fn new(policy: &'p Policy, run: RunInfo) -> SummaryBuilder<'p> {
        let label = label_field(&policy.schema);
        let rules = policy
            .rules
            .iter()
            .map(|rule| {
                let mut fields = Vec::new();
                if let Some(points) = &rule.points {
                    fields_read(points, &mut fields);
                }
                if let Some(when) = &rule.when {
                    fields_read(when, &mut fields);
                }
                RuleInfo {
                    name: rule.name.clone(),
                    kind: rule.kind.keyword(),
                    because: rule.because.clone(),
                    condition: rule
                        .when_span
                        .map(|span| one_line(policy.sources.snippet(span))),
                    location: policy.sources.location(rule.span),
                    fields,
                }
            })
            .collect();
        let thresholds = policy
            .tiers
            .iter()
            .filter_map(|tier| match &tier.when {
                Some(TypedExpr::Compare(CompareOp::Ge | CompareOp::Gt, left, right)) => {
                    match (left.as_ref(), right.as_ref()) {
                        (TypedExpr::Score, TypedExpr::Number(n)) => Some((tier.name.clone(), *n)),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect();
        SummaryBuilder {
            policy,
            label,
            summary: Summary {
                policy_name: policy.name.clone(),
                policy_version: policy.version,
                policy_hash: policy.hash.clone(),
                files: policy
                    .sources
                    .files()
                    .iter()
                    .map(|f| FileDigest {
                        name: f.name.clone(),
                        sha256: super::hash::sha256_hex(f.text.as_bytes()),
                    })
                    .collect(),
                run,
                inputs: Vec::new(),
                counts: [0; 4],
                tiers: policy.tiers.iter().map(|t| t.name.clone()).collect(),
                tier_counts: vec![[0; 4]; policy.tiers.len() + 1],
                histogram: Histogram::default(),
                thresholds,
                rules,
                label_field: label.map(|f| policy.schema.fields[f].name.clone()),
                excluded: Vec::new(),
                review: Vec::new(),
                invalid: Vec::new(),
            },
        }
    }

    /// Starts the next input; its records follow.
    pub fn begin_input(&mut self, name: String) {
        self.summary.inputs.push(InputCount { name, records: 0 });
    }

    /// Counts one decision, and keeps the record if a person needs to see it.
    pub fn add(&mut self, record: &Record, decision: &Decision) {
        let no_tier = self.policy.tiers.len();
        let s = &mut self.summary;
        if s.inputs.is_empty() {
            s.inputs.push(InputCount {
                name: "<input>".to_string(),
                records: 0,
            });
        }
        let input = s.inputs.len() - 1;
        s.inputs[input].records += 1;
        s.counts[decision.kind as usize] += 1;
        if let Some(row) = s.tier_counts.get_mut(decision.tier.unwrap_or(no_tier)) {
            row[decision.kind as usize] += 1;
        }
        if let Some(score) = decision.score {
            s.histogram.add(score, decision.kind);
        }
        if decision.kind == DecisionKind::Qualified {
            return;
        }
        let kept = KeptRecord {
            id: id_text(&decision.id),
            label: self
                .label
                .and_then(|f| record.values.get(f).cloned().flatten())
                .map(|v| value_text(&self.policy.schema, &v)),
            input,
            line: record.line,
            score: decision.score,
            tier: decision.tier.map(|t| self.policy.tiers[t].name.clone()),
            exclusions: decision
                .exclusions()
                .map(|o| self.reason(o, record))
                .collect(),
            reviews: decision.reviews().map(|o| self.reason(o, record)).collect(),
            errors: decision.errors.clone(),
        };
        let s = &mut self.summary;
        match decision.kind {
            DecisionKind::Excluded => s.excluded.push(kept),
            DecisionKind::Review => s.review.push(kept),
            DecisionKind::Invalid => s.invalid.push(kept),
            DecisionKind::Qualified => {}
        }
    }

    fn reason(&self, outcome: &RuleOutcome, record: &Record) -> Reason {
        let schema = &self.policy.schema;
        Reason {
            rule: outcome.rule,
            missing: (outcome.truth == Truth::Unknown).then(|| {
                outcome
                    .missing
                    .iter()
                    .map(|f| schema.fields[*f].name.clone())
                    .collect()
            }),
            values: self
                .summary
                .rules
                .get(outcome.rule)
                .map(|r| r.fields.as_slice())
                .unwrap_or_default()
                .iter()
                .filter(|f| !outcome.missing.contains(f))
                .map(|f| {
                    let value = record
                        .values
                        .get(*f)
                        .cloned()
                        .flatten()
                        .map_or_else(|| "missing".to_string(), |v| value_text(schema, &v));
                    (schema.fields[*f].name.clone(), value)
                })
                .collect(),
        }
    }

    /// The summary.
    pub fn finish(self) -> Summary {
        self.summary
    }
}

/// Whether a reason excluded (rather than sent to review): used for labels.
pub fn effect_word(action: MissingAction) -> &'static str {
    match action {
        MissingAction::Exclude => "excluded",
        MissingAction::Review => "review",
        MissingAction::Ignore => "ignored",
    }
}

/// The field that names a record for people: `name`, else the first text field whose
/// name ends in `name`; never the key (the id is shown anyway).
fn label_field(schema: &Schema) -> Option<FieldId> {
    let text_fields = || {
        schema
            .fields
            .iter()
            .enumerate()
            .filter(|(i, f)| f.ty == FieldType::Text && Some(*i) != schema.key)
    };
    text_fields()
        .find(|(_, f)| f.name == "name")
        .or_else(|| text_fields().find(|(_, f)| f.name.ends_with("name")))
        .map(|(i, _)| i)
}

/// A value as text for people.
pub fn value_text(schema: &Schema, value: &Value) -> String {
    match value {
        Value::Number(n) => format_number(*n),
        Value::Text(t) => t.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Enum(e) => schema.enum_name(*e).to_string(),
        Value::TextList(items) => items.join("; "),
        Value::NumberList(items) => items
            .iter()
            .map(|n| format_number(*n))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Source text on one line: trimmed, each line break with its indentation one space.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.trim().lines().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(if i > 0 { line.trim() } else { line.trim_end() });
    }
    out
}

/// The fields an expression reads, each once, in reading order.
fn fields_read(expr: &TypedExpr, out: &mut Vec<FieldId>) {
    let push = |f: FieldId, out: &mut Vec<FieldId>| {
        if !out.contains(&f) {
            out.push(f);
        }
    };
    match expr {
        TypedExpr::Number(_)
        | TypedExpr::Text(_)
        | TypedExpr::Bool(_)
        | TypedExpr::Enum(_)
        | TypedExpr::Score
        | TypedExpr::ConstLen(_) => {}
        TypedExpr::Field(f) | TypedExpr::FieldLen(f) => push(*f, out),
        TypedExpr::Is { field, .. } => push(*field, out),
        TypedExpr::Neg(a) | TypedExpr::Not(a) => fields_read(a, out),
        TypedExpr::Arith(_, a, b)
        | TypedExpr::And(a, b)
        | TypedExpr::Or(a, b)
        | TypedExpr::Compare(_, a, b) => {
            fields_read(a, out);
            fields_read(b, out);
        }
        TypedExpr::In { item, list, .. } => {
            fields_read(item, out);
            if let ListRef::Field(f) = list {
                push(*f, out);
            }
        }
        TypedExpr::Between(a, b, c) => {
            fields_read(a, out);
            fields_read(b, out);
            fields_read(c, out);
        }
        TypedExpr::Call(_, args) => {
            for a in args {
                fields_read(a, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_widens_and_stays_bounded() {
        let mut h = Histogram::default();
        for i in 0..10_000 {
            h.add(i as f64, DecisionKind::Qualified);
        }
        assert!(h.buckets.len() <= MAX_BUCKETS);
        let total: u64 = h.buckets.values().map(|c| c[0]).sum();
        assert_eq!(total, 10_000);
        let bars = h.bars(20);
        assert!(bars.len() <= 21, "{} bars", bars.len());
        assert_eq!(bars.iter().map(|b| b.2[0]).sum::<u64>(), 10_000);
    }

    #[test]
    fn histogram_of_extreme_scores_stays_small() {
        let mut h = Histogram::default();
        h.add(-1e300, DecisionKind::Qualified);
        h.add(1e300, DecisionKind::Review);
        h.add(0.5, DecisionKind::Excluded);
        let bars = h.bars(24);
        assert!(bars.len() <= 25, "{} bars", bars.len());
        let counts: u64 = bars.iter().map(|b| b.2.iter().sum::<u64>()).sum();
        assert_eq!(counts, 3);
    }

    #[test]
    fn histogram_bars_cover_the_range_without_gaps() {
        let mut h = Histogram::default();
        h.add(-16.0, DecisionKind::Qualified);
        h.add(117.0, DecisionKind::Excluded);
        h.add(60.0, DecisionKind::Review);
        let bars = h.bars(20);
        assert_eq!(bars.first().map(|b| b.0), Some(-20.0));
        assert_eq!(bars.last().map(|b| b.1), Some(120.0));
        for pair in bars.windows(2) {
            assert_eq!(pair[0].1, pair[1].0);
        }
    }
}
