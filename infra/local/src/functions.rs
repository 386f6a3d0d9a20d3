//! The function registry (`portal::functions`), as the local portal and the tests name it.

pub use portal::functions::*;
