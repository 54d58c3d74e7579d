//! Command line (clap) and the connection plan built from it.
