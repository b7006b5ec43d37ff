//! Views for people and for auditors, built on top of evaluation: the compliance report
//! (HTML or Markdown), the impact of a policy change (`diff`), and the audit trail (content
//! hashes and the run manifest).
//!
//! Every view is built in one streaming pass: records are decided one at a time and only
//! what the view needs is kept (counts, a histogram, and the rows a person must look at).
//!
//! ```
//! use sweetspot::report::{build_summary, markdown, RunInfo};
//! use sweetspot::io::{InputOptions, InputSource};
//!
//! let policy = sweetspot::Policy::load("rules/icp.icp").map_err(|e| e.len())?;
//! let inputs = [InputSource::File("examples/prospects.csv".into())];
//! let (summary, _warnings) =
//!     build_summary(&policy, &inputs, &InputOptions::default(), RunInfo::now())
//!         .map_err(|_| 0usize)?;
//! println!("{}", markdown::render(&summary));
//! # Ok::<(), usize>(())
//! ```

pub mod diff;
pub mod diff_render;
pub mod hash;
pub mod html;
pub mod manifest;
pub mod markdown;
pub mod summary;

use miette::Diagnostic;
use thiserror::Error;

pub use summary::{RunInfo, Summary, SummaryBuilder};

use crate::check::Policy;
use crate::io::{read_records, InputError, InputOptions, InputSource};

/// Problems of the report, diff and manifest views that are not about one input file.
#[derive(Debug, Error, Diagnostic)]
pub enum ReportError {
    /// An input could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(#[from] InputError),
    /// The report, diff or manifest file could not be written.
    #[error("cannot write `{path}`: {message}")]
    #[diagnostic(
        code(sweetspot::report::write),
        help("check that the folder exists and can be written to")
    )]
    Write {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// `diff` reads every input once per policy, so it cannot read standard input.
    #[error("`diff` cannot read standard input")]
    #[diagnostic(
        code(sweetspot::diff::stdin),
        help("`diff` reads each input twice (once per policy): save the records to a file and name it")
    )]
    DiffStdin,
    /// The two passes over the inputs did not see the same records.
    #[error("`{file}` gave {old} records for the old policy and {new} for the new one")]
    #[diagnostic(
        code(sweetspot::diff::record_count),
        help("did the file change while `diff` was reading it? run it again on a copy")
    )]
    DiffRecordCount {
        /// The input.
        file: String,
        /// Records read with the old policy's schema.
        old: u64,
        /// Records read with the new policy's schema.
        new: u64,
    },
    /// An input file could not be hashed for the manifest.
    #[error("cannot hash input `{file}` for the manifest: {message}")]
    #[diagnostic(
        code(sweetspot::manifest::hash),
        help("the input was read, but reading it again to hash it failed; check the file")
    )]
    Hash {
        /// The input.
        file: String,
        /// Why.
        message: String,
    },
}

/// Reads every input with `policy`'s schema, decides each record and gathers the
/// [`Summary`], with the inputs' warnings. Stops at the first input that cannot be read.
pub fn build_summary(
    policy: &Policy,
    inputs: &[InputSource],
    options: &InputOptions,
    run: RunInfo,
) -> Result<(Summary, Vec<String>), Box<InputError>> {
    let mut builder = SummaryBuilder::new(policy, run);
    let mut warnings = Vec::new();
    for source in inputs {
        builder.begin_input(source.name());
        let mut sink = |record: crate::Record| {
            let decision = policy.evaluate(&record);
            builder.add(&record, &decision);
            Ok(())
        };
        match read_records(source, &policy.schema, options, &mut sink) {
            Ok(summary) => warnings.extend(summary.warnings),
            Err(e) => return Err(Box::new(e)),
        }
    }
    Ok((builder.finish(), warnings))
}

/// The current time as RFC 3339 in UTC, to the second (`2026-11-27T08:57:29Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since the Unix epoch as RFC 3339 in UTC.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_769_849), "2026-11-27T08:57:29Z");
    }
}
