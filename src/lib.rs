//! fsdplan: capacity planning for the data centres that train self-driving
//! models on a car fleet's own data.
pub mod scenario;
pub mod time;
pub mod units;
pub mod model;
pub mod solve;
pub mod plan;
pub mod report;
pub mod exit;
