//! The programme in CPLEX LP format, with the model's own names, so that any
//! solver can re-solve it and a person can read it.
//!
//! Names follow the format's rules, which every reader we know accepts
//! (CPLEX, GLPK's `glpsol --lp`, HiGHS, CBC): square brackets become
//! parentheses (`power_cap(lingang,2026Q1)`, `buy(H20,lingang,2025Q3)`),
//! characters outside the allowed set become `_`, and a name that could
//! read as a number or an exponent (a leading digit, `.`, `e` or `E`) gets a
//! leading `_`. Names made equal by this get a `#2`, `#3`... suffix.
//!
//! The objective's constant term (capital already committed, fixed charges)
//! is written as the coefficient of a column `objective_constant` fixed at
//! 1, since some readers refuse constants in the objective. The objective is
//! in model units: the header says what one unit is worth.

use std::collections::HashSet;
use std::fmt::Write;

use super::lp::{LinearProgram, Sense};

/// What the header of the file says about the model.
#[derive(Debug, Clone, PartialEq)]
pub struct LpHeader {
    pub scenario: String,
    pub currency: String,
    /// Currency units per objective unit.
    pub money_scale: f64,
}

/// The programme as LP-format text.
pub fn write(lp: &LinearProgram, header: &LpHeader) -> String {
    let mut used = HashSet::new();
    let columns: Vec<String> = lp
        .columns
        .iter()
        .map(|c| unique(lp_name(&c.name), &mut used))
        .collect();
    let constant = unique("objective_constant".to_string(), &mut used);
    let rows: Vec<String> = lp
        .rows
        .iter()
        .map(|r| unique(lp_name(&r.name), &mut used))
        .collect();

    let mut out = String::new();
    let _ = writeln!(out, "\\ fsdplan model of scenario \"{}\"", header.scenario);
    let _ = writeln!(
        out,
        "\\ objective: NPV in units of {} {} (NPV = objective x {})",
        number(header.money_scale),
        header.currency,
        number(header.money_scale)
    );
    let _ = writeln!(
        out,
        "\\ {} rows, {} columns, {} integer",
        lp.rows.len(),
        lp.columns.len(),
        lp.integer_columns().count()
    );
    out.push_str("Minimize\n obj:");
    let mut terms = 0;
    for (column, name) in lp.columns.iter().zip(&columns) {
        if column.cost != 0.0 {
            push_term(&mut out, column.cost, name, &mut terms);
        }
    }
    if lp.objective_constant != 0.0 || terms == 0 {
        push_term(&mut out, lp.objective_constant, &constant, &mut terms);
    }
    out.push_str("\nSubject To\n");
    for (row, name) in lp.rows.iter().zip(&rows) {
        let _ = write!(out, " {name}:");
        let mut count = 0;
        for &(var, coef) in &row.terms {
            push_term(&mut out, coef, &columns[var.0], &mut count);
        }
        if count == 0 {
            // A row with no column: written against the constant column
            // with a zero coefficient, so that it keeps its name.
            push_term(&mut out, 0.0, &constant, &mut count);
        }
        let sense = match row.sense {
            Sense::Le => "<=",
            Sense::Ge => ">=",
            Sense::Eq => "=",
        };
        let _ = writeln!(out, " {sense} {}", number(row.rhs));
    }
    out.push_str("Bounds\n");
    for (column, name) in lp.columns.iter().zip(&columns) {
        let (lower, upper) = (column.lower, column.upper);
        if lower == upper {
            let _ = writeln!(out, " {name} = {}", number(lower));
        } else if upper.is_finite() {
            let _ = writeln!(out, " {} <= {name} <= {}", number(lower), number(upper));
        } else if lower != 0.0 {
            let _ = writeln!(out, " {name} >= {}", number(lower));
        }
    }
    let _ = writeln!(out, " {constant} = 1");
    let integers: Vec<&String> = lp
        .columns
        .iter()
        .zip(&columns)
        .filter(|(c, _)| c.integer)
        .map(|(_, n)| n)
        .collect();
    if !integers.is_empty() {
        out.push_str("General\n");
        for name in integers {
            let _ = writeln!(out, " {name}");
        }
    }
    out.push_str("End\n");
    out
}

/// Appends ` + 1.5 name` (or ` - 1.5 name`), breaking long lines.
fn push_term(out: &mut String, coef: f64, name: &str, count: &mut usize) {
    if *count > 0 && *count % 4 == 0 {
        out.push_str("\n   ");
    }
    let sign = if coef < 0.0 { '-' } else { '+' };
    let _ = write!(out, " {sign} {} {name}", number(coef.abs()));
    *count += 1;
}

/// A number as the shortest text that reads back to the same f64.
fn number(x: f64) -> String {
    let text = format!("{x:?}");
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

/// A model name in the characters the LP format allows.
pub fn lp_name(name: &str) -> String {
    const SYMBOLS: &str = "!\"#$%&(),.;?@_`'{}|~/";
    let mut out: String = name
        .chars()
        .map(|ch| match ch {
            '[' => '(',
            ']' => ')',
            c if c.is_ascii_alphanumeric() || SYMBOLS.contains(c) => c,
            _ => '_',
        })
        .collect();
    let first = out.chars().next();
    if first.is_none_or(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E')) {
        out.insert(0, '_');
    }
    out
}

fn unique(name: String, used: &mut HashSet<String>) -> String {
    if used.insert(name.clone()) {
        return name;
    }
    (2..)
        .map(|i| format!("{name}#{i}"))
        .find(|candidate| used.insert(candidate.clone()))
        .expect("some suffix is free")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lp::LinExpr;

    #[test]
    fn names_are_readable_and_legal() {
        assert_eq!(
            lp_name("buy[H20,lingang,2025Q3]"),
            "buy(H20,lingang,2025Q3)"
        );
        assert_eq!(
            lp_name("link_gbps[lingang-texas,2025Q1]"),
            "link_gbps(lingang_texas,2025Q1)"
        );
        assert_eq!(
            lp_name("export_quota[video,2025]"),
            "_export_quota(video,2025)"
        );
        assert_eq!(lp_name("910B"), "_910B");
    }

    #[test]
    fn writes_a_small_programme() {
        let mut lp = LinearProgram::default();
        let x = lp.add_column("buy[G,a,2025]".into(), 0.0, f64::INFINITY, true);
        let y = lp.add_column("y[a]".into(), 1.0, 2.5, false);
        lp.columns[x.0].cost = 2.0;
        lp.columns[y.0].cost = -0.5;
        lp.objective_constant = 3.0;
        let mut expr = LinExpr::default();
        expr.add(x, 1.0);
        expr.add(y, -1.25);
        lp.add_row("cap[a]".into(), expr, Sense::Le, 4.0);
        let header = LpHeader {
            scenario: "t".into(),
            currency: "CNY".into(),
            money_scale: 1e6,
        };
        let text = write(&lp, &header);
        let body: Vec<&str> = text.lines().skip(3).collect();
        assert_eq!(
            body,
            [
                "Minimize",
                " obj: + 2 buy(G,a,2025) - 0.5 y(a) + 3 objective_constant",
                "Subject To",
                " cap(a): + 1 buy(G,a,2025) - 1.25 y(a) <= 4",
                "Bounds",
                " 1 <= y(a) <= 2.5",
                " objective_constant = 1",
                "General",
                " buy(G,a,2025)",
                "End",
            ]
        );
        assert!(text.starts_with("\\ fsdplan model of scenario \"t\""));
    }
}
