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
