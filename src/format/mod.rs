//! Output formatting, all in Rust: legacy `tojson` text (byte-identical to the legacy `mongo`
//! shell), the one-line cursor form, `tojsononeline`, and Extended JSON for `--json`.
//!
//! Input is a `bson::Bson` tree. Conventions for values that only exist on the JS side
//! (the js layer builds them when it converts a JS value for printing):
//! * `Bson::Double` is a JS number (printed with ECMAScript Number-to-String: `1`, `1.5`, `1e+21`).
//! * `Bson::Int32` prints as a plain number for server data, or as `NumberInt(n)` when
//!   `Style::number_int` is set (values created with `NumberInt()` in JS).
//! * `Bson::JavaScriptCode(text)` is printed raw (function source, `Error.toString()`, the output
//!   of an object's own `tojson()` method).
//! * `Bson::Undefined` prints `undefined`.
