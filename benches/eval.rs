//! The evaluation core on `rules/icp.icp`, records already decoded: a hand-written Rust
//! function that evaluates the same 20 rules (with the same three-valued logic) on a
//! plain struct, and sweetspot's typed-slot plan on records in slot form (what
//! `eval` decodes CSV rows into). Both produce the same information: decision, tier,
//! score and, per rule, true / unknown / excluded / reviewed as bit sets. For context
//! the same run also times the slot plan followed by building the outcomes an output
//! row shows, the tree plan on `Record`s (explain, test, report, JSON input) and the
//! reference evaluator. All run over the same 10,000 generated records in one
//! criterion run, so their ratios are measured side by side.
//!
//! `cargo bench --bench eval`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark may stop

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use sweetspot::eval::SlotDecision;
use sweetspot::{Decision, DecisionKind, Policy, Record, Truth};

const N: usize = 10_000;

/// A prospect as a hand-written program would hold it: missing optionals are `None`.
#[derive(Clone)]
struct Prospect {
    country: String,
    industry: u8, // index into the enum as declared
    employees: f64,
    deal_value: f64,
    revenue_type: u8,
    contract_term_months: f64,
    public_sector: bool,
    nps: Option<f64>,
    reference_willing: Option<bool>,
    in_merger: bool,
    tech_stack: Option<Vec<String>>,
    annual_revenue: Option<f64>,
    late_payer: Option<bool>,
    project_only: Option<bool>,
    on_premise: Option<bool>,
    needs_leadership_attention: Option<bool>,
}

/// What the hand-written function decides: the same information as sweetspot's
/// decision (each rule's truth and effect, score, tier, decision).
#[derive(Default)]
struct HandDecision {
    kind: u8, // 0 qualified, 1 review, 2 excluded
    tier: u8,
    score: f64,
    truth_true: u32,
    truth_unknown: u32,
    excluded_by: u32,
    reviewed_by: u32,
}

const INDUSTRIES: [&str; 10] = [
    "software",
    "manufacturing",
    "retail",
    "finance",
    "healthcare",
    "energy",
    "public_administration",
    "defense",
    "tobacco",
    "political_party",
];
const REVENUE: [&str; 3] = ["subscription", "transaction", "services"];

fn tri(b: Option<bool>) -> Truth {
    match b {
        Some(true) => Truth::True,
        Some(false) => Truth::False,
        None => Truth::Unknown,
    }
}

#[inline(never)]
fn decide_by_hand(p: &Prospect, out: &mut HandDecision) {
    let mut truths = [Truth::False; 20];
    truths[0] = tri(Some(matches!(
        p.country.as_str(),
        "IR" | "KP" | "SY" | "CU" | "RU" | "BY"
    )));
    truths[1] = tri(Some(matches!(p.industry, 7..=9)));
    truths[2] = tri(Some(p.in_merger && p.contract_term_months < 12.0));
    truths[3] = tri(Some(p.public_sector));
    truths[4] = tri(p.late_payer);
    let big = p.deal_value >= 200_000.0;
    truths[5] = tri(Some(big)).and(match p.annual_revenue {
        Some(r) => tri(Some(p.deal_value > r / 20.0)),
        None => Truth::Unknown,
    });
    let points = [
        30.0, 10.0, -20.0, 20.0, 0.0, 10.0, 25.0, 10.0, -10.0, 5.0, -15.0, -10.0, 5.0, -10.0,
    ];
    truths[6] = tri(Some(p.revenue_type == 0));
    truths[7] = tri(Some(p.revenue_type == 1));
    truths[8] = tri(Some(p.revenue_type == 2));
    truths[9] = tri(Some(p.contract_term_months >= 36.0));
    truths[10] = Truth::True;
    truths[11] = tri(Some((200.0..=5000.0).contains(&p.employees)));
    truths[12] = tri(p.reference_willing);
    truths[13] = tri(p.nps.map(|n| n >= 50.0));
    truths[14] = tri(p.nps.map(|n| n < 0.0));
    truths[15] = tri(p
        .tech_stack
        .as_ref()
        .map(|t| t.iter().any(|s| s == "salesforce")));
    truths[16] = tri(p.project_only);
    truths[17] = tri(p.on_premise);
    truths[18] = tri(Some(matches!(p.country.as_str(), "DE" | "AT" | "CH")));
    truths[19] = tri(p.needs_leadership_attention);
    let mut score = 0.0;
    for (i, t) in truths[6..].iter().enumerate() {
        if *t == Truth::True {
            score += if i == 4 {
                (p.deal_value / 10_000.0).clamp(0.0, 15.0)
            } else {
                points[i]
            };
        }
    }
    let (mut t_mask, mut u_mask, mut ex, mut rv) = (0u32, 0u32, 0u32, 0u32);
    for (i, t) in truths.iter().enumerate() {
        match t {
            Truth::True => t_mask |= 1 << i,
            Truth::Unknown => u_mask |= 1 << i,
            Truth::False => {}
        }
    }
    ex |= t_mask & 0b111;
    ex |= u_mask & 0b111; // unknown exclusions default to review, below
    rv |= t_mask & 0b111000;
    rv |= u_mask & 0b100000; // deal_too_big: on missing review; late payer ignores
    rv |= ex & u_mask;
    ex &= !u_mask;
    out.score = score;
    out.tier = if score >= 60.0 {
        0
    } else if score >= 30.0 {
        1
    } else {
        2
    };
    out.kind = if ex != 0 {
        2
    } else if rv != 0 {
        1
    } else {
        0
    };
    out.truth_true = t_mask;
    out.truth_unknown = u_mask;
    out.excluded_by = ex;
    out.reviewed_by = rv;
}

fn random_json(rng: &mut ChaCha8Rng, i: usize) -> Value {
    let pick = |rng: &mut ChaCha8Rng, l: &[&'static str]| l[rng.random_range(0..l.len())];
    let term = [1, 6, 12, 24, 36, 48][rng.random_range(0..6)];
    let mut v = json!({
        "id": format!("c{i}"),
        "name": "Bench GmbH",
        "country": pick(rng, &["DE", "DE", "AT", "CH", "FR", "US", "GB", "IR", "RU", "JP"]),
        "industry": pick(rng, &INDUSTRIES),
        "employees": rng.random_range(5..20_000),
        "deal_value": rng.random_range(5..600) * 1000,
        "revenue_type": pick(rng, &REVENUE),
        "contract_term_months": term,
        "sector": if rng.random_bool(0.12) { "public" } else { "private" },
        "in_merger": rng.random_bool(0.05),
    });
    let obj = v.as_object_mut().unwrap();
    let mut opt = |rng: &mut ChaCha8Rng, key: &str, value: Value| {
        if rng.random_bool(0.5) {
            obj.insert(key.to_string(), value);
        }
    };
    let nps = rng.random_range(-100..=100);
    opt(rng, "nps", json!(nps));
    let b = rng.random_bool(0.3);
    opt(rng, "reference_willing", json!(b));
    opt(
        rng,
        "tech_stack",
        json!(["sap", if b { "salesforce" } else { "aws" }]),
    );
    let rev = rng.random_range(1..2000u64) * 100_000;
    opt(rng, "annual_revenue", json!(rev));
    let b = rng.random_bool(0.1);
    opt(rng, "late_payer", json!(b));
    let b = rng.random_bool(0.15);
    opt(rng, "project_only", json!(b));
    let b = rng.random_bool(0.2);
    opt(
        rng,
        "deployment",
        json!(if b { "on_premise" } else { "cloud" }),
    );
    let b = rng.random_bool(0.1);
    opt(rng, "needs_leadership_attention", json!(b));
    v
}

fn prospect(v: &Value) -> Prospect {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let n = |k: &str| v[k].as_f64().unwrap_or_default();
    Prospect {
        country: s("country"),
        industry: INDUSTRIES.iter().position(|i| *i == s("industry")).unwrap() as u8,
        employees: n("employees"),
        deal_value: n("deal_value"),
        revenue_type: REVENUE
            .iter()
            .position(|i| *i == s("revenue_type"))
            .unwrap() as u8,
        contract_term_months: n("contract_term_months"),
        public_sector: s("sector") == "public",
        nps: v["nps"].as_f64(),
        reference_willing: v["reference_willing"].as_bool(),
        in_merger: v["in_merger"].as_bool().unwrap(),
        tech_stack: v["tech_stack"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect()),
        annual_revenue: v["annual_revenue"].as_f64(),
        late_payer: v["late_payer"].as_bool(),
        project_only: v["project_only"].as_bool(),
        on_premise: v["deployment"].as_str().map(|d| d == "on_premise"),
        needs_leadership_attention: v["needs_leadership_attention"].as_bool(),
    }
}

fn bench(c: &mut Criterion) {
    let policy = Policy::load("rules/icp.icp").expect("rules/icp.icp loads");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let json: Vec<Value> = (0..N).map(|i| random_json(&mut rng, i)).collect();
    let records: Vec<Record> = json.iter().map(|v| policy.record_from_json(v)).collect();
    let prospects: Vec<Prospect> = json.iter().map(prospect).collect();

    // Both sides must agree before their speed means anything.
    let mut hand = HandDecision::default();
    for (record, p) in records.iter().zip(&prospects) {
        let d = policy.evaluate(record);
        decide_by_hand(p, &mut hand);
        let kind = match d.kind {
            DecisionKind::Qualified => 0,
            DecisionKind::Review => 1,
            DecisionKind::Excluded => 2,
            DecisionKind::Invalid => panic!("bench records are valid"),
        };
        assert_eq!(
            (kind, d.tier, d.score),
            (hand.kind, Some(hand.tier as usize), Some(hand.score))
        );
    }

    // The records in typed-slot form, one after another: what the engine decides.
    let slots = policy
        .plan()
        .slots()
        .expect("rules/icp.icp compiles to typed slots");
    let width = slots.words_per_record();
    let mut words = vec![0u64; width * N];
    for (record, w) in records.iter().zip(words.chunks_mut(width)) {
        slots.encode(record, w);
    }
    let mut decided = SlotDecision::default();
    for (i, (record, p)) in records.iter().zip(&prospects).enumerate() {
        let w = &words[i * width..(i + 1) * width];
        slots.decide(w, &mut decided);
        decide_by_hand(p, &mut hand);
        assert_eq!(
            (
                decided.truth,
                decided.unknown,
                decided.excluded,
                decided.review
            ),
            (
                u64::from(hand.truth_true),
                u64::from(hand.truth_unknown),
                u64::from(hand.excluded_by),
                u64::from(hand.reviewed_by)
            )
        );
        let mut full = Decision::empty();
        slots.expand(w, &decided, &mut full);
        full.id = record.id.clone();
        assert_eq!(full, sweetspot::eval::decide(&policy, record));
    }

    let mut group = c.benchmark_group("evaluation core (rules/icp.icp, 10k decoded records)");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("hand-written Rust", |b| {
        let mut out = HandDecision::default();
        b.iter(|| {
            for p in &prospects {
                decide_by_hand(black_box(p), &mut out);
                black_box(&out);
            }
        })
    });
    group.bench_function("sweetspot typed slots", |b| {
        let mut out = SlotDecision::default();
        b.iter(|| {
            for w in words.chunks_exact(width) {
                slots.decide(black_box(w), &mut out);
                black_box(&out);
            }
        })
    });
    // As `eval` writes JSONL rows: straight from the slot decision.
    let writer = sweetspot::io::DecisionWriter::new(Vec::new(), sweetspot::io::OutputFormat::Jsonl)
        .for_policy(&policy);
    let rows = writer
        .encoder()
        .slot_rows(&policy)
        .expect("JSONL rows of rules/icp.icp are written from slot decisions");
    group.bench_function("sweetspot typed slots, then the JSONL row", |b| {
        let mut out = SlotDecision::default();
        let mut buf = Vec::with_capacity(1 << 20);
        b.iter(|| {
            buf.clear();
            for (w, record) in words.chunks_exact(width).zip(&records) {
                slots.decide(black_box(w), &mut out);
                rows.encode(record, w, &out, &mut buf).expect("rows encode");
            }
            black_box(&buf);
        })
    });
    group.bench_function("sweetspot tree plan (Record in, every outcome)", |b| {
        let mut out = Decision::empty();
        b.iter(|| {
            for r in &records {
                policy.evaluate_into(black_box(r), &mut out);
                black_box(&out);
            }
        })
    });
    group.bench_function("sweetspot reference evaluator", |b| {
        b.iter(|| {
            for r in &records {
                black_box(sweetspot::eval::decide(&policy, black_box(r)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
