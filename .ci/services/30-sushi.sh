# SUSHI (npm fsh-sushi) compiles the CARIN Blue Button FHIR Shorthand examples to JSON for
# tests/medbill_fhir/test_fhir_examples_carin.py. SUSHI needs the FHIR core definitions,
# which come from the npm registry as hl7.fhir.r4b.core (the R4 core package is not
# published there; the CARIN examples compile the same against R4B). Both are kept under
# .cache/ (git-ignored) and found by the tests through MEDBILL_SUSHI and MEDBILL_FHIR_HOME.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ci_apt_install nodejs npm
fi
SUSHI_DIR="$PWD/.cache/sushi"
FHIR_HOME="$PWD/.cache/fhir-home"
CORE="$FHIR_HOME/.fhir/packages/hl7.fhir.r4b.core#4.3.0"
if [ ! -x "$SUSHI_DIR/node_modules/.bin/sushi" ]; then
    mkdir -p "$SUSHI_DIR"
    npm install --silent --no-audit --no-fund --prefix "$SUSHI_DIR" fsh-sushi@3.21.0 >/dev/null
fi
if [ ! -f "$CORE/package/package.json" ]; then
    mkdir -p "$CORE"
    (cd "$FHIR_HOME" && npm pack --silent hl7.fhir.r4b.core@4.3.0 >/dev/null \
        && tar xzf hl7.fhir.r4b.core-4.3.0.tgz -C "$CORE" && rm hl7.fhir.r4b.core-4.3.0.tgz)
fi
export MEDBILL_SUSHI="$SUSHI_DIR/node_modules/.bin/sushi"
export MEDBILL_FHIR_HOME="$FHIR_HOME"
