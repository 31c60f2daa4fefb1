-- Initial schema and roles
CREATE ROLE reporting LOGIN PASSWORD 'R3p0rt!ng#Sql9';
CREATE ROLE app LOGIN PASSWORD :'app_password';
CREATE USER 'shop'@'%' IDENTIFIED BY 'Sh0p!My5ql#22';
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    password_changed_at TIMESTAMPTZ,
    api_token_hash CHAR(64)
);

INSERT INTO users (email, password_hash) VALUES
    ('admin@acme-corp.com', '$2b$12$KIXQJ5bNn1Ze2V1eSnBZeO1dS4eK6r4O0k6kq5X6n8dbd8m2XyR4y');

INSERT INTO settings (key, value) VALUES ('password_min_length', '12');
