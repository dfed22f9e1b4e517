//! `connect/<name>.json`: each connector's config, the body of `PUT /connectors/<name>/config`,
//! rendered by the connector catalog (`crate::connect`), secrets as `${env:VAR}` references.

use crate::model::Project;

/// (path, text) for each connector, in the order of venice.kdl.
pub(crate) fn render(project: &Project) -> Vec<(String, String)> {
    project
        .connectors
        .iter()
        .map(|connector| {
            let config = crate::connect::connector_config(project, connector);
            let path = format!("connect/{}.json", super::names::file_name(&connector.name.value));
            (path, super::json_file(&serde_json::Value::Object(config)))
        })
        .collect()
}
