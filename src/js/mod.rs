//! The JavaScript runtime (boa_engine): natives, BSON classes, JS⇄BSON conversion, the prelude.
