//! Fuzzes the front end: any bytes as venice.kdl, checked, then rendered in every format.
//!
//!     cargo +nightly fuzz run front_end
//!
//! The project folder does not exist, so only files named by absolute paths can be read.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use venice::render::{HumanOptions, OutputFormat, render};

const FORMATS: [OutputFormat; 4] = [OutputFormat::Human, OutputFormat::Json, OutputFormat::Sarif, OutputFormat::Github];

fuzz_target!(|data: &[u8]| {
    let checked = venice::check::check_bytes(Path::new("/nonexistent-venice-fuzz"), data);
    for format in FORMATS {
        let _ = render(format, &checked.diagnostics, &checked.sources, &HumanOptions::default());
    }
});
