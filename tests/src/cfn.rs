//! The SAM template as CloudFormation JSON, for the tests that check it
//! (`template.rs`) and run the handlers as it deploys them
//! (`lambda_handlers.rs`).

use serde_json::{Value, json};

/// YAML with CloudFormation's short tags (`!Ref X`, `!GetAtt A.B`, `!Sub s`)
/// as the JSON long form (`{"Ref": "X"}`, `{"Fn::GetAtt": ["A", "B"]}`, ...).
pub fn cfn_json(v: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).expect("number"),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(cfn_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k.as_str().map(str::to_string).unwrap_or_else(|| format!("{k:?}")), cfn_json(v)))
                .collect(),
        ),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = cfn_json(t.value);
            match name {
                "Ref" => json!({ "Ref": inner }),
                "GetAtt" => match inner {
                    Value::String(s) => {
                        let (res, attr) = s.split_once('.').unwrap_or_else(|| panic!("!GetAtt {s}"));
                        json!({ "Fn::GetAtt": [res, attr] })
                    }
                    other => json!({ "Fn::GetAtt": other }),
                },
                other => json!({ format!("Fn::{other}"): inner }),
            }
        }
    }
}

/// `infra/template.yaml`, parsed.
pub fn template() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    cfn_json(serde_yaml::from_str(&text).expect("infra/template.yaml is YAML"))
}
