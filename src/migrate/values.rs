//! Secret values: what a finding (or a group of findings) becomes in Secrets Manager.
//!
//! - a database URL, JDBC URL or ADO.NET connection string → the RDS secret structure
//!   (`engine`, `host`, `port`, `username`, `password`, `dbname`);
//! - an AWS access key id with its secret key → `aws_access_key_id`, `aws_secret_access_key`;
//! - anything else → `{"<the rule's store_key>": value}`, or the plain string with `--plain`.

use regex::Regex;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// A parsed database connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Db {
    pub engine: String,
    pub host: String,
    pub port: Option<u16>,
    pub username: String,
    pub password: String,
    pub dbname: Option<String>,
    /// The password exactly as written in the line (URLs may percent-encode it).
    pub raw_password: String,
    /// Byte offset of `raw_password` in the line.
    pub password_offset: usize,
}

impl Db {
    /// The RDS secret structure.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("engine".into(), Value::String(self.engine.clone()));
        m.insert("host".into(), Value::String(self.host.clone()));
        let port = self.port.or(default_port(&self.engine));
        if let Some(p) = port {
            m.insert("port".into(), Value::from(p));
        }
        m.insert("username".into(), Value::String(self.username.clone()));
        m.insert("password".into(), Value::String(self.password.clone()));
        if let Some(d) = &self.dbname {
            m.insert("dbname".into(), Value::String(d.clone()));
        }
        m
    }
}

fn default_port(engine: &str) -> Option<u16> {
    match engine {
        "postgres" => Some(5432),
        "mysql" | "mariadb" => Some(3306),
        "sqlserver" => Some(1433),
        "oracle" => Some(1521),
        "redshift" => Some(5439),
        _ => None,
    }
}

/// RDS engine name for a URL scheme or JDBC subprotocol.
fn engine_of(scheme: &str) -> Option<&'static str> {
    Some(match scheme.to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" | "pgsql" => "postgres",
        "mysql" | "mysql2" | "mysqlx" => "mysql",
        "mariadb" => "mariadb",
        "sqlserver" | "mssql" | "jtds:sqlserver" => "sqlserver",
        "oracle" | "oracle:thin" => "oracle",
        "redshift" => "redshift",
        _ => return None,
    })
}

fn url_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)(?:jdbc:)?\b(postgres(?:ql)?|pgsql|mysql2?|mysqlx|mariadb|sqlserver|mssql|redshift)://([^:/@\s'"`]+):([^@\s'"`]*)@([^:/?;,\s'"`]+)(?:[:,](\d{1,5}))?(?:/([^?;\s'"`]*))?"#,
        )
        .expect("url regex")
    })
}

fn jdbc_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)jdbc:(postgresql|mysql|mariadb|sqlserver|jtds:sqlserver|redshift)://([^:/?;\s'"`]+)(?::(\d{1,5}))?(?:/([^?;\s'"`]*))?([?;][^\s'"`]*)"#,
        )
        .expect("jdbc regex")
    })
}

/// Finds a connection string in `line` whose password overlaps the byte range
/// `span` (the finding's secret), and parses it.
pub fn parse_connection(line: &str, span: (usize, usize)) -> Option<Db> {
    let overlaps = |off: usize, len: usize| off < span.1 && span.0 < off + len.max(1);
    for c in url_re().captures_iter(line) {
        let engine = engine_of(&c[1])?;
        let pw = c.get(3)?;
        if pw.as_str().is_empty() || !overlaps(pw.start(), pw.len()) {
            continue;
        }
        return Some(Db {
            engine: engine.into(),
            host: c[4].to_string(),
            port: c.get(5).and_then(|p| p.as_str().parse().ok()),
            username: percent_decode(&c[2]),
            password: percent_decode(pw.as_str()),
            dbname: c
                .get(6)
                .map(|d| percent_decode(d.as_str()))
                .filter(|d| !d.is_empty()),
            raw_password: pw.as_str().to_string(),
            password_offset: pw.start(),
        });
    }
    for c in jdbc_re().captures_iter(line) {
        let engine = engine_of(&c[1])?;
        let params = c.get(5)?;
        let mut user = None;
        let mut pass = None;
        let mut db = c.get(4).map(|d| d.as_str().to_string());
        let mut off = params.start();
        for kv in params.as_str().split(['?', '&', ';']) {
            let kv_off = off;
            off += kv.len() + 1;
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            let voff = kv_off + k.len() + 1;
            match k.to_ascii_lowercase().as_str() {
                "user" | "username" => user = Some(v.to_string()),
                "password" => pass = Some((v.to_string(), voff)),
                "databasename" | "database" => db = Some(v.to_string()),
                _ => {}
            }
        }
        let (Some(user), Some((pw, pw_off))) = (user, pass) else {
            continue;
        };
        if pw.is_empty()
            || !overlaps(pw_off, pw.len())
            || line.get(pw_off..pw_off + pw.len()) != Some(pw.as_str())
        {
            continue;
        }
        return Some(Db {
            engine: engine.into(),
            host: c[2].to_string(),
            port: c.get(3).and_then(|p| p.as_str().parse().ok()),
            username: percent_decode(&user),
            password: percent_decode(&pw),
            dbname: db.filter(|d| !d.is_empty()),
            raw_password: pw,
            password_offset: pw_off,
        });
    }
    parse_ado(line, span)
}

/// ADO.NET / ODBC style `Server=host,1433;Database=db;User Id=u;Password=p;`.
fn parse_ado(line: &str, span: (usize, usize)) -> Option<Db> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r#"(?i)(?:^|[;"'`\s])\s*(password|pwd)\s*=\s*([^;"'`]+)"#).expect("ado regex")
    });
    let c = re.captures_iter(line).find(|c| {
        let m = c.get(2).expect("group");
        m.start() < span.1 && span.0 < m.end()
    })?;
    let pw = c.get(2)?;
    // The connection string: from the quote (or line start) before the password to the
    // quote (or line end) after it.
    let start = line[..pw.start()]
        .rfind(['"', '\'', '`'])
        .map_or(0, |i| i + 1);
    let end = line[pw.end()..]
        .find(['"', '\'', '`'])
        .map_or(line.len(), |i| pw.end() + i);
    let mut host = None;
    let mut port = None;
    let mut user = None;
    let mut db = None;
    let mut engine = "sqlserver";
    for kv in line[start..end].split(';') {
        let Some((k, v)) = kv.split_once('=') else {
            continue;
        };
        let v = v.trim();
        match k.trim().to_ascii_lowercase().as_str() {
            "server" | "data source" | "address" | "addr" | "network address" => {
                let v = v.trim_start_matches("tcp:");
                let (h, p) = match v.split_once(',') {
                    Some((h, p)) => (h, p.trim().parse().ok()),
                    None => (v, None),
                };
                host = Some(h.trim().to_string());
                port = port.or(p);
            }
            "host" => {
                // Npgsql uses Host=; MySqlConnector uses Server= too, but Host= is Npgsql's.
                engine = "postgres";
                host = Some(v.to_string());
            }
            "port" => port = v.parse().ok(),
            "database" | "initial catalog" => db = Some(v.to_string()),
            "user id" | "userid" | "uid" | "user" | "username" | "user name" => {
                user = Some(v.to_string())
            }
            _ => {}
        }
    }
    let raw = pw.as_str().trim_end().to_string();
    Some(Db {
        engine: engine.into(),
        host: host?,
        port,
        username: user?,
        password: raw.clone(),
        dbname: db.filter(|d| !d.is_empty()),
        raw_password: raw,
        password_offset: pw.start(),
    })
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(line: &str, s: &str) -> (usize, usize) {
        let i = line.find(s).unwrap();
        (i, i + s.len())
    }

    #[test]
    fn postgres_url() {
        let l = r#"DATABASE_URL = "postgres://app:Zr8vQe2LkP4x@db.internal:5432/orders""#;
        let db = parse_connection(l, span_of(l, "Zr8vQe2LkP4x")).unwrap();
        assert_eq!(db.engine, "postgres");
        assert_eq!(db.host, "db.internal");
        assert_eq!(db.port, Some(5432));
        assert_eq!(db.username, "app");
        assert_eq!(db.password, "Zr8vQe2LkP4x");
        assert_eq!(db.dbname.as_deref(), Some("orders"));
        assert_eq!(&l[db.password_offset..][..12], "Zr8vQe2LkP4x");
        // A finding covering the whole URL also works.
        let whole = parse_connection(
            l,
            span_of(l, "postgres://app:Zr8vQe2LkP4x@db.internal:5432/orders"),
        )
        .unwrap();
        assert_eq!(whole.password, "Zr8vQe2LkP4x");
    }

    #[test]
    fn mysql_url_percent_encoded() {
        let l = "url: mysql://root:p%40ss%21word9@10.0.0.5/shop";
        let db = parse_connection(l, span_of(l, "p%40ss")).unwrap();
        assert_eq!(db.engine, "mysql");
        assert_eq!(db.password, "p@ss!word9");
        assert_eq!(db.raw_password, "p%40ss%21word9");
        assert_eq!(db.to_json()["port"], 3306);
    }

    #[test]
    fn jdbc_params() {
        let l = r#"String u = "jdbc:postgresql://pg.example.com:6432/billing?user=svc&password=Tq9xW2mLp7Rb&ssl=true";"#;
        let db = parse_connection(l, span_of(l, "Tq9xW2mLp7Rb")).unwrap();
        assert_eq!(db.engine, "postgres");
        assert_eq!(db.host, "pg.example.com");
        assert_eq!(db.port, Some(6432));
        assert_eq!(db.username, "svc");
        assert_eq!(db.dbname.as_deref(), Some("billing"));
        assert_eq!(&l[db.password_offset..][..12], "Tq9xW2mLp7Rb");
        let l2 = "jdbc:sqlserver://sql.corp:1433;databaseName=hr;user=sa;password=Hn4kQ8zVt2Lm";
        let db2 = parse_connection(l2, span_of(l2, "Hn4kQ8zVt2Lm")).unwrap();
        assert_eq!(db2.engine, "sqlserver");
        assert_eq!(db2.dbname.as_deref(), Some("hr"));
        assert_eq!(db2.username, "sa");
    }

    #[test]
    fn ado_net() {
        let l = r#"var cs = "Server=tcp:sql.corp,1444;Initial Catalog=Payroll;User Id=payroll;Password=Xk3mV9qLz2Wp;";"#;
        let db = parse_connection(l, span_of(l, "Xk3mV9qLz2Wp")).unwrap();
        assert_eq!(db.engine, "sqlserver");
        assert_eq!(db.host, "sql.corp");
        assert_eq!(db.port, Some(1444));
        assert_eq!(db.username, "payroll");
        assert_eq!(db.dbname.as_deref(), Some("Payroll"));
        assert_eq!(db.password, "Xk3mV9qLz2Wp");
        let n = "Host=pg;Port=5433;Database=x;Username=u;Password=Rr7tYy2Uu9Ii";
        let db = parse_connection(n, span_of(n, "Rr7tYy2Uu9Ii")).unwrap();
        assert_eq!(db.engine, "postgres");
    }

    #[test]
    fn unrelated_span_is_not_parsed() {
        let l = r#"x = "postgres://app:Zr8vQe2LkP4x@db:5432/o"; y = "ghp_abc""#;
        assert!(parse_connection(l, span_of(l, "ghp_abc")).is_none());
    }
}
