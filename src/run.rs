//! The eval job for large inputs: rows are read in batches on one thread, turned into
//! records (CSV rows straight into typed slots, when the policy compiles to them),
//! decided and encoded in parallel (rayon), and written in input order on a thread of
//! their own. Memory stays flat: at most a few batches are in flight, whatever the
//! size of the input, and row buffers go back to the reader to be used again.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use crate::check::Policy;
use crate::eval::{Decision, DecisionKind, SlotDecision};
use crate::io::{
    read_batches, CsvRow, DecisionWriter, InputBatch, InputError, InputOptions, InputSource,
    InputSummary, RowEncoder, SlotRows,
};
use crate::record::Record;

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

/// One chunk, decided and encoded: the bytes, the row count and the decisions
/// counted by kind.
type EncodedChunk = std::io::Result<(Vec<u8>, u64, Counts)>;

/// What deciding a row reuses from one row to the next.
struct Scratch {
    words: Vec<u64>,
    decided: SlotDecision,
    decision: Decision,
}

/// Decides and encodes the rows of one chunk.
struct ChunkEncoder<'a> {
    policy: &'a Policy,
    encoder: &'a RowEncoder,
    /// Rows written straight from slot decisions, when the encoder's rows can be
    /// (JSON or JSONL without `--explain`, for a policy with a slot plan).
    slot_rows: Option<SlotRows<'a>>,
    /// Bytes per output row in the chunk encoded last: each chunk's buffer is sized
    /// from it (up to a bound), so that it is rarely regrown, and copied, while filled.
    row_bytes: &'a AtomicUsize,
}

impl ChunkEncoder<'_> {
    /// Decides and encodes each of `rows` with `encode_row`, which appends the row to
    /// the buffer and returns its decision.
    fn encode<T>(
        &self,
        rows: impl ExactSizeIterator<Item = T>,
        encode_row: impl Fn(&Self, T, &mut Scratch, &mut Vec<u8>) -> std::io::Result<DecisionKind>,
    ) -> EncodedChunk {
        let mut scratch = Scratch {
            words: Vec::new(),
            decided: SlotDecision::default(),
            decision: Decision::empty(),
        };
        let per_row = self.row_bytes.load(Ordering::Relaxed);
        let size = rows.len().saturating_mul(per_row + per_row / 4);
        let mut buf = Vec::with_capacity(size.min(MAX_RESERVED));
        let mut kinds = [0u64; 4];
        let mut count = 0u64;
        for row in rows {
            let kind = encode_row(self, row, &mut scratch, &mut buf)?;
            kinds[kind as usize] += 1;
            count += 1;
        }
        if count > 0 {
            self.row_bytes
                .store(buf.len().div_ceil(count as usize), Ordering::Relaxed);
        }
        Ok((buf, count, kinds))
    }

    /// Decides one record and encodes it.
    fn record(
        &self,
        record: &Record,
        scratch: &mut Scratch,
        buf: &mut Vec<u8>,
    ) -> std::io::Result<DecisionKind> {
        self.policy.evaluate_into(record, &mut scratch.decision);
        self.decision(&scratch.decision, buf)
    }

    /// Decides one CSV row and encodes it: with the typed-slot plan when the policy
    /// has one (its cells are read straight into slot words), else by the record's
    /// values. Rows that can be are written straight from the slot decision, without
    /// a list of outcomes.
    fn csv_row(
        &self,
        row: &CsvRow,
        scratch: &mut Scratch,
        buf: &mut Vec<u8>,
    ) -> std::io::Result<DecisionKind> {
        let policy = self.policy;
        let Some(plan) = policy.plan().slots() else {
            return self.record(&row.to_record(&policy.schema), scratch, buf);
        };
        let words = std::mem::take(&mut scratch.words);
        let (record, words) = row.to_slots(&policy.schema, plan, words);
        let decided = &mut scratch.decided;
        plan.decide(&words, decided);
        let written = match &self.slot_rows {
            Some(rows) => rows.encode(&record, &words, decided, buf),
            None => {
                let out = &mut scratch.decision;
                plan.expand(&words, decided, out);
                out.id = record.id;
                out.errors = record.errors;
                self.decision(out, buf).map(drop)
            }
        };
        scratch.words = words;
        written.map(|()| decided.kind)
    }

    /// Encodes one decision the usual way.
    fn decision(&self, d: &Decision, buf: &mut Vec<u8>) -> std::io::Result<DecisionKind> {
        self.encoder
            .encode_many(self.policy, std::iter::once(d), buf)?;
        Ok(d.kind)
    }
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
    let row_bytes = AtomicUsize::new(512);
    let chunks = ChunkEncoder {
        policy,
        encoder: &encoder,
        slot_rows: encoder.slot_rows(policy),
        row_bytes: &row_bytes,
    };
    std::thread::scope(|scope| {
        let (batches, received) = sync_channel::<InputBatch>(QUEUED);
        let reader = scope.spawn(move || {
            read_batches(source, &policy.schema, options, BATCH, &mut |batch| {
                batches.send(batch).map_err(|_| {
                    // The writer stopped; its own error is reported.
                    InputError::Write {
                        message: "output stopped".to_string(),
                    }
                })
            })
        });
        let (to_write, encoded) = sync_channel::<Vec<EncodedChunk>>(1);
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
            let encoded: Vec<EncodedChunk> = match &batch {
                InputBatch::Records(records) => records
                    .par_chunks(CHUNK)
                    .map(|chunk| chunks.encode(chunk.iter(), ChunkEncoder::record))
                    .collect(),
                InputBatch::Csv(csv) => csv
                    .chunks(CHUNK)
                    .collect::<Vec<_>>()
                    .into_par_iter()
                    .map(|chunk| {
                        chunks.encode(chunk.into_iter(), |chunks, row, scratch, buf| {
                            chunks.csv_row(&row, scratch, buf)
                        })
                    })
                    .collect(),
            };
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
