# Headless Chromium for the statement browser tests (tests/ledger/test_statement_browser.py).
# Debian's package; the tests run it with --headless --no-sandbox (CI runs as root).
if ! command -v chromium >/dev/null 2>&1; then
    ci_apt_install chromium
fi
MEDBILL_CHROMIUM="$(command -v chromium)"
export MEDBILL_CHROMIUM
