fn main() {
    use std::io::BufRead;
    let stdin = std::io::stdin();
    let mut groups: std::collections::BTreeMap<String, Vec<serde_json::Value>> = Default::default();
    for line in stdin.lock().lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        groups.entry(v["ocid"].as_str().unwrap().to_string()).or_default().push(v);
    }
    let versioned = std::env::args().any(|a| a == "--versioned");
    for (_, g) in groups {
        let out = if versioned { tianguis_ocds::versioned(&g) } else { tianguis_ocds::compile(&g) };
        println!("{}", serde_json::to_string(&out.unwrap()).unwrap());
    }
}
