//! The whole numbers most scores and points are, encoded once per run by serde_json
//! exactly as a row writes them ([`Num`]), so that a row copies them instead of
//! formatting them again. A number is looked up only when it is exactly one of them;
//! any other number is formatted by serde_json as usual.

use super::row::Num;

/// The smallest whole number encoded.
const LOWEST: i32 = -256;
/// How many whole numbers are encoded, from [`LOWEST`] on.
const COUNT: usize = 1280;

/// `Num(n)` as serde_json writes it, for each whole `n` from [`LOWEST`] on.
#[derive(Debug, Clone)]
pub(super) struct WholeNumbers {
    /// The numbers' JSON, one after another.
    text: String,
    /// Where each number's JSON ends in `text`.
    ends: Vec<usize>,
}

impl WholeNumbers {
    /// Encodes the numbers.
    pub(super) fn new() -> serde_json::Result<WholeNumbers> {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(COUNT);
        for n in (LOWEST..).take(COUNT) {
            text.push_str(&serde_json::to_string(&Num(f64::from(n)))?);
            ends.push(text.len());
        }
        Ok(WholeNumbers { text, ends })
    }

    /// The JSON of `Num(n)`, if `n` is one of the numbers encoded (`-0` is `0`).
    #[inline]
    pub(super) fn get(&self, n: f64) -> Option<&[u8]> {
        // Also false for NaN.
        if !(n >= f64::from(LOWEST) && n < f64::from(LOWEST) + COUNT as f64) {
            return None;
        }
        let whole = n as i32;
        if f64::from(whole) != n {
            return None;
        }
        let index = usize::try_from(whole - LOWEST).ok()?;
        let start = match index {
            0 => 0,
            _ => *self.ends.get(index - 1)?,
        };
        self.text.as_bytes().get(start..*self.ends.get(index)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_number_found_is_what_serde_json_writes() -> serde_json::Result<()> {
        let numbers = WholeNumbers::new()?;
        let mut found = 0;
        let mut tried = vec![-0.0, 0.5, -0.5, 1e-300, f64::NAN, f64::INFINITY, -1e300];
        for n in -300..1300 {
            tried.push(f64::from(n));
            tried.push(f64::from(n) + 0.25);
            tried.push(f64::from(n).next_up());
        }
        for n in tried {
            if let Some(json) = numbers.get(n) {
                assert_eq!(json, serde_json::to_string(&Num(n))?.as_bytes(), "{n}");
                found += 1;
            }
        }
        // Every whole number in range (and -0) is found.
        assert_eq!(found, COUNT + 1);
        assert_eq!(numbers.get(-256.0), Some(&b"-256"[..]));
        assert_eq!(numbers.get(1023.0), Some(&b"1023"[..]));
        assert_eq!(numbers.get(1024.0), None);
        assert_eq!(numbers.get(-257.0), None);
        Ok(())
    }
}
