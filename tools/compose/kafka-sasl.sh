#!/usr/bin/env bash
# The Kafka broker of docker-compose.sasl.yml: one KRaft node (broker + controller) whose clients
# authenticate with SASL/SCRAM-SHA-512 and are authorised by ACLs (no access without one). The admin
# and one principal per service (named as the service) are created when the storage is formatted, with
# the passwords `npm run secrets` writes to .env; the topic setup then grants each service its ACLs
# (KAFKA_APPLY_ACLS=true). Same settings as `tools/kafka/broker.ts start --sasl`.
set -euo pipefail

KAFKA_HOME="${KAFKA_HOME:-/opt/kafka}"
DATA_DIR="${KAFKA_DATA_DIR:-/var/lib/kafka/data}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
ADVERTISED_HOST="${KAFKA_ADVERTISED_HOST:-kafka}"
SERVICES=(webhook-gateway kyc-results aml-trigger retention audit-log console)
: "${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD is required (npm run secrets writes it to .env)}"

# The SCRAM credential of each principal: admin, then every service from KAFKA_PASSWORD_<SERVICE>.
scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD}]")
for service in "${SERVICES[@]}"; do
  var="KAFKA_PASSWORD_$(echo "$service" | tr 'a-z-' 'A-Z_')"
  password="${!var:-}"
  if [ -z "$password" ]; then
    echo "$var is required (npm run secrets writes it to .env)" >&2
    exit 1
  fi
  scram+=(--add-scram "SCRAM-SHA-512=[name=${service},password=${password}]")
done

mkdir -p "$DATA_DIR/log"
umask 077
cat > "$DATA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
# The controller listener is bound to the container's loopback address and carries no client traffic.
controller.quorum.voters=1@127.0.0.1:${CONTROLLER_PORT}
controller.listener.names=CONTROLLER
listeners=SASL_PLAINTEXT://:${PORT},CONTROLLER://127.0.0.1:${CONTROLLER_PORT}
advertised.listeners=SASL_PLAINTEXT://${ADVERTISED_HOST}:${PORT}
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
log.dirs=${DATA_DIR}/log
auto.create.topics.enable=false
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS

# The admin's client settings, for the healthcheck and for operators (kafka-*.sh --command-config).
cat > "$DATA_DIR/admin.properties" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
PROPS

# KRaft needs formatted storage; the credentials are written when it is formatted, once.
if [ ! -f "$DATA_DIR/log/meta.properties" ]; then
  cluster_id="$("$KAFKA_HOME/bin/kafka-storage.sh" random-uuid | tail -n 1 | tr -d '[:space:]')"
  "$KAFKA_HOME/bin/kafka-storage.sh" format -t "$cluster_id" -c "$DATA_DIR/server.properties" "${scram[@]}"
fi

exec "$KAFKA_HOME/bin/kafka-server-start.sh" "$DATA_DIR/server.properties"
