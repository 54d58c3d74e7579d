//! Elections (protocol version 1): the election timer, dry run and real vote, winning and
//! stepping down when the majority is lost, priority takeover.

pub mod rules;
