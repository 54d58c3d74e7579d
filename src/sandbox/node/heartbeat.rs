//! Heartbeats: every `heartbeatIntervalMillis` each member asks every other member how it is,
//! keeps the answers in the health table, and learns newer configs and terms from them.

pub mod proto;
