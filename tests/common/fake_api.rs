//! A scripted stand-in for Baseten's API on 127.0.0.1: each (key, route) gets its replies in
//! order (the last one repeating); every request is logged as (key, "METHOD path" or path).
#![allow(dead_code)]
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer: an HTTP response (status, extra headers, body), a response slower
/// than the client's timeout, or a connection closed without an answer.
#[derive(Clone)]
pub enum Reply {
    Http(u16, String, String),
    Slow(Duration),
    Reset,
}

/// Per (key, endpoint): replies consumed in order, the last one repeating.
pub type Script = HashMap<(String, String), Vec<Reply>>;

pub struct FakeApi {
    pub url: String,
    pub requests: Arc<Mutex<Vec<(String, String)>>>,
}

pub fn serve(script: Script) -> FakeApi {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(vec![]));
    let script = Arc::new(Mutex::new(script));
    let log = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (script, log) = (script.clone(), log.clone());
            std::thread::spawn(move || handle(stream, &script, &log));
        }
    });
    FakeApi { url, requests }
}

fn handle(mut s: TcpStream, script: &Mutex<Script>, log: &Mutex<Vec<(String, String)>>) {
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut buf = vec![];
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let req = String::from_utf8_lossy(&buf).into_owned();
    let path = req.split_whitespace().nth(1).unwrap_or("").to_string();
    let key = req
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("authorization").then(|| {
                value
                    .trim()
                    .strip_prefix("Api-Key ")
                    .unwrap_or("")
                    .to_string()
            })
        })
        .unwrap_or_default();
    let method = req.split_whitespace().next().unwrap_or("").to_string();
    let endpoint: String = match (method.as_str(), path.as_str()) {
        ("GET", "/v1/api_keys") => "keys".into(),
        ("GET", "/v1/users/me") => "me".into(),
        ("GET", "/metrics") => "metrics".into(),
        ("DELETE", p) if p.starts_with("/v1/api_keys/") => {
            format!("delete:{}", &p["/v1/api_keys/".len()..])
        }
        _ => "other".into(),
    };
    let path = if method == "GET" {
        path
    } else {
        format!("{method} {path}")
    };
    log.lock().unwrap().push((key.clone(), path.clone()));
    let reply = {
        let mut script = script.lock().unwrap();
        match script.get_mut(&(key, endpoint)) {
            Some(list) if list.len() > 1 => list.remove(0),
            Some(list) => list[0].clone(),
            None => Reply::Http(401, String::new(), "{\"message\":\"unauthorized\"}".into()),
        }
    };
    match reply {
        Reply::Http(status, headers, body) => {
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
                body.len()
            );
        }
        Reply::Slow(d) => {
            std::thread::sleep(d);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            );
        }
        Reply::Reset => drop(s),
    }
}

pub fn list(prefix: &str, kind: &str) -> Reply {
    Reply::Http(200, String::new(), format!("{{\"keys\":[{{\"prefix\":\"other123\",\"type\":\"PERSONAL\"}},{{\"prefix\":\"{prefix}\",\"name\":\"ci\",\"type\":\"{kind}\"}}]}}"))
}

pub fn http(status: u16) -> Reply {
    Reply::Http(status, String::new(), "{\"message\":\"no\"}".into())
}
