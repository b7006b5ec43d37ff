//! The run manifest of `eval --manifest FILE`: everything needed to reproduce a run and to
//! prove which policy text decided it — the policy hash and each policy file's SHA-256,
//! each input's SHA-256 and record count, the counts per decision, the options and the tool
//! version.

use std::path::Path;

use serde_json::{json, Value};

use super::hash::{file_sha256, sha256_hex};
use super::ReportError;
use crate::check::Policy;
use crate::eval::DecisionKind;
use crate::io::{is_written_in_place, move_into_place, partial_path, InputSource};

/// The manifest format's version; bumped when a field changes meaning.
pub const MANIFEST_VERSION: u64 = 1;

/// What one `eval` run did, as the manifest records it.
pub struct EvalRun<'a> {
    /// The policy file as named on the command line.
    pub policy_path: &'a Path,
    /// The loaded policy.
    pub policy: &'a Policy,
    /// The inputs read, each with its record count.
    pub inputs: &'a [(InputSource, u64)],
    /// Decisions per kind (indexed by `DecisionKind as usize`).
    pub counts: [u64; 4],
    /// The output file, if any (standard output otherwise).
    pub output: Option<&'a Path>,
    /// The output format's name.
    pub format: &'a str,
    /// The `eval` options that change decisions or their reading.
    pub options: Value,
    /// The time of the run (RFC 3339).
    pub generated_at: String,
}

/// Builds the manifest. Inputs and the output are hashed by reading them again; standard
/// input cannot be, so its `sha256` is `null`.
pub fn build(run: &EvalRun<'_>) -> Result<Value, ReportError> {
    let files: Vec<Value> = run
        .policy
        .sources
        .files()
        .iter()
        .map(|f| {
            json!({
                "path": f.name,
                "sha256": sha256_hex(f.text.as_bytes()),
            })
        })
        .collect();
    let mut inputs = Vec::new();
    for (source, records) in run.inputs {
        let sha256 = match source {
            InputSource::File(path) => Some(file_sha256(path).map_err(|e| ReportError::Hash {
                file: path.display().to_string(),
                message: e.to_string(),
            })?),
            InputSource::Stdin => None,
        };
        inputs.push(json!({"path": source.name(), "sha256": sha256, "records": records}));
    }
    let output_hash = match run.output {
        Some(path) => Some(file_sha256(path).map_err(|e| ReportError::Hash {
            file: path.display().to_string(),
            message: e.to_string(),
        })?),
        None => None,
    };
    let mut decisions = serde_json::Map::new();
    for kind in [
        DecisionKind::Qualified,
        DecisionKind::Review,
        DecisionKind::Excluded,
        DecisionKind::Invalid,
    ] {
        decisions.insert(kind.as_str().to_string(), json!(run.counts[kind as usize]));
    }
    Ok(json!({
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "sweetspot", "version": env!("CARGO_PKG_VERSION")},
        "generated_at": run.generated_at,
        "policy": {
            "path": run.policy_path.display().to_string(),
            "name": run.policy.name,
            "version": run.policy.version,
            "hash": run.policy.hash,
            "files": files,
        },
        "inputs": inputs,
        "options": run.options,
        "records": run.counts.iter().sum::<u64>(),
        "decisions": decisions,
        "output": {
            "path": run.output.map(|p| p.display().to_string()),
            "format": run.format,
            "sha256": output_hash,
        },
    }))
}

/// Writes `text` to `path` whole: first to a temporary file beside it, then moved into
/// place, so a reader never sees half a file. `Ok(Some(warning))`: written, but the
/// previous file could not be deleted (the warning says where it is left).
pub fn write_file(path: &Path, text: &str) -> Result<Option<String>, ReportError> {
    let temp = partial_path(path);
    let fail = |e: std::io::Error| ReportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    if is_written_in_place(path) {
        return std::fs::write(path, text).map(|()| None).map_err(fail);
    }
    std::fs::write(&temp, text).map_err(fail)?;
    match move_into_place(&temp, path) {
        Ok(warning) => Ok(warning),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(fail(e))
        }
    }
}

/// Builds the manifest and writes it to `path` as pretty JSON (see [`write_file`] for
/// the warning).
pub fn write(path: &Path, run: &EvalRun<'_>) -> Result<Option<String>, ReportError> {
    let manifest = build(run)?;
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    write_file(path, &text)
}
