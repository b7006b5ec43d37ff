//! The yardstick for `sweetspot eval rules/icp.icp INPUT.csv --format jsonl -o OUTPUT`:
//! the same job written by hand in plain Rust for this one policy, with no part of
//! sweetspot's library (no policy file is read; the rules of `rules/icp.icp` and
//! `rules/sanctions.icp` are written out below as Rust code).
//!
//! `cargo run --release --example handwritten_eval -- INPUT.csv OUTPUT.jsonl`
//!
//! How it works, the way a competent engineer would write it:
//! - the `csv` crate reads the file into reused `ByteRecord`s, in chunks of
//!   [`CHUNK`] rows on one thread;
//! - each row becomes a typed [`Prospect`] (columns found by header name, so their
//!   order does not matter), or a list of field errors;
//! - [`decide`] applies the policy's 20 rules with its three-valued logic: a
//!   missing optional field makes a condition unknown, `false and unknown` is false,
//!   and each rule's `on missing` default applies (exclude rules and review rules
//!   send an unknown to review, `known_late_payer` ignores it, score rules add 0);
//! - each row is serialized by `serde_json` from a `#[derive(Serialize)]` struct,
//!   one line per row, in pieces of [`PIECE`] rows decided in parallel by rayon;
//! - pieces are written in input order through a `BufWriter`. Reading the next
//!   chunk (and writing the previous one) overlaps with deciding the current one, so
//!   at most two chunks of rows and two of output are held at any time.
//!
//! The output is byte for byte what sweetspot writes for the rows of the generated
//! data (`cargo run --release --example gen_records`), including its invalid rows:
//! a number cell that is not a number, an enum value in the wrong case, an empty
//! required cell; also an enum value not in the list and a bad bool. Not handled
//! like sweetspot (none of this occurs in the generated data):
//! - a row with more or fewer cells than the header stops the run with the `csv`
//!   crate's error (sweetspot writes an invalid row for it);
//! - malformed CSV (e.g. a quote that never closes) is left to the `csv` crate;
//! - a duplicate or non-UTF-8 header cell is not rejected; a non-UTF-8 data cell
//!   gives the same field error as in sweetspot;
//! - the file must be comma-separated (sweetspot also detects `;` from the header, as
//!   in `examples/prospects-de.csv`);
//! - `--strict`, `--decimal-comma` and other options of `sweetspot eval` do not
//!   exist here; columns the schema lacks are ignored, as without `--strict`;
//! - the policy stamp (its name, version and hash) is a constant copied from
//!   sweetspot's output for this policy.

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};

use csv::ByteRecord;
use rayon::prelude::*;
use serde::{Serialize, Serializer};
use smallvec::SmallVec;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Rows read from the input at a time.
const CHUNK: usize = 16_384;
/// Rows one parallel task decides and encodes.
const PIECE: usize = 512;

/// Every output row's `policy`: what sweetspot prints for `rules/icp.icp`.
const POLICY: PolicyStamp = PolicyStamp {
    name: "ICP FY2027",
    version: 3,
    hash: "d5054a7a74455f8c9d0b04deeecd0b1b86f767b166caff5667d007fea7119202",
};

// ------------------------------------------------------------------ the schema

/// The record schema's fields, in schema order (the order of errors in a row).
const FIELDS: [&str; 18] = [
    "id",
    "name",
    "country",
    "industry",
    "employees",
    "deal_value",
    "revenue_type",
    "contract_term_months",
    "sector",
    "nps",
    "reference_willing",
    "in_merger",
    "tech_stack",
    "annual_revenue",
    "late_payer",
    "project_only",
    "deployment",
    "needs_leadership_attention",
];
const ID: usize = 0;
const NAME: usize = 1;
const COUNTRY: usize = 2;
const INDUSTRY: usize = 3;
const EMPLOYEES: usize = 4;
const DEAL_VALUE: usize = 5;
const REVENUE_TYPE: usize = 6;
const CONTRACT_TERM_MONTHS: usize = 7;
const SECTOR: usize = 8;
const NPS: usize = 9;
const REFERENCE_WILLING: usize = 10;
const IN_MERGER: usize = 11;
const TECH_STACK: usize = 12;
const ANNUAL_REVENUE: usize = 13;
const LATE_PAYER: usize = 14;
const PROJECT_ONLY: usize = 15;
const DEPLOYMENT: usize = 16;
const NEEDS_LEADERSHIP_ATTENTION: usize = 17;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Industry {
    #[default]
    Software,
    Manufacturing,
    Retail,
    Finance,
    Healthcare,
    Energy,
    PublicAdministration,
    Defense,
    Tobacco,
    PoliticalParty,
}

const INDUSTRIES: &[(&str, Industry)] = &[
    ("software", Industry::Software),
    ("manufacturing", Industry::Manufacturing),
    ("retail", Industry::Retail),
    ("finance", Industry::Finance),
    ("healthcare", Industry::Healthcare),
    ("energy", Industry::Energy),
    ("public_administration", Industry::PublicAdministration),
    ("defense", Industry::Defense),
    ("tobacco", Industry::Tobacco),
    ("political_party", Industry::PoliticalParty),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum RevenueType {
    #[default]
    Subscription,
    Transaction,
    Services,
}

const REVENUE_TYPES: &[(&str, RevenueType)] = &[
    ("subscription", RevenueType::Subscription),
    ("transaction", RevenueType::Transaction),
    ("services", RevenueType::Services),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Sector {
    Public,
    #[default]
    Private,
}

const SECTORS: &[(&str, Sector)] = &[("public", Sector::Public), ("private", Sector::Private)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deployment {
    Cloud,
    OnPremise,
}

const DEPLOYMENTS: &[(&str, Deployment)] = &[
    ("cloud", Deployment::Cloud),
    ("on_premise", Deployment::OnPremise),
];

/// One prospect, typed by the schema; `None` is a missing optional field.
#[derive(Debug, Default)]
struct Prospect<'a> {
    id: &'a str,
    #[allow(dead_code)] // required, so read and checked, but no rule uses it
    name: &'a str,
    country: &'a str,
    industry: Industry,
    employees: f64,
    deal_value: f64,
    revenue_type: RevenueType,
    contract_term_months: f64,
    sector: Sector,
    nps: Option<f64>,
    reference_willing: Option<bool>,
    in_merger: bool,
    /// `list of text`: the cell as read, its items separated by `;`.
    tech_stack: Option<&'a str>,
    annual_revenue: Option<f64>,
    late_payer: Option<bool>,
    project_only: Option<bool>,
    deployment: Option<Deployment>,
    needs_leadership_attention: Option<bool>,
}

// ------------------------------------------------------------------ the output row

/// One output line.
#[derive(Serialize)]
struct Row<'a> {
    id: Id<'a>,
    decision: &'static str,
    tier: Option<&'static str>,
    score: Option<Num>,
    exclusions: SmallVec<[&'static str; 3]>,
    reviews: SmallVec<[&'static str; 3]>,
    contributions: SmallVec<[Contribution; 14]>,
    unknown: SmallVec<[Unknown; 11]>,
    errors: Vec<FieldError>,
    policy: PolicyStamp,
}

/// The key's text, or (when the key cell is empty) the row's 1-based position.
#[derive(Serialize)]
#[serde(untagged)]
enum Id<'a> {
    Text(&'a str),
    Position(u64),
}

#[derive(Serialize)]
struct Contribution {
    rule: &'static str,
    points: Num,
}

/// A rule whose condition was unknown, and the missing field that made it so
/// (in this policy every condition that can be unknown reads one optional field).
#[derive(Serialize)]
struct Unknown {
    rule: &'static str,
    missing: [&'static str; 1],
}

#[derive(Serialize)]
struct FieldError {
    field: &'static str,
    message: String,
}

#[derive(Serialize, Clone, Copy)]
struct PolicyStamp {
    name: &'static str,
    version: u64,
    hash: &'static str,
}

/// A number that serializes as an integer when whole (so `-0` prints as `0`).
#[derive(Clone, Copy)]
struct Num(f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let n = self.0;
        if n.fract() == 0.0 && n.abs() < 9.2e18 {
            s.serialize_i64(n as i64)
        } else if n.fract() == 0.0 && n.abs() < 8.5e37 {
            s.serialize_i128(n as i128)
        } else {
            s.serialize_f64(n)
        }
    }
}

impl<'a> Row<'a> {
    fn new(id: Id<'a>) -> Row<'a> {
        Row {
            id,
            decision: "qualified",
            tier: None,
            score: None,
            exclusions: SmallVec::new(),
            reviews: SmallVec::new(),
            contributions: SmallVec::new(),
            unknown: SmallVec::new(),
            errors: Vec::new(),
            policy: POLICY,
        }
    }
}

// ------------------------------------------------------------------ the policy

/// Decides one valid prospect: every rule in policy order (`sanctions.icp` is used
/// before the rules of `icp.icp`, so its two rules come first).
fn decide<'a>(p: &Prospect<'a>) -> Row<'a> {
    let mut row = Row::new(Id::Text(p.id));

    // exclude sanctioned_country, no_go_industry (sanctions.icp), merger_bridge
    if matches!(p.country, "IR" | "KP" | "SY" | "CU" | "RU" | "BY") {
        row.exclusions.push("sanctioned_country");
    }
    if matches!(
        p.industry,
        Industry::Defense | Industry::Tobacco | Industry::PoliticalParty
    ) {
        row.exclusions.push("no_go_industry");
    }
    if p.in_merger && p.contract_term_months < 12.0 {
        row.exclusions.push("merger_bridge");
    }

    // review public_sector
    if p.sector == Sector::Public {
        row.reviews.push("public_sector");
    }
    // review known_late_payer, on missing ignore
    match p.late_payer {
        Some(true) => row.reviews.push("known_late_payer"),
        Some(false) => {}
        None => row.unknown.push(Unknown {
            rule: "known_late_payer",
            missing: ["late_payer"],
        }),
    }
    // review deal_too_big: `deal_value >= 200_000 and deal_value > annual_revenue / 20`;
    // false and unknown is false; unknown goes to review (the default).
    if p.deal_value >= 200_000.0 {
        match p.annual_revenue {
            Some(revenue) => {
                if p.deal_value > revenue / 20.0 {
                    row.reviews.push("deal_too_big");
                }
            }
            None => {
                row.unknown.push(Unknown {
                    rule: "deal_too_big",
                    missing: ["annual_revenue"],
                });
                row.reviews.push("deal_too_big");
            }
        }
    }

    // score rules, summed in policy order; an unknown condition adds 0.
    use RevenueType::{Services, Subscription, Transaction};
    let mut s = Scores { row, score: 0.0 };
    let revenue = p.revenue_type;
    s.known("recurring_revenue", 30.0, revenue == Subscription);
    s.known("transaction_revenue", 10.0, revenue == Transaction);
    s.known("services_heavy", -20.0, revenue == Services);
    s.known("long_term", 20.0, p.contract_term_months >= 36.0);
    s.known(
        "deal_size",
        (p.deal_value / 10_000.0).clamp(0.0, 15.0),
        true,
    );
    s.known("mid_market", 10.0, (200.0..=5000.0).contains(&p.employees));
    s.optional("advocate", 25.0, p.reference_willing, "reference_willing");
    s.optional("promoter", 10.0, p.nps.map(|n| n >= 50.0), "nps");
    s.optional("detractor", -10.0, p.nps.map(|n| n < 0.0), "nps");
    let salesforce = p
        .tech_stack
        .map(|t| t.split(';').any(|i| i == "salesforce"));
    s.optional("modern_stack", 5.0, salesforce, "tech_stack");
    s.optional("one_off_project", -15.0, p.project_only, "project_only");
    let on_premise = p.deployment.map(|d| d == Deployment::OnPremise);
    s.optional("legacy_on_premise", -10.0, on_premise, "deployment");
    s.known("home_market", 5.0, matches!(p.country, "DE" | "AT" | "CH"));
    let care = p.needs_leadership_attention;
    s.optional("leadership_care", -10.0, care, "needs_leadership_attention");
    let Scores { mut row, mut score } = s;

    if score == 0.0 {
        score = 0.0; // -0 is 0
    }
    row.tier = Some(if score >= 60.0 {
        "A"
    } else if score >= 30.0 {
        "B"
    } else {
        "C"
    });
    row.score = Some(Num(score));
    row.decision = if !row.exclusions.is_empty() {
        "excluded"
    } else if !row.reviews.is_empty() {
        "review"
    } else {
        "qualified"
    };
    row
}

/// The running score of one row, and its contributions and unknowns.
struct Scores<'a> {
    row: Row<'a>,
    score: f64,
}

impl Scores<'_> {
    /// A score rule whose condition reads required fields only.
    fn known(&mut self, rule: &'static str, points: f64, when: bool) {
        if when {
            self.score += points;
            if points != 0.0 {
                self.row.contributions.push(Contribution {
                    rule,
                    points: Num(points),
                });
            }
        }
    }

    /// A score rule whose condition reads one optional field: unknown when it is
    /// missing (listed in `unknown`, adds 0).
    fn optional(
        &mut self,
        rule: &'static str,
        points: f64,
        when: Option<bool>,
        field: &'static str,
    ) {
        match when {
            Some(when) => self.known(rule, points, when),
            None => self.row.unknown.push(Unknown {
                rule,
                missing: [field],
            }),
        }
    }
}

// ------------------------------------------------------------------ reading cells

/// Where each schema field is in the CSV (by header name); `None`: the file lacks it.
struct Columns([Option<usize>; 18]);

impl Columns {
    fn from_header(header: &ByteRecord) -> Columns {
        let mut columns = [None; 18];
        for (index, name) in header.iter().enumerate() {
            if let Some(field) = FIELDS.iter().position(|f| f.as_bytes() == name) {
                columns[field] = Some(index);
            }
        }
        Columns(columns)
    }
}

/// Reads the typed fields of one row, collecting an error per bad field.
struct Cells<'a> {
    row: &'a ByteRecord,
    /// The whole row's cells as text, when they are all UTF-8 (one check per row).
    text: Option<&'a str>,
    columns: &'a Columns,
    errors: Vec<FieldError>,
}

impl<'a> Cells<'a> {
    /// The field's cell, or `None` when it is empty, absent or not UTF-8 (an error).
    fn cell(&mut self, field: usize) -> Option<&'a str> {
        let index = self.columns.0[field]?;
        let range = self.row.range(index)?;
        if range.is_empty() {
            return None;
        }
        if let Some(cell) = self.text.and_then(|text| text.get(range)) {
            return Some(cell);
        }
        // Not UTF-8, or a cell boundary splits a character: check this cell alone.
        match std::str::from_utf8(self.row.get(index)?) {
            Ok(cell) => Some(cell),
            Err(_) => {
                self.error(
                    field,
                    format!(
                        "column `{}` is not valid UTF-8; save the file as UTF-8",
                        FIELDS[field]
                    ),
                );
                None
            }
        }
    }

    #[cold]
    fn error(&mut self, field: usize, message: String) {
        self.errors.push(FieldError {
            field: FIELDS[field],
            message,
        });
    }

    /// An optional field: `None` when missing or bad (bad records an error).
    fn optional<T>(
        &mut self,
        field: usize,
        parse: impl Fn(&'a str) -> std::result::Result<T, String>,
    ) -> Option<T> {
        let cell = self.cell(field)?;
        match parse(cell) {
            Ok(value) => Some(value),
            Err(message) => {
                self.error(field, message);
                None
            }
        }
    }

    /// A required field: a missing one is an error too. The default returned with
    /// an error is never decided on (the record is invalid).
    fn required<T: Default>(
        &mut self,
        field: usize,
        parse: impl Fn(&'a str) -> std::result::Result<T, String>,
    ) -> T {
        let errors = self.errors.len();
        match self.optional(field, parse) {
            Some(value) => value,
            None => {
                if self.errors.len() == errors {
                    self.error(
                        field,
                        format!("required field `{}` is missing or empty", FIELDS[field]),
                    );
                }
                T::default()
            }
        }
    }
}

fn text(cell: &str) -> std::result::Result<&str, String> {
    Ok(cell)
}

/// A number: optional sign, digits, optional fraction and exponent; finite
/// (`1,200`, `1_200`, `.5`, `inf` and `nan` are not numbers).
fn number(cell: &str) -> std::result::Result<f64, String> {
    if is_number_syntax(cell.as_bytes()) {
        if let Ok(n) = cell.parse::<f64>() {
            if n.is_finite() {
                return Ok(n);
            }
        }
    }
    Err(not_a_number(cell))
}

fn is_number_syntax(b: &[u8]) -> bool {
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

#[cold]
fn not_a_number(cell: &str) -> String {
    let help = if cell.contains(',') && is_decimal_comma(cell) {
        " (no thousands separators or decimal commas: write 1200 or 1200.5, or pass --decimal-comma if the file writes numbers like 1.234,50)"
    } else if cell.contains(',') {
        " (no thousands separators or decimal commas: write 1200 or 1200.5)"
    } else {
        " (write digits like 1200, 1200.5 or -3)"
    };
    format!("`{cell}` is not a number{help}")
}

/// Whether `cell` reads as a number written the German way (`1.234,50`).
fn is_decimal_comma(cell: &str) -> bool {
    let rest = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (int, frac) = match rest.split_once(',') {
        Some((int, frac)) => (int, Some(frac)),
        None => (rest, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mut groups = int.split('.');
    let first = groups.next().unwrap_or("");
    if !all_digits(first) || (int.contains('.') && first.len() > 3) {
        return false;
    }
    groups.all(|g| g.len() == 3 && all_digits(g)) && frac.is_none_or(all_digits)
}

/// A bool: `true/false`, `yes/no` (any case) or `1/0`.
fn boolean(cell: &str) -> std::result::Result<bool, String> {
    let is = |word: &str| cell.eq_ignore_ascii_case(word);
    if is("true") || is("yes") || cell == "1" {
        Ok(true)
    } else if is("false") || is("no") || cell == "0" {
        Ok(false)
    } else {
        Err(format!(
            "`{cell}` is not a bool (write true/false, yes/no or 1/0)"
        ))
    }
}

/// An enum value: exact, case-sensitive.
fn one_of<T: Copy>(
    field: usize,
    values: &'static [(&'static str, T)],
) -> impl Fn(&str) -> std::result::Result<T, String> {
    move |cell| {
        for (name, value) in values {
            if *name == cell {
                return Ok(*value);
            }
        }
        Err(not_a_value(FIELDS[field], cell, values))
    }
}

#[cold]
fn not_a_value<T>(field: &str, cell: &str, values: &[(&str, T)]) -> String {
    match values.iter().find(|(n, _)| n.eq_ignore_ascii_case(cell)) {
        Some((exact, _)) => format!(
            "`{cell}` is not a value of `{field}`: values are case-sensitive, write `{exact}`"
        ),
        None => {
            let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
            format!(
                "`{cell}` is not a value of `{field}` (one of: {})",
                names.join(", ")
            )
        }
    }
}

/// A row that is not a valid record: its id and one error per bad field.
struct Invalid<'a> {
    id: Id<'a>,
    errors: Vec<FieldError>,
}

/// Reads one CSV row by the schema: the prospect, or why it is invalid.
fn read<'a>(
    row: &'a ByteRecord,
    columns: &'a Columns,
    position: u64,
) -> std::result::Result<Prospect<'a>, Invalid<'a>> {
    let mut c = Cells {
        row,
        text: std::str::from_utf8(row.as_slice()).ok(),
        columns,
        errors: Vec::new(),
    };
    let p = Prospect {
        id: c.required(ID, text),
        name: c.required(NAME, text),
        country: c.required(COUNTRY, text),
        industry: c.required(INDUSTRY, one_of(INDUSTRY, INDUSTRIES)),
        employees: c.required(EMPLOYEES, number),
        deal_value: c.required(DEAL_VALUE, number),
        revenue_type: c.required(REVENUE_TYPE, one_of(REVENUE_TYPE, REVENUE_TYPES)),
        contract_term_months: c.required(CONTRACT_TERM_MONTHS, number),
        sector: c.required(SECTOR, one_of(SECTOR, SECTORS)),
        nps: c.optional(NPS, number),
        reference_willing: c.optional(REFERENCE_WILLING, boolean),
        in_merger: c.required(IN_MERGER, boolean),
        tech_stack: c.optional(TECH_STACK, text),
        annual_revenue: c.optional(ANNUAL_REVENUE, number),
        late_payer: c.optional(LATE_PAYER, boolean),
        project_only: c.optional(PROJECT_ONLY, boolean),
        deployment: c.optional(DEPLOYMENT, one_of(DEPLOYMENT, DEPLOYMENTS)),
        needs_leadership_attention: c.optional(NEEDS_LEADERSHIP_ATTENTION, boolean),
    };
    if c.errors.is_empty() {
        return Ok(p);
    }
    let id = if p.id.is_empty() {
        Id::Position(position)
    } else {
        Id::Text(p.id)
    };
    Err(Invalid {
        id,
        errors: c.errors,
    })
}

// ------------------------------------------------------------------ the pipeline

/// Decides and encodes `rows` (the first at 1-based `position`) into `out`.
fn encode(
    rows: &[ByteRecord],
    columns: &Columns,
    position: u64,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    out.clear();
    for (i, record) in rows.iter().enumerate() {
        let row = match read(record, columns, position + i as u64) {
            Ok(prospect) => decide(&prospect),
            Err(Invalid { id, errors }) => Row {
                decision: "invalid",
                errors,
                ..Row::new(id)
            },
        };
        serde_json::to_writer(&mut *out, &row)?;
        out.push(b'\n');
    }
    Ok(())
}

/// Decides a chunk in parallel, one output buffer per piece.
fn encode_chunk(
    rows: &[ByteRecord],
    columns: &Columns,
    position: u64,
    pieces: &mut [Vec<u8>],
) -> serde_json::Result<()> {
    rows.par_chunks(PIECE)
        .zip(pieces.par_iter_mut())
        .enumerate()
        .try_for_each(|(i, (rows, out))| encode(rows, columns, position + (i * PIECE) as u64, out))
}

/// Reads up to `CHUNK` rows into `chunk` (its records reused); returns how many.
fn read_chunk(reader: &mut csv::Reader<File>, chunk: &mut [ByteRecord]) -> csv::Result<usize> {
    for (n, record) in chunk.iter_mut().enumerate() {
        if !reader.read_byte_record(record)? {
            return Ok(n);
        }
    }
    Ok(chunk.len())
}

/// Writes the encoded pieces in order and empties them.
fn write_pieces(out: &mut impl Write, pieces: &mut [Vec<u8>]) -> std::io::Result<()> {
    for piece in pieces {
        out.write_all(piece)?;
        piece.clear();
    }
    Ok(())
}

fn run(input: &str, output: &str) -> Result<()> {
    let mut reader = csv::Reader::from_path(input)?;
    let columns = Columns::from_header(reader.byte_headers()?);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(output)?);

    let pieces = CHUNK.div_ceil(PIECE);
    let mut current = vec![ByteRecord::new(); CHUNK];
    let mut next = vec![ByteRecord::new(); CHUNK];
    let mut encoded = vec![Vec::new(); pieces]; // the chunk being decided
    let mut pending = vec![Vec::new(); pieces]; // the chunk decided before, to write
    let mut filled = read_chunk(&mut reader, &mut current)?;
    let mut position = 1;
    while filled > 0 {
        // Write the previous chunk and read the next one while this one is decided.
        let (read, decided) = rayon::join(
            || -> Result<usize> {
                write_pieces(&mut out, &mut pending)?;
                Ok(read_chunk(&mut reader, &mut next)?)
            },
            || encode_chunk(&current[..filled], &columns, position, &mut encoded),
        );
        decided?;
        position += filled as u64;
        filled = read?;
        std::mem::swap(&mut current, &mut next);
        std::mem::swap(&mut encoded, &mut pending);
    }
    write_pieces(&mut out, &mut pending)?;
    out.flush()?;
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = args.as_slice() else {
        return Err("usage: handwritten_eval INPUT.csv OUTPUT.jsonl".into());
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build_global()?;
    run(input, output)
}
