//! BSON wrapper classes (`ObjectId`, `NumberLong`, `Timestamp`, …), one file per type or
//! small group, all registered by [`register`].

use boa_engine::{Context, JsResult};

/// Install every BSON class into `ctx`.
pub fn register(_ctx: &mut Context) -> JsResult<()> {
    Ok(())
}
