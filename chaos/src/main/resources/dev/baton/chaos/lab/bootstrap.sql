-- Run once by mariadb-install-db on the template datadir; every lab server is a copy of it.
-- Bootstrap mode starts with grants disabled; loading them lets CREATE USER and GRANT work.
FLUSH PRIVILEGES;
CREATE USER 'root'@'%' IDENTIFIED BY '${rootPassword}';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
-- The orchestrator's account: ALL includes READ_ONLY ADMIN, so it can still write on a fenced server.
CREATE USER '${adminUser}'@'%' IDENTIFIED BY '${adminPassword}';
GRANT ALL PRIVILEGES ON *.* TO '${adminUser}'@'%' WITH GRANT OPTION;
CREATE USER '${replUser}'@'%' IDENTIFIED BY '${replPassword}';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '${replUser}'@'%';
CREATE DATABASE ${database};
-- The workload's account: no admin privilege, so read_only fences it.
CREATE USER '${appUser}'@'%' IDENTIFIED BY '${appPassword}';
GRANT SELECT, INSERT, UPDATE, DELETE ON ${database}.* TO '${appUser}'@'%';
CREATE TABLE ${database}.orders (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  idem_key VARCHAR(64) NOT NULL,
  shop_id BIGINT NOT NULL,
  items TEXT NOT NULL,
  total_cents BIGINT NOT NULL,
  dc VARCHAR(32) NOT NULL,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  UNIQUE KEY uk_idem (idem_key)
) ENGINE=InnoDB;
CREATE TABLE ${database}.probe (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  shard VARCHAR(32) NOT NULL,
  at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;
