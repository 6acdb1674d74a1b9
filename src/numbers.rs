//! How numbers are written for people, in tables and in messages alike:
//! thousands separators, rounding (never truncation), money in millions,
//! signed changes and compressed period ranges.

use num_format::{Locale, ToFormattedString};

/// `x` rounded half away from zero to `decimals` places, with thousands
/// separators: `1234567.891, 1` -> `1,234,567.9`. Zero (and anything that
/// rounds to zero) prints as `0`.
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "-".to_string();
    }
    let factor = 10f64.powi(decimals as i32);
    let rounded = (x * factor).round() / factor;
    if rounded == 0.0 {
        return "0".to_string();
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    let fixed = format!("{:.*}", decimals, rounded.abs());
    let (whole, fraction) = match fixed.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (fixed.as_str(), None),
    };
    let whole: u64 = whole.parse().unwrap_or(0);
    let whole = whole.to_formatted_string(&Locale::en);
    match fraction {
        Some(f) => format!("{sign}{whole}.{f}"),
        None => format!("{sign}{whole}"),
    }
}

/// Money in millions of currency units with one decimal.
pub fn millions(x: f64) -> String {
    number(x / 1e6, 1)
}

/// A share as a percentage with `decimals` places.
pub fn percent(share: f64, decimals: usize) -> String {
    format!("{}%", number(share * 100.0, decimals))
}

/// A change with its sign: `+1,234.5`, `-3.0`, `0`.
pub fn signed(x: f64, decimals: usize) -> String {
    let text = number(x, decimals);
    if text != "0" && !text.starts_with('-') {
        format!("+{text}")
    } else {
        text
    }
}

/// A change in money, in millions, with its sign.
pub fn signed_millions(x: f64) -> String {
    signed(x / 1e6, 1)
}

/// A relative change as a signed percentage; `-` when there is no base.
pub fn signed_percent(share: Option<f64>, decimals: usize) -> String {
    match share {
        Some(share) => format!("{}%", signed(share * 100.0, decimals)),
        None => "-".to_string(),
    }
}

/// A value as typed, for people: thousands separators and the decimals it
/// has (up to six): `1200000` -> `1,200,000`, `0.15` -> `0.15`. Text that is
/// not a number stays as it is.
pub fn as_typed(text: &str) -> String {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() => {
            let decimals = (0..=6)
                .find(|&d| (value * 10f64.powi(d)).fract().abs() < 1e-9)
                .unwrap_or(6) as usize;
            number(value, decimals)
        }
        _ => text.to_string(),
    }
}

/// A count with its noun, singular for one: `1 LP solve`, `2,390 LP
/// solves`, `1 node`.
pub fn count(n: f64, singular: &str, plural: &str) -> String {
    let text = number(n, 0);
    format!("{text} {}", if text == "1" { singular } else { plural })
}

/// Significant digits a result keeps in JSON and CSV: beyond them a
/// solver's arithmetic shows as noise (`7.649999999999995`), and no input
/// is known to better than this.
pub const SIGNIFICANT_DIGITS: usize = 12;

/// A result's number as files carry it: zero below 1e-9 (solver noise and
/// `-0`), otherwise rounded to [`SIGNIFICANT_DIGITS`].
pub fn tidy(x: f64) -> f64 {
    if !x.is_finite() || x.abs() < 1e-9 {
        return if x.is_finite() { 0.0 } else { x };
    }
    format!("{:.*e}", SIGNIFICANT_DIGITS - 1, x)
        .parse()
        .unwrap_or(x)
}

/// Every number of a JSON value tidied once ([`tidy`]), and a whole number
/// written as an integer (`420`, not `420.0`). JSON and CSV files are
/// written through this, so both carry the same numbers.
pub fn tidy_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let x = tidy(n.as_f64().unwrap_or_default());
            // Whole numbers below 2^53 are exact as integers.
            *value = if x.fract() == 0.0 && x.abs() < 9.0e15 {
                Value::from(x as i64)
            } else {
                serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
            };
        }
        Value::Array(items) => items.iter_mut().for_each(tidy_json),
        Value::Object(fields) => fields.values_mut().for_each(tidy_json),
        _ => {}
    }
}

/// Compresses a list of periods into ranges: `2025Q1-2025Q2, 2025Q4`.
pub fn period_ranges(labels: &[String], periods: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < periods.len() {
        let mut j = i;
        while j + 1 < periods.len() && periods[j + 1] == periods[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            labels[periods[i]].clone()
        } else {
            format!("{}-{}", labels[periods[i]], labels[periods[j]])
        });
        i = j + 1;
    }
    if parts.is_empty() {
        "never".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_singular_for_one_with_separators_above() {
        assert_eq!(count(1.0, "LP solve", "LP solves"), "1 LP solve");
        assert_eq!(count(2390.0, "LP solve", "LP solves"), "2,390 LP solves");
        assert_eq!(count(0.0, "node", "nodes"), "0 nodes");
    }

    #[test]
    fn tidy_drops_float_noise_and_keeps_whole_numbers_whole() {
        assert_eq!(tidy(7.649999999999995), 7.65);
        assert_eq!(tidy(-1e-13), 0.0);
        assert_eq!(tidy(2_638_161_247.351_9), 2_638_161_247.35);
        assert_eq!(tidy(1.234_567_890_123_4e-5), 1.234_567_890_12e-5);
        let mut value =
            serde_json::json!({"nodes": 420.0, "pb": [7.649999999999995, -0.0], "n": 3});
        tidy_json(&mut value);
        assert_eq!(value.to_string(), r#"{"nodes":420,"pb":[7.65,0],"n":3}"#);
    }

    #[test]
    fn numbers_are_grouped_and_rounded_not_truncated() {
        assert_eq!(number(1234567.891, 1), "1,234,567.9");
        assert_eq!(number(2.5, 0), "3");
        assert_eq!(number(-1234.5, 0), "-1,235");
        assert_eq!(number(0.00001, 2), "0");
        assert_eq!(number(-0.0, 2), "0");
        assert_eq!(number(999.96, 1), "1,000.0");
        assert_eq!(millions(2_637_650_111.6), "2,637.7");
        assert_eq!(percent(0.00098, 2), "0.10%");
        assert_eq!(number(f64::NAN, 1), "-");
        assert_eq!(signed(1234.54, 1), "+1,234.5");
        assert_eq!(signed(-0.01, 1), "0");
        assert_eq!(signed_percent(Some(-0.2231), 1), "-22.3%");
        assert_eq!(signed_percent(None, 1), "-");
    }
}
