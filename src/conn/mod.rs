//! Connection layer over the official `mongodb` crate (filled in by the replica-set
//! administration issue): client construction from a connection plan, commands aimed at the
//! primary or one member, cursors, and a cached topology view for the prompt.
