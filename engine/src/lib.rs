pub mod repo;
pub mod signing;
pub mod state;
