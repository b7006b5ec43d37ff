//! A deterministic generator of realistic prospect records for `rules/icp.icp`:
//! a mix of countries, industries, sizes, missing optional fields and a few invalid
//! rows. The same `--seed` always gives the same file.
//!
//! `cargo run --release --example gen_records -- --count 1000000 --seed 7 > big.csv`

use std::io::{BufWriter, Write};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const COUNTRIES: &[&str] = &[
    "DE", "DE", "DE", "AT", "CH", "FR", "NL", "GB", "US", "US", "SE", "DK", "PL", "ES", "IT", "IR",
    "RU", "CA", "JP", "BR",
];
const INDUSTRIES: &[&str] = &[
    "software",
    "software",
    "manufacturing",
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
const REVENUE: &[&str] = &["subscription", "subscription", "transaction", "services"];
const STACKS: &[&str] = &["salesforce", "sap", "hubspot", "azure", "aws", "epic"];
const PREFIX: &[&str] = &[
    "Nord", "Alpen", "Rhein", "Blue", "Bright", "Iron", "Kiwi", "Polar", "Sun", "Oak",
];
const SUFFIX: &[&str] = &[
    "Systems GmbH",
    "Retail AG",
    "Data Ltd",
    "Health Inc.",
    "Energie SE",
    "Software AB",
];

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn maybe(
    rng: &mut ChaCha8Rng,
    missing: f64,
    value: impl FnOnce(&mut ChaCha8Rng) -> String,
) -> String {
    if rng.random_bool(missing) {
        String::new()
    } else {
        value(rng)
    }
}

fn main() -> std::io::Result<()> {
    let count = arg("--count", 1000);
    let mut rng = ChaCha8Rng::seed_from_u64(arg("--seed", 7));
    let out = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, out.lock());
    writeln!(
        out,
        "id,name,country,industry,employees,deal_value,revenue_type,contract_term_months,sector,nps,reference_willing,in_merger,tech_stack,annual_revenue,late_payer,project_only,deployment,needs_leadership_attention"
    )?;
    let pick = |rng: &mut ChaCha8Rng, list: &[&'static str]| list[rng.random_range(0..list.len())];
    for i in 0..count {
        let employees: u32 = rng.random_range(5..20_000);
        let deal: u32 = rng.random_range(5..600) * 1000;
        let mut row = vec![
            format!("c{i:07}"),
            format!("{} {}", pick(&mut rng, PREFIX), pick(&mut rng, SUFFIX)),
            pick(&mut rng, COUNTRIES).to_string(),
            pick(&mut rng, INDUSTRIES).to_string(),
            employees.to_string(),
            deal.to_string(),
            pick(&mut rng, REVENUE).to_string(),
            [1, 6, 12, 24, 36, 48, 60][rng.random_range(0..7)].to_string(),
            if rng.random_bool(0.12) {
                "public"
            } else {
                "private"
            }
            .to_string(),
            maybe(&mut rng, 0.4, |r| r.random_range(-100..=100).to_string()),
            maybe(&mut rng, 0.5, |r| r.random_bool(0.3).to_string()),
            rng.random_bool(0.05).to_string(),
            maybe(&mut rng, 0.3, |r| {
                let n = r.random_range(1..4);
                (0..n)
                    .map(|_| pick(r, STACKS))
                    .collect::<Vec<_>>()
                    .join(";")
            }),
            maybe(&mut rng, 0.5, |r| {
                (r.random_range(1..2000u64) * 100_000).to_string()
            }),
            maybe(&mut rng, 0.7, |r| r.random_bool(0.1).to_string()),
            maybe(&mut rng, 0.6, |r| r.random_bool(0.15).to_string()),
            maybe(&mut rng, 0.5, |r| {
                if r.random_bool(0.2) {
                    "on_premise"
                } else {
                    "cloud"
                }
                .to_string()
            }),
            maybe(&mut rng, 0.8, |r| r.random_bool(0.1).to_string()),
        ];
        // About one row in a thousand is broken, as real exports are.
        if rng.random_bool(0.001) {
            match rng.random_range(0..3) {
                0 => row[4] = "many".to_string(),
                1 => row[8] = "Public".to_string(),
                _ => row[3] = String::new(),
            }
        }
        writeln!(out, "{}", row.join(","))?;
    }
    out.flush()
}
