//! The one table of shell helpers: name, signature, one-line help. Help text, tab completion
//! and "did you mean" all read it.
