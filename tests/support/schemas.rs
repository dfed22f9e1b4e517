//! The JSON schemas that generated files are validated against: the Compose Specification's
//! (`docker-compose.yml`) and SARIF 2.1.0's (`venice check --format sarif`). They are third-party
//! files and not part of the project: the tests that need them read them from the folder that
//! `VENICE_SCHEMAS_DIR` names, and are ignored unless asked for (`.ci/run` sets the variable).
//!
//! - `compose-spec.json`: `schema/compose-spec.json` of compose-spec/compose-spec (commit 170098b).
//! - `sarif-schema-2.1.0.json`: `sarif-2.1/schema/sarif-schema-2.1.0.json` of oasis-tcs/sarif-spec
//!   (commit e058381).

use std::path::PathBuf;

/// `file` of `VENICE_SCHEMAS_DIR`, compiled. A test that runs without the variable fails, saying so.
pub fn validator(file: &str) -> jsonschema::Validator {
    let dir = std::env::var_os("VENICE_SCHEMAS_DIR").filter(|dir| !dir.is_empty());
    let dir = dir.unwrap_or_else(|| {
        panic!("set VENICE_SCHEMAS_DIR to a folder that holds {file} (see tests/support/schemas.rs)")
    });
    let path = PathBuf::from(dir).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{} does not compile: {e}", path.display()))
}
