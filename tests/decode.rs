//! Keys inside encoded and structured content: notebooks (JSON escapes), base64 in
//! Kubernetes Secrets and Docker configs, percent-encoded URLs, and archives.
mod common;
use base64::Engine as _;
use common::*;
use std::io::Write;

fn b64(s: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn scan(dir: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = tenscan()
        .current_dir(dir)
        .args(["scan", ".", "-f", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)
}

fn finding<'a>(r: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no finding in {path}: {r}"))
}

#[test]
fn notebook_json_escapes_are_decoded_and_located_in_the_raw_file() {
    let d = tree();
    let (k1, k2) = (key(), key());
    // k1 with its 10th character written as a \u escape: only decoding can see the key.
    let c = k1.as_bytes()[10] as char;
    let escaped = format!("{}\\u{:04x}{}", &k1[..10], c as u32, &k1[11..]);
    let nb = format!(
        "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"import baseten\\n\",\n    \"client = Client(api_key=\\\"{escaped}\\\")\\n\"\n   ],\n   \"outputs\": [{{\"name\": \"stdout\", \"text\": [\"BASETEN_API_KEY=\\\"{k2}\\\"\\n\"]}}]\n  }}\n ]\n}}\n"
    );
    write(d.path(), "analysis.ipynb", &nb);
    let r = scan(d.path(), &[]);
    let fs = r["findings"].as_array().unwrap();
    assert_eq!(fs.len(), 2, "{r}");
    let line_of = |needle: &str| nb.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1;
    let a = fs
        .iter()
        .find(|f| f["decoded"] == serde_json::json!(["json"]))
        .unwrap();
    assert_eq!(a["line"], line_of(&escaped));
    let col = nb
        .lines()
        .nth(line_of(&escaped) as usize - 1)
        .unwrap()
        .find(&escaped)
        .unwrap() as u64
        + 1;
    assert_eq!(a["column"], col);
    assert_eq!(
        a["end_column"],
        col + escaped.len() as u64,
        "the end covers the escaped text"
    );
    let b = fs.iter().find(|f| f["line"] == line_of(&k2)).unwrap();
    assert_eq!(b["rule_id"], "baseten-api-key");
    // Without decoding only the plain key is found.
    assert_eq!(
        scan(d.path(), &["--no-decode"])["findings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn kubernetes_secrets_and_docker_configs_are_base64_decoded() {
    let d = tree();
    let (k1, k2) = (key(), key());
    let secret = format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: baseten\ntype: Opaque\ndata:\n  BASETEN_API_KEY: {}\n", b64(&k1));
    write(d.path(), "k8s/secret.yaml", &secret);
    let docker = format!(
        "{{\"auths\":{{\"registry.example.com\":{{\"auth\":\"{}\"}}}}}}",
        b64(format!("baseten:{k2}"))
    );
    let manifest = format!(
        "kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
        b64(&docker)
    );
    write(d.path(), "k8s/pull.yaml", &manifest);
    let r = scan(d.path(), &[]);
    let a = finding(&r, "k8s/secret.yaml");
    assert_eq!(a["decoded"], serde_json::json!(["base64"]));
    assert_eq!(
        (a["line"].as_u64(), a["column"].as_u64()),
        (Some(7), Some(20)),
        "at the encoded run"
    );
    assert_eq!(a["secret"], format!("{}…", &k1[..8]));
    let b = finding(&r, "k8s/pull.yaml");
    assert_eq!(b["decoded"], serde_json::json!(["base64", "base64"]));
    assert_eq!(b["line"], 4);
    assert_eq!(r["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn percent_encoded_urls_are_decoded() {
    let d = tree();
    let v = base62(28);
    let line = format!("GET https://proxy.example.com/forward?header=Authorization%3A%20Api-Key%20{v}&to=baseten\n");
    write(d.path(), "access.log", &line);
    let r = scan(d.path(), &[]);
    let f = finding(&r, "access.log");
    assert_eq!(f["rule_id"], "baseten-api-key-header");
    assert_eq!(f["decoded"], serde_json::json!(["percent"]));
    assert_eq!(f["column"], line.find(&v).unwrap() as u64 + 1);
}

#[test]
fn ordinary_base64_and_images_are_not_findings() {
    let d = tree();
    // A notebook with a realistic PNG output and a secret holding random bytes.
    let mut png = vec![0x89, b'P', b'N', b'G', 13, 10, 26, 10];
    let mut x: u32 = 12345;
    png.extend((0..30_000).map(|_| {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (x >> 16) as u8
    }));
    let nb = format!("{{\"cells\":[{{\"outputs\":[{{\"data\":{{\"image/png\":\"{}\",\"text/plain\":[\"<Figure size 640x480>\"]}}}}]}}]}}", b64(&png));
    write(d.path(), "plot.ipynb", nb);
    let random: Vec<u8> = (0..48).map(|i| (i * 37 % 251) as u8).collect();
    write(
        d.path(),
        "s.yaml",
        format!(
            "kind: Secret\ndata:\n  token: {}\n  cert: {}\n",
            b64(&random),
            b64(&png[..3000])
        ),
    );
    write(
        d.path(),
        "font.css",
        format!(
            "@font-face {{ src: url(data:font/woff2;base64,{}) }}\n",
            b64(&png[..8000])
        ),
    );
    write(
        d.path(),
        "text.yaml",
        format!(
            "data:\n  readme: {}\n",
            b64("just an ordinary sentence that is long enough to be decoded, with no keys")
        ),
    );
    let r = scan(d.path(), &[]);
    assert_eq!(r["findings"].as_array().unwrap().len(), 0, "{r}");
}

#[test]
fn archives_are_opened_with_limits() {
    let d = tree();
    let (k1, k2, k3, k4) = (key(), key(), key(), key());
    write(
        d.path(),
        "bundle.zip",
        zip_of(&[
            ("conf/.env", format!("BASETEN_API_KEY={k1}\n").into_bytes()),
            ("img.bin", vec![0, 1, 2, 3]),
        ]),
    );
    let inner = zip_of(&[("deep.txt", format!("key {k2}\n").into_bytes())]);
    write(
        d.path(),
        "dist/pkg-1.0-py3-none-any.whl",
        zip_of(&[
            ("pkg/data.zip", inner),
            ("pkg/__init__.py", b"x = 1\n".to_vec()),
        ]),
    );
    let mut tar = tar::Builder::new(Vec::new());
    let body = format!("api_key = {k3}\n");
    let mut h = tar::Header::new_gnu();
    h.set_size(body.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, "etc/app.conf", body.as_bytes())
        .unwrap();
    let tar = tar.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    write(d.path(), "backup.tar.gz", gz.finish().unwrap());
    write(
        d.path(),
        "big.zip",
        zip_of(&[(
            "huge.txt",
            format!("{}\n{k4}\n", "a".repeat(50_000)).into_bytes(),
        )]),
    );
    write(
        d.path(),
        "broken.zip",
        b"PK\x03\x04 this is not really a zip",
    );
    let out = tenscan()
        .current_dir(d.path())
        .args(["scan", ".", "-f", "json", "--max-file-size", "20000"])
        .output()
        .unwrap();
    let r = json(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    let mut paths: Vec<String> = locations(&r).into_iter().map(|l| l.0).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "backup.tar.gz!etc/app.conf",
            "bundle.zip!conf/.env",
            "dist/pkg-1.0-py3-none-any.whl!pkg/data.zip!deep.txt"
        ],
        "{err}"
    );
    assert!(
        err.contains("big.zip!huge.txt: larger than --max-file-size 20000"),
        "{err}"
    );
    assert!(err.contains("broken.zip: damaged zip"), "{err}");
    assert_eq!(
        r["stats"]["incomplete"], true,
        "a member left unscanned makes the scan incomplete"
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "and an incomplete scan fails closed"
    );
    assert_eq!(r["stats"]["skipped_binary"], 1);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&k1[9..]));
}
