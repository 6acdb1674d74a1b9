//! fsdplan: capacity planning for the data centres that train self-driving
//! models on a car fleet's own data.
pub mod audit;
pub mod compare;
pub mod diff;
pub mod exit;
pub mod explain;
pub mod generate;
pub mod infeasibility;
pub mod model;
pub mod plan;
pub mod report;
pub mod scenario;
pub mod solve;
pub mod sweep;
pub mod time;
pub mod units;
