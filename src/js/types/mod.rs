//! BSON wrapper classes (`ObjectId`, `NumberLong`, `Timestamp`, …), one file per type or
//! small group, all registered by [`register`].

use boa_engine::{Context, JsResult};

pub mod binary;
pub mod common;
pub mod dates;
pub mod dbref;
pub mod keys;
pub mod numbers;
pub mod object_id;
pub mod regexp;
pub mod timestamp;

pub use binary::JsBinData;
pub use dbref::JsDbRef;
pub use keys::{JsMaxKey, JsMinKey};
pub use numbers::{JsNumberDecimal, JsNumberInt, JsNumberLong};
pub use object_id::JsObjectId;
pub use timestamp::JsTimestamp;

/// Install every BSON class and factory function into `ctx`.
pub fn register(ctx: &mut Context) -> JsResult<()> {
    ctx.register_global_class::<JsObjectId>()?;
    ctx.register_global_class::<JsNumberLong>()?;
    ctx.register_global_class::<JsNumberInt>()?;
    ctx.register_global_class::<JsNumberDecimal>()?;
    ctx.register_global_class::<JsTimestamp>()?;
    ctx.register_global_class::<JsBinData>()?;
    ctx.register_global_class::<JsMinKey>()?;
    ctx.register_global_class::<JsMaxKey>()?;
    ctx.register_global_class::<JsDbRef>()?;
    binary::register_factories(ctx)?;
    dates::register(ctx)?;
    regexp::register(ctx)?;
    crate::js::depth::register(ctx)?;
    crate::js::budget::register(ctx)?;
    Ok(())
}
