//! The plausible ranges of scenario values.
//!
//! A value outside these ranges is not a plan anyone could make: it is a
//! typo or a unit slip (a percentage typed as a number, kW typed as W), and
//! planning with it would overflow, underflow or lose all precision in the
//! model. Each limit is generous enough for every real case: prices up to
//! 1e13 currency units keep VND, IRR, JPY and KRW working; fleets of up to a
//! billion vehicles; horizons of up to 600 periods. docs/limits.md lists
//! them for users.

/// The largest number of periods accepted (50 years of months).
pub const MAX_PERIODS: f64 = 600.0;

/// Any price, in currency units (a node in IRR is about 1e11).
pub const MAX_PRICE: f64 = 1.0e13;

/// A budget per period, in currency units.
pub const MAX_BUDGET: f64 = 1.0e18;

/// Counts of things: vehicles, nodes, PB, Gbps.
pub const MAX_COUNT: f64 = 1.0e9;

/// GB uploaded per vehicle and month (a PB per car and month is already absurd).
pub const MAX_GB_PER_VEHICLE_MONTH: f64 = 1.0e6;

/// Dense TFLOPS of one GPU.
pub const MAX_TFLOPS: f64 = 1.0e6;

/// GPUs in one node.
pub const MAX_GPUS_PER_NODE: f64 = 1.0e4;

/// kW of one node or of one PB of storage.
pub const MAX_KW: f64 = 1.0e4;

/// MW of one site's power cap.
pub const MAX_POWER_MW: f64 = 1.0e6;

/// Lifetimes, in years.
pub const MAX_LIFETIME_YEARS: f64 = 100.0;

/// Retention, in months.
pub const MAX_RETENTION_MONTHS: f64 = 1200.0;

/// The annual discount rate (100 %).
pub const MAX_DISCOUNT_RATE: f64 = 1.0;

/// Annual fleet growth (200 %).
pub const MAX_GROWTH_PER_YEAR: f64 = 2.0;

/// A licence's price factor.
pub const MAX_PRICE_FACTOR: f64 = 10.0;

/// Power usage effectiveness.
pub const MAX_PUE: f64 = 10.0;

/// The upload peak-to-average ratio.
pub const MAX_PEAK_TO_AVERAGE: f64 = 100.0;

/// Training epochs per period.
pub const MAX_EPOCHS_PER_PERIOD: f64 = 1.0e4;

/// PFLOP per PB of data (training or de-identification).
pub const MAX_PFLOP_PER_PB: f64 = 1.0e15;

/// PFLOP of base training per period.
pub const MAX_BASE_PFLOP_PER_PERIOD: f64 = 1.0e18;

/// GB read per PFLOP of training, and GB/s read per PB of a storage tier.
pub const MAX_READ_RATE: f64 = 1.0e6;

/// The smallest nonzero value of any key: no unit in the format has a real
/// value below it, and a smaller one would vanish next to the model's other
/// coefficients.
pub const MIN_NONZERO: f64 = 1.0e-6;

/// The smallest nonzero work per PB (training or de-identification), as a
/// share of one node of the fastest GPU in one period.
pub const MIN_WORK_PER_PB_RATIO: f64 = 1.0e-9;

/// The largest work per PB, in nodes of the fastest GPU in one period (the
/// default scenario's video needs about 110): beyond it the model's rows mix
/// coefficients too far apart for a simplex to factorise.
pub const MAX_WORK_PER_PB_RATIO: f64 = 1.0e6;

/// A derived quantity (uploads in PB per period, or demand in nodes of the
/// fastest GPU) may be at most this large: beyond it the model's numbers
/// exceed what a solver can honour alongside the other coefficients.
pub const MAX_DERIVED: f64 = 1.0e9;

/// A positive input whose derived quantity falls below this has underflowed.
pub const MIN_DERIVED: f64 = 1.0e-30;

/// The slowest node must have at least this share of the fastest node's
/// compute; below it, its coefficient is lost next to the fastest's.
pub const MIN_NODE_COMPUTE_RATIO: f64 = 1.0e-6;

/// A nonzero price must be at least this share of the largest price, or it
/// vanishes in the model's money unit.
pub const MIN_PRICE_RATIO: f64 = 1.0e-12;
