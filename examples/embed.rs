//! Using sweetspot as a library: load the shipped policy, decide one record built from
//! JSON and one from CSV-style cells, and print the contract's JSON row for each.
//!
//! Run it with `cargo run --example embed`.

use sweetspot::Policy;

fn main() {
    let policy = match Policy::load("rules/icp.icp") {
        Ok(policy) => policy,
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}");
            }
            std::process::exit(1);
        }
    };

    let from_json = policy.record_from_json(&serde_json::json!({
        "id": "acme", "name": "Acme GmbH", "country": "DE", "industry": "software",
        "employees": 850, "deal_value": 90000, "revenue_type": "subscription",
        "contract_term_months": 36, "sector": "private", "in_merger": false,
        "reference_willing": true
    }));
    let from_cells = policy.record_from_cells([
        ("id", "gov1"),
        ("name", "Ministry of Examples"),
        ("country", "FR"),
        ("industry", "public_administration"),
        ("employees", "4000"),
        ("deal_value", "150000"),
        ("revenue_type", "subscription"),
        ("contract_term_months", "48"),
        ("sector", "public"),
        ("in_merger", "no"),
    ]);

    for record in [from_json, from_cells] {
        let decision = policy.evaluate(&record);
        println!(
            "{}: {} (tier {}, score {})",
            sweetspot::io::id_text(&decision.id),
            decision.kind.as_str(),
            policy.tier_name(&decision).unwrap_or("-"),
            decision
                .score
                .map_or("-".to_string(), sweetspot::io::format_number),
        );
        println!("  {}", policy.decision_json(&decision));
    }
}
