//! Calendar months, planning periods and their labels.
//!
//! A scenario starts at a month (`start = "2025-01"`) and is cut into
//! `periods` periods of `period_months` months each. Month ranges in the
//! scenario (`available_from`, export rules' `from`/`until`) are inclusive and
//! apply to every period they overlap.

use std::fmt;

/// A calendar month, e.g. 2025-04.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// Months since year 0, January: `year * 12 + (month - 1)`.
    ordinal: i64,
}

impl Month {
    /// Builds a month from a year and a month number in 1..=12.
    pub fn new(year: i64, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month {
            ordinal: year * 12 + i64::from(month) - 1,
        })
    }

    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        if !year
            .bytes()
            .chain(month.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Month::new(year.parse().ok()?, month.parse().ok()?)
    }

    /// The calendar year.
    pub fn year(self) -> i64 {
        self.ordinal.div_euclid(12)
    }

    /// The month number, 1..=12.
    pub fn month(self) -> u32 {
        (self.ordinal.rem_euclid(12) + 1) as u32
    }

    /// This month plus `months` months.
    pub fn plus(self, months: i64) -> Month {
        Month {
            ordinal: self.ordinal + months,
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// An inclusive month range with open ends allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthRange {
    pub from: Option<Month>,
    pub until: Option<Month>,
}

impl MonthRange {
    /// Whether the range shares at least one month with `first..=last`.
    pub fn overlaps(&self, first: Month, last: Month) -> bool {
        self.from.is_none_or(|from| from <= last) && self.until.is_none_or(|until| until >= first)
    }
}

/// The periods of a plan: where they start and how long they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    pub start: Month,
    pub period_months: u32,
    pub periods: usize,
}

impl Calendar {
    /// First month of period `t`.
    pub fn first_month(&self, t: usize) -> Month {
        self.start.plus((t as i64) * i64::from(self.period_months))
    }

    /// Last month of period `t`.
    pub fn last_month(&self, t: usize) -> Month {
        self.first_month(t).plus(i64::from(self.period_months) - 1)
    }

    /// Whether period `t` overlaps the month range.
    pub fn overlaps(&self, t: usize, range: &MonthRange) -> bool {
        range.overlaps(self.first_month(t), self.last_month(t))
    }

    /// The label of period `t`: `2025Q1` for quarters, `2025-01` for months,
    /// `2025H1` for half years, `2025` for years.
    pub fn label(&self, t: usize) -> String {
        let first = self.first_month(t);
        let index = (first.month() - 1) / self.period_months + 1;
        match self.period_months {
            1 => first.to_string(),
            3 => format!("{}Q{}", first.year(), index),
            6 => format!("{}H{}", first.year(), index),
            _ => format!("{}", first.year()),
        }
    }

    /// All period labels in order.
    pub fn labels(&self) -> Vec<String> {
        (0..self.periods).map(|t| self.label(t)).collect()
    }

    /// Hours in one period (a month is 730 hours).
    pub fn hours_per_period(&self) -> f64 {
        crate::units::HOURS_PER_MONTH * f64::from(self.period_months)
    }

    /// Seconds in one period.
    pub fn seconds_per_period(&self) -> f64 {
        3600.0 * self.hours_per_period()
    }

    /// Period length in years.
    pub fn years_per_period(&self) -> f64 {
        f64::from(self.period_months) / 12.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_months() {
        let m = Month::parse("2025-04").unwrap();
        assert_eq!((m.year(), m.month()), (2025, 4));
        assert_eq!(m.to_string(), "2025-04");
        assert_eq!(m.plus(9).to_string(), "2026-01");
        assert!(Month::parse("2025-13").is_none());
        assert!(Month::parse("2025-4").is_none());
        assert!(Month::parse("25-04").is_none());
        assert!(Month::parse("2025/04").is_none());
    }

    #[test]
    fn labels_follow_period_length() {
        let start = Month::parse("2025-01").unwrap();
        let cal = |period_months| Calendar {
            start,
            period_months,
            periods: 4,
        };
        assert_eq!(cal(3).labels(), ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]);
        assert_eq!(
            cal(1).labels(),
            ["2025-01", "2025-02", "2025-03", "2025-04"]
        );
        assert_eq!(cal(6).labels(), ["2025H1", "2025H2", "2026H1", "2026H2"]);
        assert_eq!(cal(12).labels(), ["2025", "2026", "2027", "2028"]);
    }

    #[test]
    fn ranges_apply_to_every_overlapping_period() {
        let cal = Calendar {
            start: Month::parse("2025-01").unwrap(),
            period_months: 3,
            periods: 4,
        };
        // A ban from 2025-04 to 2025-07 touches Q2 and Q3 only.
        let ban = MonthRange {
            from: Month::parse("2025-04"),
            until: Month::parse("2025-07"),
        };
        let hit: Vec<bool> = (0..4).map(|t| cal.overlaps(t, &ban)).collect();
        assert_eq!(hit, [false, true, true, false]);
        let open = MonthRange {
            from: Month::parse("2025-08"),
            until: None,
        };
        let hit: Vec<bool> = (0..4).map(|t| cal.overlaps(t, &open)).collect();
        assert_eq!(hit, [false, false, true, true]);
    }
}
