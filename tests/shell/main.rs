//! The shell's integration, golden and property tests in one binary (linking the shell and the
//! test support once). Tests that need servers start rsh-sandbox members as child processes.

// The support crate under the name every module uses for it.
extern crate rsh_testkit as support;

mod admin_preflight;
mod admin_views;
mod cli_args;
mod cli_completions;
mod cli_password;
mod conn_basic;
mod conn_cursor;
mod conn_db_args;
mod conn_election_wait;
mod conn_explain;
mod conn_failover;
mod conn_golden;
mod conn_json;
mod conn_messages;
mod conn_prompt;
mod conn_regex;
mod conn_rs_args;
mod conn_rs_logic;
mod conn_scripts;
mod conn_sessions;
mod conn_startup;
mod conn_watch;
mod format_golden;
mod format_props;
mod js_json_parse;
mod js_props;
mod js_regex_props;
mod js_runtime;
mod legacy_api;
mod legacy_scripts;
mod real_mongod;
mod repl_complete_pty;
mod repl_pty;
mod repl_robust_pty;
mod script_error_positions;
mod script_exit;
mod script_interrupt;
mod script_robust;
mod seed_000;
mod seed_001;
mod seed_002;
mod seed_003;
mod seed_004;
