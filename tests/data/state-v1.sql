-- A state file as pistesim wrote it with schema version 1 (world, tokens, mailbox; no counters
-- table). tests/unit/store_test.cpp builds a file from it and checks that the current build
-- migrates it and resumes from it. Never edit: it stands for files already in the field.
PRAGMA application_id = 1347635533;
CREATE TABLE world (slot TEXT PRIMARY KEY, toml TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE tokens (
  channel INTEGER NOT NULL, token TEXT NOT NULL, application TEXT NOT NULL,
  client TEXT NOT NULL, scope TEXT NOT NULL, issued_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (channel, token)) WITHOUT ROWID;
CREATE TABLE mails (
  id INTEGER PRIMARY KEY, sent_at INTEGER NOT NULL, kind TEXT NOT NULL,
  recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, links TEXT NOT NULL);
INSERT INTO world VALUES ('initial', '[world]
name = "field"

[[organisations]]
id = "org"
name = "Org"
code = "c0de"

[[apis]]
id = "alpha"
name = "Alpha"
version = "1"
channels = ["SANDBOX"]
base_path = "/alpha/v1"
scopes = ["alpha.read"]

[[apis.routes]]
path = "/ping"
content_type = "text/plain"
body = "pong"

[[users]]
email = "u@example.test"
name = "U"
password = "p"
memberships = [{ organisation = "org" }]

[[applications]]
id = "app"
name = "app"
channel = "SANDBOX"
organisation = "org"
owner = "u@example.test"

[[applications.oauth_clients]]
client_id = "client-1"
client_secret = "secret-1"

[[applications.subscriptions]]
api = "alpha"
');
INSERT INTO world VALUES ('current', '[world]
name = "field"

[[organisations]]
id = "org"
name = "Org"
code = "c0de"

[[apis]]
id = "alpha"
name = "Alpha"
version = "1"
channels = ["SANDBOX"]
base_path = "/alpha/v1"
scopes = ["alpha.read"]

[[apis.routes]]
path = "/ping"
content_type = "text/plain"
body = "pong"

[[users]]
email = "u@example.test"
name = "U"
password = "p"
memberships = [{ organisation = "org" }]

[[users]]
email = "late@example.test"
name = "Late"
password = "p"
memberships = [{ organisation = "org" }]

[[applications]]
id = "app"
name = "app"
channel = "SANDBOX"
organisation = "org"
owner = "u@example.test"

[[applications.oauth_clients]]
client_id = "client-1"
client_secret = "secret-1"

[[applications.subscriptions]]
api = "alpha"
');
INSERT INTO tokens VALUES (0, 'V1tokenV1tokenV1tokenV1tokenV1tokenV1tokenV1tokenV1tok', 'app',
  'client-1', 'openid alpha.read', 1795427000000, 1795430600000, 0);
INSERT INTO mails VALUES (1, 1795426000000, 'activation', 'late@example.test', 'Activation',
  'Bonjour', '[{"label":"Activer votre compte","url":"http://127.0.0.1:8080/__pistesim/portal/activate?token=x"}]');
INSERT INTO mails VALUES (2, 1795426500000, 'password_reset', 'u@example.test', 'Reset', 'Bonjour', '[]');
PRAGMA user_version = 1;
