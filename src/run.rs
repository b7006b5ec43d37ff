//! The eval job for large inputs: rows are read in batches on one thread, turned into
//! records (CSV rows straight into typed slots, when the policy compiles to them),
//! decided and encoded in parallel (rayon), and written in input order on a thread of
//! their own. Memory stays flat: at most a few batches are in flight, whatever the
//! size of the input, and row buffers go back to the reader to be used again.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use rayon::prelude::*;

use crate::check::Policy;
use crate::eval::{Decision, SlotDecision};
use crate::io::{
    read_rows, CsvColumns, DecisionWriter, InputError, InputOptions, InputRow, InputSource,
    InputSummary,
};

/// Records per batch handed from the reader to the deciders.
const BATCH: usize = 2048;
/// Records per parallel task within a batch.
const CHUNK: usize = 256;
/// Batches queued between the reader and the deciders.
const QUEUED: usize = 2;
/// The most a chunk's output buffer reserves up front (it grows past it if need be):
/// one chunk of huge rows must not make every later chunk reserve as much.
const MAX_RESERVED: usize = 4 << 20;

/// Decisions counted per kind, indexed by `DecisionKind as usize`.
pub type Counts = [u64; 4];

/// One batch, decided and encoded: per chunk the bytes, the row count and the
/// decisions counted by kind.
type Encoded = Vec<std::io::Result<(Vec<u8>, u64, Counts)>>;

/// What deciding a row reuses from one row to the next.
#[derive(Default)]
struct Scratch {
    words: Vec<u64>,
    decided: SlotDecision,
    /// Rows read, to be handed back to the reader (see `CsvColumns::give_back`).
    spare: Vec<csv::ByteRecord>,
    columns: Option<Arc<CsvColumns>>,
}

impl Scratch {
    /// Hands the rows of this chunk back to the reader.
    fn give_back(&mut self) {
        if let Some(columns) = &self.columns {
            columns.give_back(&mut self.spare);
        }
    }
}

/// Decides one row: a CSV row with the typed-slot plan when the policy has one (its
/// cells are read straight into slot words), anything else by the record's values.
/// `every_outcome` false: only the outcomes a row without `--explain` shows are kept.
fn decide_row(
    policy: &Policy,
    row: InputRow,
    every_outcome: bool,
    scratch: &mut Scratch,
    out: &mut Decision,
) {
    let (plan, row) = match (policy.plan().slots(), row) {
        (Some(plan), InputRow::Csv(row)) => (plan, row),
        (_, row) => {
            // JSON records arrive with their values read: the tree plan decides
            // those faster than converting them into slots would.
            let record = row.into_record(&policy.schema);
            policy.evaluate_into(&record, out);
            return;
        }
    };
    let words = std::mem::take(&mut scratch.words);
    if scratch.columns.is_none() {
        scratch.columns = Some(Arc::clone(row.columns()));
    }
    let (record, words) = row.into_slots(&policy.schema, plan, words, &mut scratch.spare);
    plan.decide(&words, &mut scratch.decided);
    if every_outcome {
        plan.expand(&words, &scratch.decided, out);
    } else {
        plan.expand_shown(&words, &scratch.decided, out);
    }
    out.id = record.id;
    out.errors = record.errors;
    scratch.words = words;
}

/// Decides every record of `source` and writes the rows in input order. `progress`
/// is told how many records are done after each batch.
///
/// Three stages run at once: a reader thread cuts the input into batches of rows,
/// this thread decides and encodes each batch in parallel, and a writer thread
/// writes the previous batch meanwhile (so the copy into the output file overlaps
/// with deciding, instead of leaving the deciders idle).
pub fn evaluate_source<W: Write + Send>(
    policy: &Policy,
    source: &InputSource,
    options: &InputOptions,
    writer: &mut DecisionWriter<W>,
    counts: &mut Counts,
    progress: &mut dyn FnMut(u64),
) -> Result<InputSummary, InputError> {
    // Compile before the threads start, so they share one plan.
    policy.plan();
    let encoder = writer.encoder().clone();
    let every_outcome = encoder.shows_every_outcome();
    // Bytes per output row in the chunk encoded last: each chunk's buffer is sized
    // from it (up to a bound), so that it is rarely regrown, and copied, while filled.
    let row_bytes = AtomicUsize::new(512);
    std::thread::scope(|scope| {
        let (batches, received) = sync_channel::<Vec<InputRow>>(QUEUED);
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let result = read_rows(source, &policy.schema, options, &mut |row| {
                batch.push(row);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if batches.send(full).is_err() {
                        // The writer stopped; its own error is reported.
                        return Err(InputError::Write {
                            message: "output stopped".to_string(),
                        });
                    }
                }
                Ok(())
            });
            if !batch.is_empty() {
                let _ = batches.send(batch);
            }
            result
        });
        let (to_write, encoded) = sync_channel::<Encoded>(1);
        let written = scope.spawn(move || -> std::io::Result<()> {
            for batch in encoded {
                for part in batch {
                    let (bytes, rows, kinds) = part?;
                    writer.write_rows(&bytes, rows)?;
                    for (total, n) in counts.iter_mut().zip(kinds) {
                        *total += n;
                    }
                }
            }
            Ok(())
        });
        let mut done = 0u64;
        for batch in received {
            let rows = batch.len() as u64;
            let encoded: Encoded = batch
                .into_par_iter()
                .chunks(CHUNK)
                .map(|chunk| {
                    let mut decision = Decision::empty();
                    let mut scratch = Scratch::default();
                    let per_row = row_bytes.load(Ordering::Relaxed);
                    let size = chunk.len().saturating_mul(per_row + per_row / 4);
                    let mut buf = Vec::with_capacity(size.min(MAX_RESERVED));
                    let mut kinds = [0u64; 4];
                    let mut rows = 0;
                    for row in chunk {
                        // Cells become values here, in parallel, not on the reader.
                        decide_row(policy, row, every_outcome, &mut scratch, &mut decision);
                        kinds[decision.kind as usize] += 1;
                        rows +=
                            encoder.encode_many(policy, std::iter::once(&decision), &mut buf)?;
                    }
                    scratch.give_back();
                    if rows > 0 {
                        row_bytes.store(buf.len().div_ceil(rows as usize), Ordering::Relaxed);
                    }
                    Ok((buf, rows, kinds))
                })
                .collect();
            if to_write.send(encoded).is_err() {
                // The writer stopped on an error, reported below.
                break;
            }
            done += rows;
            progress(done);
        }
        drop(to_write);
        let write = written
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the writer stopped unexpectedly")));
        let read = reader.join().unwrap_or_else(|_| {
            Err(InputError::Unreadable {
                file: source.name(),
                message: "the reader stopped unexpectedly".to_string(),
            })
        });
        match write {
            Err(e) => Err(InputError::Write {
                message: e.to_string(),
            }),
            Ok(()) => read,
        }
    })
}
