#!/bin/sh
# The app's own search user, created by the one-shot elasticsearch-setup / opensearch-setup
# service of docker-compose.yml before api and scheduler start, as the cluster's admin. The
# app then connects as that user, whose role (deploy/<engine>-app-role.json, beside this
# file) reaches only the offerings* indices and alias; the admin's password stays with the
# cluster, its health check and this script. Every `docker compose up` runs it again: PUT
# replaces the role with the file's and sets the user's password to SEARCH_PASSWORD.
#
# Environment: ENGINE (elasticsearch | opensearch), ENGINE_URL, ADMIN_USER, ADMIN_PASSWORD,
# APP_USER, APP_PASSWORD, VERIFY_CERTS (false: accept OpenSearch's demo certificate).
set -eu

fail() {
    echo "search-setup: $*" >&2
    exit 1
}

: "${ENGINE:?}" "${ENGINE_URL:?}" "${ADMIN_USER:?}" "${ADMIN_PASSWORD:?}"
: "${APP_USER:?}" "${APP_PASSWORD:?}"

# The placeholders of .env.example, as microcred.settings refuses them.
is_placeholder() {
    case "$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')" in
        change-me*) return 0 ;;
    esac
    return 1
}
if is_placeholder "$ADMIN_PASSWORD"; then
    fail "the cluster admin's password (ELASTIC_PASSWORD or OPENSEARCH_INITIAL_ADMIN_PASSWORD)" \
         "is still the placeholder from .env.example: set it in .env"
fi
if is_placeholder "$APP_PASSWORD"; then
    fail "SEARCH_PASSWORD is still the placeholder from .env.example: set it in .env" \
         "(openssl rand -hex 24)"
fi
# It goes into a JSON body below, unescaped: letters, digits, - and _ only.
case "$APP_PASSWORD" in
    *[!A-Za-z0-9_-]*) fail "SEARCH_PASSWORD: letters, digits, - and _ only (openssl rand -hex 24)" ;;
esac
[ "${#APP_PASSWORD}" -ge 16 ] || fail "SEARCH_PASSWORD: at least 16 characters (openssl rand -hex 24)"
case "$APP_USER" in
    *[!A-Za-z0-9_-]*) fail "SEARCH_USERNAME: letters, digits, - and _ only" ;;
    elastic | admin | kibana* | logstash* | beats* | apm* | remote_monitoring*)
        fail "SEARCH_USERNAME is the built-in $APP_USER: the app needs its own user (microcred)" ;;
esac

role_file="$(dirname "$0")/$ENGINE-app-role.json"
[ -r "$role_file" ] || fail "no role file $role_file"
insecure=""
[ "${VERIFY_CERTS:-true}" = "false" ] && insecure="--insecure"
answer="$(mktemp)"
trap 'rm -f "$answer"' EXIT

# put PATH: PUT the body on standard input, as the admin; fail with the cluster's answer.
put() {
    code="$(curl --silent --show-error $insecure --max-time 30 --retry 5 --retry-connrefused \
        --user "$ADMIN_USER:$ADMIN_PASSWORD" --request PUT \
        --header 'Content-Type: application/json' --data-binary @- \
        --output "$answer" --write-out '%{http_code}' "$ENGINE_URL/$1")" \
        || fail "PUT $1: the cluster at $ENGINE_URL could not be reached"
    case "$code" in
        2??) echo "search-setup: PUT $1: $code" ;;
        *) fail "PUT $1 answered $code: $(cat "$answer")" ;;
    esac
}

case "$ENGINE" in
    elasticsearch)
        put "_security/role/microcred_app" < "$role_file"
        printf '{"password": "%s", "roles": ["microcred_app"], "full_name": "microcred app"}' \
            "$APP_PASSWORD" | put "_security/user/$APP_USER"
        ;;
    opensearch)
        put "_plugins/_security/api/roles/microcred_app" < "$role_file"
        printf '{"password": "%s", "backend_roles": []}' "$APP_PASSWORD" \
            | put "_plugins/_security/api/internalusers/$APP_USER"
        printf '{"users": ["%s"]}' "$APP_USER" \
            | put "_plugins/_security/api/rolesmapping/microcred_app"
        ;;
    *) fail "ENGINE must be elasticsearch or opensearch, not $ENGINE" ;;
esac
echo "search-setup: the app connects as $APP_USER with role microcred_app (offerings* only)"
